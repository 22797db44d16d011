package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.TestCluster;
import io.pgconn.operator.url.ConnectionStringParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile or careless second policy cannot take a Secret it does not own: not another policy's
 * target, not a Secret that merely has the backup's name, and a source that happens to carry the
 * default target's name is never rewritten in place. Real API server, real PostgreSQL, the real
 * application; writes are counted from the API server's audit log.
 */
class TargetOwnershipIT {

  static AuditLog audit;
  static TestCluster controlPlane;
  static LocalPostgres postgres;
  static OperatorApp app;
  static KubernetesClient client;
  static ClusterFixtures k8s;

  @BeforeAll
  static void start() {
    audit = AuditLog.forSecrets();
    controlPlane = TestCluster.start(audit.apiServerFlags());
    postgres = LocalPostgres.builder().version(16).ssl(true).maxConnections(100).start();
    postgres.createRole("team_a", "pw-a", null);
    postgres.createRole("team_b", "pw-b", null);
    client = controlPlane.newClient();
    k8s = new ClusterFixtures(client);
    k8s.installCrd();
    app = OperatorApp.start(controlPlane.kubeconfigFile(), Map.of());
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (client != null) client.close();
    if (postgres != null) postgres.close();
    if (controlPlane != null) controlPlane.close();
  }

  @Test
  void aSecondPolicyNamingAnOwnedTargetIsRefusedAndWritesNothing() throws Exception {
    String ns = "two-policies";
    k8s.namespace(ns);
    k8s.secret(ns, "source-a", Map.of("DATABASE_URL", postgres.url("team_a", "pw-a", "postgres")));
    k8s.secret(ns, "source-b", Map.of("DATABASE_URL", postgres.url("team_b", "pw-b", "postgres")));
    k8s.create(policy(ns, "a", "source-a", "shared-connection"));
    await().until(() -> reason(ns, "a").equals("Reconciled"));
    String before = k8s.secretValue(ns, "shared-connection", "DATABASE_URL").orElseThrow();
    int writesBefore = writes(ns, "shared-connection");

    k8s.create(policy(ns, "b", "source-b", "shared-connection"));
    await().until(() -> reason(ns, "b").equals("TargetOwnedByAnotherPolicy"));
    // Wake b again through its source: it still refuses, and a's content stays a's.
    k8s.replaceSecret(
        ns,
        "source-b",
        Map.of(
            "DATABASE_URL", postgres.url("team_b", "pw-b", "postgres") + "?application_name=b2"));
    await()
        .until(
            () ->
                k8s.condition(ns, "b", "Ready")
                    .map(c -> c.getMessage().contains("PostgresConnectionPolicy a"))
                    .orElse(false));
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(ns)
        .withName("a")
        .edit(
            p -> {
              p.getSpec().getProbe().setInterval("59m");
              return p;
            });
    await()
        .until(
            () ->
                reason(ns, "a").equals("Reconciled")
                    && reason(ns, "b").equals("TargetOwnedByAnotherPolicy"));

    String after = k8s.secretValue(ns, "shared-connection", "DATABASE_URL").orElseThrow();
    assertThat(after).isEqualTo(before);
    assertThat(ConnectionStringParser.parse(after).user()).isEqualTo("team_a");
    assertThat(writes(ns, "shared-connection")).isEqualTo(writesBefore);
  }

  @Test
  void inPlaceModeNeverOverwritesAForeignSecretNamedLikeItsBackup() {
    String ns = "foreign-backup";
    k8s.namespace(ns);
    String url = postgres.url("team_a", "pw-a", "postgres");
    k8s.secret(ns, "app-db", Map.of("DATABASE_URL", url));
    k8s.secret(ns, "inplace-original", Map.of("precious", "do not touch"));
    k8s.create(policy(ns, "inplace", "app-db", "app-db"));
    await().until(() -> reason(ns, "inplace").equals("BackupSecretConflict"));

    assertThat(k8s.secretValue(ns, "inplace-original", "precious")).contains("do not touch");
    assertThat(k8s.secretValue(ns, "app-db", "DATABASE_URL")).contains(url);
    assertThat(writes(ns, "inplace-original")).isZero();
    assertThat(writes(ns, "app-db")).isZero();

    client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName("inplace").delete();
    await().until(() -> k8s.policy(ns, "inplace") == null);
    assertThat(k8s.secretValue(ns, "inplace-original", "precious")).contains("do not touch");
    assertThat(writes(ns, "inplace-original")).isZero();
  }

  @Test
  void aSourceNamedLikeTheDefaultTargetIsNeverRewrittenInPlaceSilently() {
    String ns = "default-name";
    k8s.namespace(ns);
    String url = postgres.url("team_a", "pw-a", "postgres");
    // No spec.target.secretName: the default target is "web-connection", the source's name.
    k8s.secret(ns, "web-connection", Map.of("DATABASE_URL", url));
    k8s.create(policy(ns, "web", "web-connection", null));
    await().until(() -> reason(ns, "web").equals("TargetSecretConflict"));

    assertThat(k8s.secretValue(ns, "web-connection", "DATABASE_URL")).contains(url);
    assertThat(client.secrets().inNamespace(ns).withName("web-original").get()).isNull();
    assertThat(writes(ns, "web-connection")).isZero();
  }

  /** Updates, patches and deletes of one Secret (the test's own setup creates it by POST). */
  private static int writes(String ns, String secret) {
    String path = "/api/v1/namespaces/" + ns + "/secrets/" + secret;
    return (int)
        audit.requests().stream()
            .filter(r -> List.of("update", "patch", "delete").contains(r.verb()))
            .filter(r -> r.uri().equals(path) || r.uri().startsWith(path + "?"))
            .count();
  }

  private static String reason(String ns, String name) {
    return k8s.condition(ns, name, "Ready").map(c -> String.valueOf(c.getReason())).orElse("");
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, String source, String target) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef(source, "DATABASE_URL"));
    spec.getProbe().setInterval("1h");
    // A fixed pool: the shared budget moving between the two policies is another test's subject.
    spec.getPool().setConnectionLimit(5);
    if (target != null) spec.getTarget().setSecretName(target);
    policy.setSpec(spec);
    return policy;
  }
}
