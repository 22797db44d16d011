package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.annotation;
import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Labels and annotations from spec.target reach the target Secret beside the operator's own, and
 * changing them is no change of content: the Secret's metadata is rewritten once, its data, the
 * published content hash and the workload's pod template stay as they were (no restart), and the
 * policy is quiet again afterwards. Writes are counted from the API server's audit log.
 */
@OperatorEnvironment(audit = Audit.SECRETS_AND_DEPLOYMENTS, postgres = 16, maxConnections = 60)
class TargetMetadataIT {

  static final String NS = "meta";
  static final String TARGET = "web-connection";
  static final String STAMP = "content-hash.pgconn.io/web";

  private final AuditLog audit;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  TargetMetadataIT(AuditLog audit, KubernetesClient client, ClusterFixtures k8s) {
    this.audit = audit;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void source(LocalPostgres postgres, ClusterFixtures k8s) {
    postgres.createRole("web", "Meta-Canary-Pa55", null);
    k8s.namespace(NS);
    k8s.secret(
        NS, "db", Map.of("DATABASE_URL", postgres.url("web", "Meta-Canary-Pa55", "postgres")));
  }

  @Test
  void labelsAndAnnotationsFromTheSpecChangeNoContentAndRestartNothing() {
    k8s.deployment(NS, "web", TARGET);
    k8s.create(
        Policies.policy(
            NS,
            "web",
            "db",
            spec -> {
              spec.getPool().setConnectionLimit(4);
              spec.getPool().setSslMode("disable");
              spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "web")));
              spec.getWorkloads().setSettleSeconds(0);
              spec.getTarget().setLabels(Map.of("team", "shop", "tier", "backend"));
              spec.getTarget()
                  .setAnnotations(
                      Map.of("reloader.stakater.com/ignore", "true", "example.com/note", "a"));
            }));
    await()
        .until(
            () -> k8s.getDeployment(NS, "web").map(d -> annotation(d, STAMP)).orElse(null) != null);
    k8s.completeRollout(NS, "web");
    await().until(() -> k8s.ready(NS, "web"));

    Secret first = secret();
    assertThat(first.getMetadata().getLabels())
        .containsEntry("team", "shop")
        .containsEntry("tier", "backend")
        .containsEntry("app.kubernetes.io/managed-by", "pgconn-operator")
        .containsEntry("pgconn.io/policy", "web");
    assertThat(first.getMetadata().getAnnotations())
        .containsEntry("reloader.stakater.com/ignore", "true")
        .containsEntry("example.com/note", "a");
    Map<String, String> data = first.getData();
    PolicyStatus before = k8s.status(NS, "web");
    long generation = k8s.getDeployment(NS, "web").orElseThrow().getMetadata().getGeneration();
    String stamp = annotation(k8s.getDeployment(NS, "web").orElseThrow(), STAMP);
    int writes = targetWrites();

    // One label changed, one removed; one annotation removed.
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .withName("web")
        .edit(
            p -> {
              p.getSpec().getTarget().setLabels(Map.of("tier", "api"));
              p.getSpec()
                  .getTarget()
                  .setAnnotations(Map.of("reloader.stakater.com/ignore", "true"));
              return p;
            });
    await()
        .until(
            () -> {
              Secret s = secret();
              return "api".equals(s.getMetadata().getLabels().get("tier"))
                  && !s.getMetadata().getLabels().containsKey("team")
                  && !s.getMetadata().getAnnotations().containsKey("example.com/note");
            });
    awaitReconciledGeneration();

    Secret after = secret();
    assertThat(after.getData()).as("the content, byte for byte").isEqualTo(data);
    assertThat(after.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "pgconn-operator")
        .containsEntry("pgconn.io/policy", "web");
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry("reloader.stakater.com/ignore", "true");
    PolicyStatus status = k8s.status(NS, "web");
    assertThat(status.getSecret().getContentHash()).isEqualTo(before.getSecret().getContentHash());
    assertThat(status.getSecret().getUpdatedAt()).isEqualTo(before.getSecret().getUpdatedAt());
    assertThat(k8s.getDeployment(NS, "web").orElseThrow().getMetadata().getGeneration())
        .as("no restart")
        .isEqualTo(generation);
    assertThat(annotation(k8s.getDeployment(NS, "web").orElseThrow(), STAMP)).isEqualTo(stamp);
    assertThat(targetWrites()).as("one metadata write").isEqualTo(writes + 1);

    // At rest again: a reconcile woken by the source writes nothing.
    k8s.touchSecret(NS, "db");
    String touched = k8s.resourceVersion(NS, "db");
    await().until(() -> touched.equals(k8s.status(NS, "web").getObservedSourceVersion()));
    assertThat(targetWrites()).isEqualTo(writes + 1);
    assertThat(k8s.getDeployment(NS, "web").orElseThrow().getMetadata().getGeneration())
        .isEqualTo(generation);
  }

  private void awaitReconciledGeneration() {
    await()
        .until(
            () -> {
              PostgresConnectionPolicy p = k8s.policy(NS, "web");
              return p.getStatus() != null
                  && p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())
                  && k8s.ready(NS, "web");
            });
  }

  private Secret secret() {
    return client.secrets().inNamespace(NS).withName(TARGET).get();
  }

  /** Updates, patches (server-side apply, which also creates it) and deletes of the target. */
  private int targetWrites() {
    String path = "/api/v1/namespaces/" + NS + "/secrets/" + TARGET;
    return (int)
        audit.requests().stream()
            .filter(r -> List.of("update", "patch", "delete").contains(r.verb()))
            .filter(r -> r.uri().equals(path) || r.uri().startsWith(path + "?"))
            .count();
  }
}
