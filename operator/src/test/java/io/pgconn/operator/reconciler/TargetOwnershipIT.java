package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.url.ConnectionStringParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile or careless second policy cannot take a Secret it does not own: not another policy's
 * target, not a Secret that merely has the backup's name, and a source that happens to carry the
 * default target's name is never rewritten in place. Real API server, real PostgreSQL, the real
 * application; writes are counted from the API server's audit log.
 */
@OperatorEnvironment(audit = Audit.SECRETS, postgres = 16, ssl = true, maxConnections = 100)
class TargetOwnershipIT {

  private final AuditLog audit;
  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  TargetOwnershipIT(
      AuditLog audit, LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.audit = audit;
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void roles(LocalPostgres postgres) {
    postgres.createRole("team_a", "pw-a", null);
    postgres.createRole("team_b", "pw-b", null);
  }

  @Test
  void aSecondPolicyNamingAnOwnedTargetIsRefusedAndWritesNothing() throws Exception {
    String ns = "two-policies";
    k8s.namespace(ns);
    k8s.secret(ns, "source-a", Map.of("DATABASE_URL", postgres.url("team_a", "pw-a", "postgres")));
    k8s.secret(ns, "source-b", Map.of("DATABASE_URL", postgres.url("team_b", "pw-b", "postgres")));
    k8s.create(policy(ns, "a", "source-a", "shared-connection"));
    await().until(() -> k8s.reason(ns, "a").equals("Reconciled"));
    String before = k8s.secretValue(ns, "shared-connection", "DATABASE_URL").orElseThrow();
    int writesBefore = writes(ns, "shared-connection");

    k8s.create(policy(ns, "b", "source-b", "shared-connection"));
    await().until(() -> k8s.reason(ns, "b").equals("TargetOwnedByAnotherPolicy"));
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
                k8s.reason(ns, "a").equals("Reconciled")
                    && k8s.reason(ns, "b").equals("TargetOwnedByAnotherPolicy"));

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
    await().until(() -> k8s.reason(ns, "inplace").equals("BackupSecretConflict"));

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
    await().until(() -> k8s.reason(ns, "web").equals("TargetSecretConflict"));

    assertThat(k8s.secretValue(ns, "web-connection", "DATABASE_URL")).contains(url);
    assertThat(client.secrets().inNamespace(ns).withName("web-original").get()).isNull();
    assertThat(writes(ns, "web-connection")).isZero();
  }

  /** Updates, patches and deletes of one Secret (the test's own setup creates it by POST). */
  private int writes(String ns, String secret) {
    String path = "/api/v1/namespaces/" + ns + "/secrets/" + secret;
    return (int)
        audit.requests().stream()
            .filter(r -> List.of("update", "patch", "delete").contains(r.verb()))
            .filter(r -> r.uri().equals(path) || r.uri().startsWith(path + "?"))
            .count();
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, String source, String target) {
    return Policies.policy(
        ns,
        name,
        source,
        spec -> {
          // A fixed pool: the shared budget moving between the two policies is another test's
          // subject.
          spec.getPool().setConnectionLimit(5);
          if (target != null) spec.getTarget().setSecretName(target);
        });
  }
}
