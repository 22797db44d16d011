package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.probe.ProbePools;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A saturated server (every slot taken: the probe itself is refused with 53300) must still let a
 * policy lower its limit, since lowering is how slots come back; a raise waits for a probe that
 * succeeds. Probe mode is the default, Enforce.
 */
class SaturatedServerIT {

  static final String NS = "saturated";

  /** 53300 as the probe classifies it: no slot at all, or only superusers' slots left. */
  static final java.util.Set<String> REFUSED =
      java.util.Set.of("TooManyConnections", "ReservedSlotsOnly");

  static LocalControlPlane controlPlane;
  static LocalPostgres postgres;
  static OperatorApp app;
  static KubernetesClient client;
  static ClusterFixtures k8s;
  static final List<Connection> fillers = new ArrayList<>();

  @BeforeAll
  static void start() {
    controlPlane = LocalControlPlane.start();
    postgres = LocalPostgres.builder().version(16).maxConnections(14).start();
    postgres.createRole("app", "pw-saturated-canary", null);
    client = controlPlane.newClient();
    k8s = new ClusterFixtures(client);
    k8s.installCrd();
    app = OperatorApp.start(controlPlane.kubeconfigFile(), Map.of());
  }

  @AfterAll
  static void stop() {
    for (Connection c : fillers) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    if (app != null) app.close();
    if (client != null) client.close();
    if (postgres != null) postgres.close();
    if (controlPlane != null) controlPlane.close();
  }

  @Test
  void aLowerIsWrittenWhileTheProbeIsRefusedAndARaiseWaits() throws Exception {
    k8s.namespace(NS);
    k8s.secret(
        NS, "db", Map.of("DATABASE_URL", postgres.url("app", "pw-saturated-canary", "postgres")));
    k8s.deployment(NS, "web", "web-connection");
    k8s.create(policy("web", 3));
    await().until(() -> limit() == 3);

    // Fill every slot a non-superuser may take, the probe's own pooled session included.
    // A probe may reconnect between the termination and the fill, and a connection still logging
    // in holds a slot before pg_stat_activity shows it: repeat until, with the server full, no
    // probe session has been left for two seconds (from then on every new one is refused).
    fill();
    await()
        .during(Duration.ofSeconds(2))
        .until(
            () -> {
              // With a timeout, pg_terminate_backend waits until the session is gone: the slot
              // is free before fill() runs, not just after it gave up.
              postgres.execute(
                  "select pg_terminate_backend(pid, 5000) from pg_stat_activity where"
                      + " application_name"
                      + " = "
                      + LocalPostgres.quoteLiteral(ProbePools.APPLICATION_NAME));
              fill();
              return probeSessions() == 0;
            });

    long lowered = setMax(1);
    await()
        .alias("the lower reconciled with the probe refused")
        .conditionEvaluationListener(
            e -> {
              if (e.getRemainingTimeInMS() < 300) {
                System.out.println(
                    "status: " + io.fabric8.kubernetes.client.utils.Serialization.asYaml(status()));
              }
            })
        .until(
            () -> {
              PolicyStatus s = status();
              return s.getObservedGeneration() != null
                  && s.getObservedGeneration() >= lowered
                  && s.getLastProbe() != null
                  && REFUSED.contains(s.getLastProbe().getResult());
            });
    await().until(() -> limit() == 1);
    assertThat(k8s.secretValue(NS, "web-connection", "DATABASE_URL").orElse(""))
        .contains("connection_limit=1");
    // It says what happened: the server is full, the limit is kept (or lowered), how to make room.
    assertThat(k8s.condition(NS, "web", "ConnectionVerified").orElseThrow().getMessage())
        .contains("the server is full")
        .contains("kept at 1 per pod")
        .contains("max_connections")
        .doesNotContain("probe mode Observe");

    long raised = setMax(4);
    await()
        .until(
            () -> {
              PolicyStatus s = status();
              return s.getObservedGeneration() != null && s.getObservedGeneration() >= raised;
            });
    assertThat(status().getLastProbe().getResult()).isIn(REFUSED);
    assertThat(limit()).as("no raise while the server refuses connections").isEqualTo(1);
  }

  private static int probeSessions() throws SQLException {
    try (Connection c = postgres.superuserConnection();
        var rs =
            c.createStatement()
                .executeQuery(
                    "select count(*) from pg_stat_activity where application_name = "
                        + LocalPostgres.quoteLiteral(ProbePools.APPLICATION_NAME))) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Opens sessions as the application's role until the server refuses one. */
  private static void fill() {
    for (int i = 0; i < 50; i++) {
      try {
        fillers.add(
            DriverManager.getConnection(
                postgres.jdbcUrl("postgres"), "app", "pw-saturated-canary"));
      } catch (SQLException e) {
        assertThat(e.getSQLState()).isEqualTo("53300");
        return;
      }
    }
    throw new AssertionError("the server never refused a session");
  }

  private static long setMax(int max) {
    return client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .withName("web")
        .edit(
            p -> {
              p.getSpec().getPool().getAuto().setMax(max);
              return p;
            })
        .getMetadata()
        .getGeneration();
  }

  private static int limit() {
    PolicyStatus s = status();
    return s == null || s.getPool() == null || s.getPool().getConnectionLimit() == null
        ? -1
        : s.getPool().getConnectionLimit();
  }

  private static PolicyStatus status() {
    PostgresConnectionPolicy policy = k8s.policy(NS, "web");
    return policy == null ? null : policy.getStatus();
  }

  private static org.awaitility.core.ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200));
  }

  private static PostgresConnectionPolicy policy(String name, int max) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("db", "DATABASE_URL"));
    spec.getPool().setSslMode("disable");
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(0);
    auto.setMin(1);
    auto.setMax(max);
    spec.getPool().setAuto(auto);
    spec.getProbe().setInterval("1h");
    spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
    spec.getWorkloads().setSettleSeconds(0);
    policy.setSpec(spec);
    return policy;
  }
}
