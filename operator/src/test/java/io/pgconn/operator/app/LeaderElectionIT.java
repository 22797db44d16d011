package io.pgconn.operator.app;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two replicas with leader election: one reconciles; when it goes, the other takes over. */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, namespaces = "le")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderElectionIT {

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final Operators operators;
  private final Map<String, OperatorApp> apps = new HashMap<>();

  LeaderElectionIT(KubernetesClient client, ClusterFixtures k8s, Operators operators) {
    this.client = client;
    this.k8s = k8s;
    this.operators = operators;
  }

  @BeforeAll
  void twoReplicas() {
    for (String identity : new String[] {"replica-a", "replica-b"}) {
      apps.put(
          identity,
          operators.startAnother(
              Map.of(
                  "pgconn.leader-election",
                  true,
                  "pgconn.lease-namespace",
                  "le",
                  "pgconn.identity",
                  identity,
                  "pgconn.exit-on-leadership-loss",
                  false)));
    }
  }

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWhenItGoes() {
    k8s.secret("le", "src", Map.of("DATABASE_URL", "postgresql://u:p@db.example.invalid/app"));
    k8s.create(policy("first"));
    await().until(() -> k8s.ready("le", "first"));
    String leader = holder();
    assertThat(leader).isIn("replica-a", "replica-b");
    // A standby is ready too: a Deployment of two replicas must not count it as unavailable.
    for (OperatorApp app : apps.values()) {
      assertThat(readiness(app)).isEqualTo(200);
    }

    apps.remove(leader).close();
    String other = apps.keySet().iterator().next();
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> other.equals(holder()));
    k8s.create(policy("second"));
    await().until(() -> k8s.ready("le", "second"));
    assertThat(k8s.secretValue("le", "second-connection", "DATABASE_URL")).isPresent();
  }

  private static int readiness(OperatorApp app) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(app.url() + "/health/readiness"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private String holder() {
    Lease lease = client.leases().inNamespace("le").withName("pgconn-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static PostgresConnectionPolicy policy(String name) {
    return Policies.policy(
        "le",
        name,
        "src",
        spec -> {
          spec.getPool().setConnectionLimit(3);
          spec.getProbe().setMode(ProbeMode.Off);
        });
  }
}
