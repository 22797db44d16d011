package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A policy with its defaults resolved, so the reconciler reads each decision in one place. */
record PolicyView(
    String namespace,
    String name,
    long generation,
    SecretKeyRef source,
    SecretKeyRef direct,
    String targetSecretName,
    boolean targetNamed,
    List<OutputSpec> outputs,
    PolicySpec spec) {

  static PolicyView of(PostgresConnectionPolicy policy) {
    PolicySpec spec = policy.getSpec();
    String name = policy.getMetadata().getName();
    boolean named = spec.getTarget() != null && !blank(spec.getTarget().getSecretName());
    String target = named ? spec.getTarget().getSecretName() : name + "-connection";
    List<OutputSpec> outputs =
        spec.getTarget() == null
                || spec.getTarget().getOutputs() == null
                || spec.getTarget().getOutputs().isEmpty()
            ? List.of(new OutputSpec(SecretKeyRef.DEFAULT_KEY, OutputFormatName.prisma, true))
            : List.copyOf(spec.getTarget().getOutputs());
    Long generation = policy.getMetadata().getGeneration();
    return new PolicyView(
        policy.getMetadata().getNamespace(),
        name,
        generation == null ? 0 : generation,
        spec.getSource().getSecretRef(),
        spec.getSource().getDirectSecretRef(),
        target,
        named,
        outputs,
        spec);
  }

  /**
   * In place mode: spec.target.secretName names the source Secret itself. Only when named: a source
   * that happens to be called like the default target is never rewritten silently.
   */
  boolean inPlace() {
    return targetNamed && targetSecretName.equals(source.getName());
  }

  String backupSecretName() {
    return name + "-original";
  }

  SecretId sourceId() {
    return new SecretId(namespace, source.getName());
  }

  SecretId directId() {
    return direct == null ? null : new SecretId(namespace, direct.getName());
  }

  Set<SecretId> referencedSecrets() {
    Set<SecretId> ids = new LinkedHashSet<>();
    ids.add(sourceId());
    if (direct != null) ids.add(directId());
    return ids;
  }

  String applicationName() {
    String configured = spec.getPool().getApplicationName();
    return blank(configured) ? name : configured;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
