package io.pgconn.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.testenv.ClusterFixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Drives the operator through every kind of API request its code makes, in one namespace: a policy
 * with workloads of each kind (a Deployment scaled by an HPA, a StatefulSet, a DaemonSet, a CronJob
 * and a Job, named, selected by label and discovered), a policy in place mode, a policy that fails,
 * and the deletion of all three (cleanup, restoring the in-place source). Seeding and checking go
 * through the admin client; only the operator acts with its own credentials.
 */
final class EveryCodePathScenario {

  static final String ORIGINAL = "postgresql://u:p@db.example.invalid:5432/app";
  private static final String TARGET = "tour-connection";
  private static final String IN_PLACE_SOURCE = "legacy";

  private final KubernetesClient admin;
  private final String ns;

  EveryCodePathScenario(KubernetesClient admin, String namespace) {
    this.admin = admin;
    this.ns = namespace;
  }

  /** Source Secrets, workloads, an HPA and the three policies. */
  void seed() {
    secret("src", ORIGINAL);
    secret(IN_PLACE_SOURCE, ORIGINAL);
    String podSpec =
        """
        spec:
          restartPolicy: %s
          containers:
            - name: app
              image: example/app:1
              envFrom: [{secretRef: {name: %s}}]
        """;
    String always = podSpec.formatted("Always", TARGET);
    String never = podSpec.formatted("Never", TARGET);
    create(ChartWorkloads.yaml(ns, always, 12));
    create(
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly, namespace: %1$s}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
        %2$s
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: backfill, namespace: %1$s}
        spec:
          template:
        %3$s
        """
            .formatted(ns, never.indent(8).stripTrailing(), never.indent(4).stripTrailing()));
    create(
        """
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: tour, namespace: %1$s}
        spec:
          source: {secretRef: {name: src, key: DATABASE_URL}}
          target: {secretName: %2$s}
          pool: {connectionLimit: 3}
          probe: {mode: Off}
          workloads:
            refs:
              - {kind: Deployment, name: web}
              - {kind: StatefulSet, name: ledger}
              - {kind: DaemonSet, name: agent}
              - {kind: CronJob, name: nightly}
              - {kind: Job, name: backfill}
            selector: {matchLabels: {tier: app}}
            discover: true
            maxConcurrent: 5
            settleSeconds: 0
        ---
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: inplace, namespace: %1$s}
        spec:
          source: {secretRef: {name: %3$s, key: DATABASE_URL}}
          target: {secretName: %3$s}
          pool: {connectionLimit: 2}
          probe: {mode: Off}
        ---
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: broken, namespace: %1$s}
        spec:
          source: {secretRef: {name: no-such-secret, key: DATABASE_URL}}
          probe: {mode: Off}
        """
            .formatted(ns, TARGET, IN_PLACE_SOURCE));
  }

  /** What each policy must have done once the operator converged. */
  void awaitConverged() {
    ClusterFixtures.await()
        .untilAsserted(
            () -> {
              assertThat(ready("tour")).as("tour Ready").isEqualTo("True");
              assertThat(value(TARGET))
                  .as("target Secret")
                  .hasValueSatisfying(v -> assertThat(v).contains("connection_limit=3"));
              for (PodTemplateSpec template :
                  List.of(
                      admin
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName("web")
                          .get()
                          .getSpec()
                          .getTemplate(),
                      admin
                          .apps()
                          .statefulSets()
                          .inNamespace(ns)
                          .withName("ledger")
                          .get()
                          .getSpec()
                          .getTemplate(),
                      admin
                          .apps()
                          .daemonSets()
                          .inNamespace(ns)
                          .withName("agent")
                          .get()
                          .getSpec()
                          .getTemplate())) {
                assertThat(template.getMetadata().getAnnotations())
                    .as("restarted workloads")
                    .containsKey(io.pgconn.operator.rollout.PodTemplateStamps.key("tour"));
              }
              PolicyStatus status = policy("tour").getStatus();
              assertThat(status.getWorkloads())
                  .extracting(WorkloadStatus::kind)
                  .containsExactlyInAnyOrder(
                      WorkloadKind.Deployment,
                      WorkloadKind.StatefulSet,
                      WorkloadKind.DaemonSet,
                      WorkloadKind.CronJob,
                      WorkloadKind.Job);
              // Sized at the HPA's maximum (12 pods and their surge), so the HPA was read.
              assertThat(status.getPool().getConsumers())
                  .as("consumers")
                  .isGreaterThanOrEqualTo(12);

              assertThat(ready("inplace")).as("inplace Ready").isEqualTo("True");
              assertThat(value(IN_PLACE_SOURCE))
                  .as("source rewritten in place")
                  .hasValueSatisfying(v -> assertThat(v).contains("connection_limit=2"));
              assertThat(admin.secrets().inNamespace(ns).withName("inplace-original").get())
                  .as("in-place backup")
                  .isNotNull();

              assertThat(ready("broken")).as("broken Ready").isEqualTo("False");
            });
  }

  /**
   * Changes what the tour's target must hold (its connection limit): the operator rewrites the
   * Secret it created, the write the chart's RBAC must allow too (a PUT update was refused there,
   * found on a real node).
   */
  void changeAndAwaitRewrite() {
    // A merge patch, not edit(): edit sends the resourceVersion it read, and the operator's own
    // patch in between (its finalizer) made it fail with 409 Conflict.
    admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(ns)
        .withName("tour")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"pool\":{\"connectionLimit\":4}}}");
    ClusterFixtures.await()
        .untilAsserted(
            () ->
                assertThat(value(TARGET))
                    .as("target Secret rewritten")
                    .hasValueSatisfying(v -> assertThat(v).contains("connection_limit=4")));
  }

  /** Deletes the policies: each is cleaned up and released, the in-place source restored. */
  void deleteAndAwaitCleanup() {
    for (String name : List.of("tour", "inplace", "broken")) {
      admin.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName(name).delete();
    }
    ClusterFixtures.await()
        .untilAsserted(
            () -> {
              for (String name : List.of("tour", "inplace", "broken")) {
                assertThat(policy(name)).as(name + " still there (finalizer not removed)").isNull();
              }
              assertThat(value(IN_PLACE_SOURCE)).as("in-place source restored").hasValue(ORIGINAL);
              assertThat(admin.secrets().inNamespace(ns).withName("inplace-original").get())
                  .as("backup deleted")
                  .isNull();
            });
  }

  private void secret(String name, String url) {
    admin
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .addToStringData("DATABASE_URL", url)
                .build())
        .create();
  }

  private void create(String yaml) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata o : objects) {
      admin.resource(o).create();
    }
  }

  private PostgresConnectionPolicy policy(String name) {
    return admin.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName(name).get();
  }

  private String ready(String name) {
    PostgresConnectionPolicy policy = policy(name);
    if (policy == null
        || policy.getStatus() == null
        || policy.getStatus().getConditions() == null) {
      return null;
    }
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(Condition::getStatus)
        .findFirst()
        .orElse(null);
  }

  private Optional<String> value(String secret) {
    Secret s = admin.secrets().inNamespace(ns).withName(secret).get();
    if (s == null || s.getData() == null || !s.getData().containsKey("DATABASE_URL")) {
      return Optional.empty();
    }
    return Optional.of(
        new String(
            Base64.getDecoder().decode(s.getData().get("DATABASE_URL")), StandardCharsets.UTF_8));
  }
}
