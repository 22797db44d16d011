package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.Policies;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's done-when for the connection ledger, on a real node: the chart's operator, two
 * policies of one role on one PostgreSQL, each allotting its one-pod demo app (Go, pgx) 3
 * connections; one app is deliberately greedy (GREED=2: its pod opens twice its pool limit, 6).
 * Once PostgreSQL holds the greedy pod's sessions, the ledger names it (status.server.consumers, a
 * ConsumerOverAllotment Warning on its policy) within one probe interval; the steady app is not
 * flagged. Opt-in: {@code mvn -pl operator -Preal-node verify -Dit.test=LedgerRealNodeIT}.
 */
@Tag("real-node")
class LedgerRealNodeIT {

  private static final String PASSWORD = "canary-Ledger-7e21";
  private static final String NS = "ledger";
  private static final String ROLE = "ledger_app";
  private static final int LIMIT = 3;
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  @TempDir static Path scratch;
  private static ChartOnRealNode env;
  private static KubernetesClient admin;
  private static ClusterFixtures k8s;

  @BeforeAll
  static void installTheChart() {
    env = ChartOnRealNode.install(scratch, 1);
    admin = env.admin();
    k8s = env.k8s();
  }

  @AfterAll
  static void stop() {
    if (env != null) env.close();
  }

  @Test
  void theLedgerNamesAGreedyPodWithinOneProbeInterval() {
    env.awaitOperatorsReady(1);
    env.pg().createRole(ROLE, PASSWORD, null);
    env.pg().createDatabase("ledger", ROLE, null);
    k8s.namespace(NS);
    k8s.secret(
        NS,
        "db",
        Map.of(
            "DATABASE_URL",
            "postgresql://" + ROLE + ":" + PASSWORD + "@" + env.pgAddress() + "/ledger"));
    env.apply(AppDeployments.demoApp(NS, "steady", 1, "steady-connection"));
    env.apply(AppDeployments.greedyDemoApp(NS, "greedy", 1, "greedy-connection", 2));
    k8s.create(policy("steady"));
    k8s.create(policy("greedy"));

    long t0 = System.nanoTime();
    Instant held;
    Instant named;
    try {
      // The pods run their final content (one pod each, no rollout left) and PostgreSQL holds
      // what each opened: 3 for the steady one, 6 for the greedy one.
      await("both apps Ready, PostgreSQL holding 3 + 6 sessions")
          .atMost(ChartOnRealNode.READY)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  settled("steady")
                      && settled("greedy")
                      && sessions("steady") == LIMIT
                      && sessions("greedy") == 2 * LIMIT);
      held = Instant.now();
      env.time("both demo apps Ready, greedy holding twice its allotment", t0);
      await("the ledger names the greedy app")
          .atMost(INTERVAL.plusSeconds(5))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> consumers("greedy").stream().anyMatch(LedgerRealNodeIT::greedyOver));
      named = Instant.now();
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\ngreedy status: "
              + Serialization.asYaml(k8s.policy(NS, "greedy").getStatus())
              + "\npods: "
              + env.podsSummary(NS)
              + "\n--- app logs\n"
              + env.podLogs(NS)
              + "\n--- operator log\n"
              + env.operatorLogs(),
          e);
    }
    Duration took = Duration.between(held, named);
    env.record("ledger names the greedy pod after PostgreSQL holds its sessions", took.toMillis());
    System.err.println("LedgerRealNodeIT: greedy pod named after " + took.toMillis() + " ms");
    // A probe every INTERVAL, then one reconcile: a second of slack for the reconcile and polling.
    assertTrue(
        took.compareTo(INTERVAL.plusSeconds(1)) <= 0,
        "named within one probe interval (" + INTERVAL + "): " + took);

    // Its own policy shows it first (counts as first seen over: while the same consumers stay
    // over, counts wait for the hourly refresh), with one Warning naming it.
    assertTrue(greedyOver(consumers("greedy").get(0)), consumers("greedy").toString());
    await("one ConsumerOverAllotment event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ledgerEvents().size() == 1);
    Event event = ledgerEvents().get(0);
    assertEquals("greedy", event.getInvolvedObject().getName());
    assertEquals("Warning", event.getType());
    assertTrue(
        event
            .getMessage()
            .matches(
                "application_name \"greedy\" with role \""
                    + ROLE
                    + "\" holds \\d+ connections, allotted \\d+ .*"),
        event.getMessage());
    await("the steady policy's ledger names the greedy app too")
        .atMost(INTERVAL.plusSeconds(5))
        .until(() -> consumers("steady").stream().anyMatch(LedgerRealNodeIT::greedyOver));
    ConsumerStatus steady = consumers("steady").get(0);
    assertEquals("steady", steady.applicationName());
    assertEquals("Within", steady.standing(), "the steady app: " + steady);

    // No password in status, events or the operator's log.
    String statuses =
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems().stream()
            .map(Serialization::asJson)
            .reduce("", String::concat);
    String events =
        admin.v1().events().inNamespace(NS).list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", String::concat);
    for (String text : List.of(statuses, events, env.operatorLogs(), env.podLogs(NS))) {
      assertFalse(text.contains(PASSWORD), "a password leaked");
    }
  }

  /** The greedy app's line, over its allotment: more held than allotted, at least its 3 x 2. */
  private static boolean greedyOver(ConsumerStatus c) {
    return "greedy".equals(c.applicationName())
        && ROLE.equals(c.role())
        && "OverAllotment".equals(c.standing())
        && c.held() >= 2 * LIMIT
        && c.held() > c.allotted();
  }

  private static PostgresConnectionPolicy policy(String name) {
    return Policies.policy(
        NS,
        name,
        "db",
        spec -> {
          spec.getTarget().setSecretName(name + "-connection");
          spec.getTarget()
              .setOutputs(List.of(new OutputSpec("DATABASE_URL", OutputFormatName.pgx, true)));
          spec.getPool().setConnectionLimit(LIMIT);
          spec.getPool().setSslMode("require");
          spec.getProbe().setInterval(INTERVAL.toSeconds() + "s");
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
          spec.getWorkloads().setSettleSeconds(0);
        });
  }

  /** The Deployment runs one Ready pod of its current template, and nothing else. */
  private static boolean settled(String name) {
    var d = admin.apps().deployments().inNamespace(NS).withName(name).get();
    if (d == null || d.getStatus() == null) return false;
    var s = d.getStatus();
    return k8s.ready(NS, name)
        && Integer.valueOf(1).equals(s.getUpdatedReplicas())
        && Integer.valueOf(1).equals(s.getReadyReplicas())
        && Integer.valueOf(1).equals(s.getReplicas());
  }

  private static int sessions(String applicationName) {
    try (java.sql.Connection c = env.pg().superuserConnection();
        java.sql.PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND application_name = ?")) {
      st.setString(1, ROLE);
      st.setString(2, applicationName);
      try (java.sql.ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<ConsumerStatus> consumers(String policy) {
    var status = k8s.policy(NS, policy).getStatus();
    return status == null || status.getServer() == null || status.getServer().getConsumers() == null
        ? List.of()
        : status.getServer().getConsumers();
  }

  private static List<Event> ledgerEvents() {
    return admin.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "ConsumerOverAllotment".equals(e.getReason()))
        .toList();
  }
}
