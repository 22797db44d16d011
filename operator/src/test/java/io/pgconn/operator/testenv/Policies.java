package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/** The policies integration tests create: what every one of them sets, then the test's own. */
public final class Policies {

  private Policies() {}

  /**
   * A policy reading DATABASE_URL from the source Secret, probing once an hour (so a test's own
   * touches, not the clock, drive reconciles), with whatever the test changes on top.
   */
  public static PostgresConnectionPolicy policy(
      String namespace, String name, String sourceSecret, Consumer<PolicySpec> customize) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef(sourceSecret, "DATABASE_URL"));
    spec.getProbe().setInterval("1h");
    customize.accept(spec);
    policy.setSpec(spec);
    return policy;
  }

  /**
   * A Ready policy as the operator left it against PostgreSQL 16: its spec, identity with a uid and
   * resourceVersion, and the 3 KB status it wrote (conditions, server, pool, ledger, checks).
   */
  public static PostgresConnectionPolicy readyWithSampleStatus(
      KubernetesSerialization serialization, Consumer<PolicySpec> customize) {
    PostgresConnectionPolicy policy = policy("shop", "checkout", "checkout-db", customize);
    policy.getMetadata().setUid("0b6a3f5e-1d2c-4c1e-9a51-7d3f7a1c2b90");
    policy.getMetadata().setResourceVersion("4711");
    try (InputStream in = Policies.class.getResourceAsStream("/status/ready-policy-status.json")) {
      policy.setStatus(
          serialization.unmarshal(
              new String(in.readAllBytes(), StandardCharsets.UTF_8), PolicyStatus.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return policy;
  }

  /**
   * An auto-sized policy (no reserve, TLS off) whose pods are those of the Deployment of its own
   * name, restarted as soon as the content changes (no settling), with the test's changes on top.
   */
  public static PostgresConnectionPolicy autoSizedForDeployment(
      String namespace, String name, String sourceSecret, Consumer<PolicySpec> customize) {
    return policy(
        namespace,
        name,
        sourceSecret,
        spec -> {
          spec.getPool().setSslMode("disable");
          AutoPoolSpec auto = new AutoPoolSpec();
          auto.setReserve(0);
          spec.getPool().setAuto(auto);
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
          spec.getWorkloads().setSettleSeconds(0);
          customize.accept(spec);
        });
  }
}
