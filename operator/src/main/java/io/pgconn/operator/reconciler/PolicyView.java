package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.CaSecretRef;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.SourceSpec;
import io.pgconn.operator.budget.StoredApplicationName;
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
    boolean named = namedTarget(spec);
    String target = targetSecretName(policy);
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
        sourceRef(spec.getSource()),
        spec.getSource().getDirectSecretRef(),
        target,
        named,
        outputs,
        spec);
  }

  /** The Secret the policy writes: spec.target.secretName, else "{name}-connection". */
  static String targetSecretName(PostgresConnectionPolicy policy) {
    PolicySpec spec = policy.getSpec();
    return namedTarget(spec)
        ? spec.getTarget().getSecretName()
        : policy.getMetadata().getName() + "-connection";
  }

  private static boolean namedTarget(PolicySpec spec) {
    return spec != null && spec.getTarget() != null && !blank(spec.getTarget().getSecretName());
  }

  /**
   * The source Secret and, for a URL source, its key; for the fields and json shapes the key is the
   * URL key in place mode would have used (only a backup of an earlier in place spec reads it), or
   * the JSON's key. Null name: the spec names no source (refused by the CRD).
   */
  private static SecretKeyRef sourceRef(SourceSpec source) {
    if (source.getSecretRef() != null) return source.getSecretRef();
    if (source.getFields() != null) {
      return new SecretKeyRef(source.getFields().getName(), SecretKeyRef.DEFAULT_KEY);
    }
    if (source.getJson() != null) {
      return new SecretKeyRef(source.getJson().getName(), source.getJson().getKey());
    }
    return new SecretKeyRef(null, SecretKeyRef.DEFAULT_KEY);
  }

  /** The spec field that names the source Secret, for messages; null when none does. */
  String sourceField() {
    SourceSpec s = spec.getSource();
    if (s.getSecretRef() != null) return "spec.source.secretRef";
    if (s.getFields() != null) return "spec.source.fields";
    if (s.getJson() != null) return "spec.source.json";
    return null;
  }

  /**
   * In place mode: spec.target.secretName names the source Secret itself. Only when named: a source
   * that happens to be called like the default target is never rewritten silently. Only a URL
   * source can be rewritten in place (the CRD refuses the other shapes there).
   */
  boolean inPlace() {
    return targetNamed
        && spec.getSource().getSecretRef() != null
        && targetSecretName.equals(source.getName());
  }

  String backupSecretName() {
    return name + "-original";
  }

  /**
   * Where versions before the namespace's key kept this policy's own key for its published content
   * hashes, which it keeps using if it has one: see {@link HashKeys}.
   */
  String hashKeySecretName() {
    return name + "-hash-key";
  }

  /**
   * The names the operator derives from the policy's name must be valid Secret names (at most 253
   * characters). A long policy name is refused rather than shortened: a shortened name would need a
   * hash suffix nobody can guess when looking for the Secret, and the fix (a shorter policy name)
   * is the user's one-line change. The target may not be the namespace's hash key Secret.
   */
  void requireValidGeneratedNames() throws PolicyFailure {
    if (HashKeys.NAMESPACE_KEY_NAME.equals(targetSecretName)) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "the Secret "
              + HashKeys.NAMESPACE_KEY_NAME
              + " holds the key of the content hashes the operator publishes for this namespace's"
              + " policies, so no policy writes its connection strings there: choose another"
              + " spec.target.secretName (or source Secret, in place)");
    }
    List<String> generated = new java.util.ArrayList<>();
    if (!targetNamed) generated.add(targetSecretName);
    generated.add(backupSecretName());
    generated.add(hashKeySecretName());
    for (String secret : generated) {
      if (secret.length() > MAX_NAME) {
        throw new PolicyFailure(
            PolicyFailure.Reason.INVALID_SPEC,
            "the policy's name is "
                + name.length()
                + " characters long, so the Secret names derived from it (e.g. ...-"
                + secret.substring(name.length() + 1)
                + ") exceed Kubernetes' "
                + MAX_NAME
                + " characters: use a policy name of at most "
                + (MAX_NAME - LONGEST_SUFFIX)
                + " characters");
      }
    }
  }

  static final int MAX_NAME = 253;
  private static final int LONGEST_SUFFIX = "-connection".length();

  SecretId sourceId() {
    return new SecretId(namespace, source.getName());
  }

  SecretId directId() {
    return direct == null ? null : new SecretId(namespace, direct.getName());
  }

  SecretId caId() {
    CaSecretRef ca = spec.getSource().getCaSecretRef();
    return ca == null ? null : new SecretId(namespace, ca.getName());
  }

  /** Every Secret the policy reads: a change of any of them reconciles it. */
  Set<SecretId> referencedSecrets() {
    Set<SecretId> ids = new LinkedHashSet<>();
    if (source.getName() != null) ids.add(sourceId());
    if (direct != null) ids.add(directId());
    if (caId() != null) ids.add(caId());
    return ids;
  }

  /**
   * The application_name every output carries: the configured one, or the policy's name, as
   * PostgreSQL stores it (cut to 63 bytes, other bytes than printable ASCII escaped), so that
   * pg_stat_activity shows exactly what the URL says and the budget finds the policy's own sessions
   * under it. The CRD refuses configured names that need this (older objects may hold one); a
   * policy's name, up to 253 characters, may.
   */
  String applicationName() {
    String configured = spec.getPool().getApplicationName();
    return StoredApplicationName.of(
        blank(configured) ? name : configured, StoredApplicationName.HEX_ESCAPES_SINCE);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
