package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.probe.ProbePools;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A saturated server (every slot taken: the probe itself is refused with 53300) must still let a
 * policy lower its limit, since lowering is how slots come back; a raise waits for a probe that
 * succeeds. Probe mode is the default, Enforce.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = 14,
    namespaces = SaturatedServerIT.NS)
class SaturatedServerIT {

  static final String NS = "saturated";

  /** 53300 as the probe classifies it: no slot at all, or only superusers' slots left. */
  static final Set<String> REFUSED = Set.of("TooManyConnections", "ReservedSlotsOnly");

  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  /** The sessions that fill the server; closed once the operator has stopped. */
  private final List<Connection> fillers = new ArrayList<>();

  SaturatedServerIT(
      LocalPostgres postgres,
      KubernetesClient client,
      ClusterFixtures k8s,
      OperatorEnvironment.Handle environment) {
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
    environment.closeAfterOperator(this::closeFillers);
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole("app", "pw-saturated-canary", null);
  }

  @Test
  void aLowerIsWrittenWhileTheProbeIsRefusedAndARaiseWaits() throws Exception {
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
                System.out.println("status: " + Serialization.asYaml(status()));
              }
            })
        .until(
            () -> {
              PolicyStatus s = status();
              return s.getObservedGeneration() != null
                  && s.getObservedGeneration() >= lowered
                  && s.getLastProbe() != null
                  && REFUSED.contains(s.getLastProbe().result());
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
    assertThat(status().getLastProbe().result()).isIn(REFUSED);
    assertThat(limit()).as("no raise while the server refuses connections").isEqualTo(1);
  }

  private void closeFillers() {
    for (Connection c : fillers) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }

  private int probeSessions() throws SQLException {
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
  private void fill() {
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

  private long setMax(int max) {
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

  private int limit() {
    PolicyStatus s = status();
    return s == null || s.getPool() == null || s.getPool().getConnectionLimit() == null
        ? -1
        : s.getPool().getConnectionLimit();
  }

  private PolicyStatus status() {
    return k8s.status(NS, "web");
  }

  private static PostgresConnectionPolicy policy(String name, int max) {
    return Policies.autoSizedForDeployment(
        NS,
        name,
        "db",
        spec -> {
          spec.getPool().getAuto().setMin(1);
          spec.getPool().getAuto().setMax(max);
        });
  }
}
