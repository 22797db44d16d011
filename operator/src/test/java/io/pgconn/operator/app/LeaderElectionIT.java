package io.pgconn.operator.app;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.OperatorApp;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas with leader election: one reconciles; when it goes, the other takes over. */
class LeaderElectionIT {

  static LocalControlPlane controlPlane;
  static KubernetesClient client;
  static ClusterFixtures k8s;
  static final Map<String, OperatorApp> apps = new HashMap<>();

  @BeforeAll
  static void start() {
    controlPlane = LocalControlPlane.start();
    client = controlPlane.newClient();
    k8s = new ClusterFixtures(client);
    k8s.installCrd();
    k8s.namespace("le");
    for (String identity : new String[] {"replica-a", "replica-b"}) {
      apps.put(
          identity,
          OperatorApp.start(
              controlPlane.kubeconfigFile(),
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

  @AfterAll
  static void stop() {
    apps.values().forEach(OperatorApp::close);
    if (client != null) client.close();
    if (controlPlane != null) controlPlane.close();
  }

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWhenItGoes() {
    k8s.secret("le", "src", Map.of("DATABASE_URL", "postgresql://u:p@db.example.invalid/app"));
    k8s.create(policy("first"));
    await().until(() -> ready("first"));
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
    await().until(() -> ready("second"));
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

  private static String holder() {
    Lease lease = client.leases().inNamespace("le").withName("pgconn-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static boolean ready(String name) {
    return k8s.condition("le", name, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static PostgresConnectionPolicy policy(String name) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("le").build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("src", "DATABASE_URL"));
    spec.getPool().setConnectionLimit(3);
    spec.getProbe().setMode(ProbeMode.Off);
    policy.setSpec(spec);
    return policy;
  }
}
