package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The connection ledger on a real kube-apiserver and a real PostgreSQL 16: two policies of one role
 * on one server, each allotting its two-pod Deployment 3 connections per pod (6). A steady client
 * holds 4 of steady's 6 and is never flagged, and while counts stay as they are nothing is written;
 * a greedy client opens 12 sessions (twice its allotment) under greedy's application_name over
 * plain JDBC, and within one probe interval status, an event and the metrics name it, once.
 */
@OperatorEnvironment(logs = true, audit = Audit.WRITES, postgres = 16, maxConnections = 60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectionLedgerIT {

  static final String NS = "ledger";
  static final String ROLE = "ledger_app";
  static final String CANARY = "Ledger-Canary-Pa55@/%?é";
  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofSeconds(25);
  static final int PER_POD = 3;
  static final int ALLOTTED = PER_POD * 2;
  static final Set<String> WATCHED = Set.of("secrets", "postgresconnectionpolicies", "events");

  private final LogCapture logs;
  private final AuditLog audit;
  private final LocalPostgres postgres;
  private final OperatorApp app;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final List<Connection> sessions = new ArrayList<>();

  ConnectionLedgerIT(
      LogCapture logs,
      AuditLog audit,
      LocalPostgres postgres,
      OperatorApp app,
      KubernetesClient client,
      ClusterFixtures k8s) {
    this.logs = logs;
    this.audit = audit;
    this.postgres = postgres;
    this.app = app;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  void twoPoliciesOnOneServer() {
    postgres.createRole(ROLE, CANARY, null);
    k8s.namespace(NS);
    k8s.secret(NS, "db", Map.of("DATABASE_URL", postgres.url(ROLE, CANARY, "postgres")));
    for (String name : List.of("steady", "greedy")) {
      k8s.deployment(NS, name, name + "-connection");
      k8s.create(policy(name));
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              // No Deployment controller runs here: write what it would once the pods run.
              k8s.completeRollout(NS, "steady");
              k8s.completeRollout(NS, "greedy");
              return k8s.ready(NS, "steady")
                  && k8s.ready(NS, "greedy")
                  && "True"
                      .equals(
                          k8s.condition(NS, "steady", "WorkloadsUpToDate")
                              .map(c -> c.getStatus())
                              .orElse(""))
                  && "True"
                      .equals(
                          k8s.condition(NS, "greedy", "WorkloadsUpToDate")
                              .map(c -> c.getStatus())
                              .orElse(""));
            });
  }

  @AfterAll
  void closeSessions() throws Exception {
    for (Connection c : sessions) c.close();
  }

  @Test
  @Order(1)
  void eachPolicyShowsItsOwnConsumerWithItsAllotment() {
    assertThat(consumers("steady"))
        .first()
        .isEqualTo(new ConsumerStatus("steady", ROLE, 0, ALLOTTED, "Within"));
    assertThat(consumers("greedy"))
        .first()
        .isEqualTo(new ConsumerStatus("greedy", ROLE, 0, ALLOTTED, "Within"));
  }

  @Test
  @Order(2)
  void aSteadyClientWithinItsAllotmentIsNotFlaggedAndNothingIsWrittenAtRest() throws Exception {
    open(4, "steady");
    // Probes see the 4 sessions (the metrics follow every probe) ...
    await()
        .atMost(INTERVAL.multipliedBy(3))
        .until(() -> metric("held", "steady", "steady").equals("4.0"));
    // ... and counts that merely move (a fifth session comes and goes) wait for the hourly
    // refresh, as inUse does: no write.
    int before = writes().size();
    open(1, "steady");
    await()
        .atMost(INTERVAL.multipliedBy(3))
        .until(() -> metric("held", "steady", "steady").equals("5.0"));
    sessions.remove(sessions.size() - 1).close();
    await()
        .atMost(INTERVAL.multipliedBy(3))
        .until(() -> metric("held", "steady", "steady").equals("4.0"));
    try {
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> writes().size() == before);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The assertion below names the writes.
    }
    List<AuditLog.Request> all = writes();
    assertThat(all.subList(before, all.size())).as("writes at rest").isEmpty();
    assertThat(consumers("steady")).noneMatch(ConsumerStatus::overAllotted);
    assertThat(ledgerEvents()).isEmpty();
  }

  @Test
  @Order(3)
  void aGreedyClientIsNamedWithinOneProbeIntervalOnce() throws Exception {
    Instant opened = Instant.now();
    open(2 * ALLOTTED, "greedy");
    ConsumerStatus greedy =
        new ConsumerStatus("greedy", ROLE, 2 * ALLOTTED, ALLOTTED, "OverAllotment");
    await()
        .atMost(INTERVAL.plusSeconds(3))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> consumers("greedy").contains(greedy));
    Duration took = Duration.between(opened, Instant.now());
    System.err.println("greedy client named in status after " + took.toMillis() + " ms");

    // Its own status shows it first; the peer's names it too, and its own client stays within.
    assertThat(consumers("greedy").get(0)).isEqualTo(greedy);
    await().atMost(INTERVAL.plusSeconds(3)).until(() -> consumers("steady").contains(greedy));
    assertThat(consumers("steady").get(0))
        .isEqualTo(new ConsumerStatus("steady", ROLE, 4, ALLOTTED, "Within"));

    // One Warning on the greedy policy, naming application_name, role, held and allotted.
    await().atMost(Duration.ofSeconds(5)).until(() -> ledgerEvents().size() == 1);
    Event event = ledgerEvents().get(0);
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getInvolvedObject().getName()).isEqualTo("greedy");
    assertThat(event.getMessage())
        .contains("\"greedy\"", "\"" + ROLE + "\"", "holds 12 connections", "allotted 6");

    // The metrics name it with both figures.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> metric("held", "greedy", "greedy").equals("12.0"));
    assertThat(metric("allotted", "greedy", "greedy")).isEqualTo("6.0");

    // Staying greedy is no news: no second event, no status write while the counts hold.
    int before = writes().size();
    try {
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> writes().size() == before);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Named below.
    }
    List<AuditLog.Request> all = writes();
    assertThat(all.subList(before, all.size())).as("writes while greedy stays greedy").isEmpty();
    assertThat(ledgerEvents()).hasSize(1);
  }

  @Test
  @Order(4)
  void whenItLetsGoStatusSaysSoAtOnce() throws Exception {
    for (Connection c : sessions.subList(4, sessions.size())) c.close();
    sessions.subList(4, sessions.size()).clear();
    await()
        .atMost(INTERVAL.plusSeconds(3))
        .until(
            () ->
                consumers("greedy").stream().noneMatch(ConsumerStatus::overAllotted)
                    && consumers("steady").stream().noneMatch(ConsumerStatus::overAllotted));
  }

  @Test
  @Order(100)
  void noPasswordInStatusEventsMetricsOrLogs() {
    String statuses =
        client.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems().stream()
            .map(Serialization::asJson)
            .reduce("", String::concat);
    String events =
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", (a, b) -> a + "\n" + b);
    assertThat(events).contains("ConsumerOverAllotment");
    String metrics = metricsPage();
    assertThat(metrics).contains("pgconn_consumer_connections_held");
    for (String secret : List.of(CANARY, LocalPostgres.percentEncode(CANARY))) {
      assertThat(statuses).doesNotContain(secret);
      assertThat(events).doesNotContain(secret);
      assertThat(metrics).doesNotContain(secret);
      assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }
  }

  private PostgresConnectionPolicy policy(String name) {
    return Policies.policy(
        NS,
        name,
        "db",
        spec -> {
          spec.getProbe().setInterval(INTERVAL.toSeconds() + "s");
          spec.getPool().setConnectionLimit(PER_POD);
          spec.getPool().setSslMode("disable");
          spec.getTarget().setSecretName(name + "-connection");
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
          spec.getWorkloads().setSettleSeconds(0);
        });
  }

  /** What a pod's pool does: sessions over plain JDBC under the policy's application_name. */
  private void open(int n, String applicationName) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", ROLE);
    props.setProperty("password", CANARY);
    props.setProperty("ApplicationName", applicationName);
    for (int i = 0; i < n; i++) {
      sessions.add(DriverManager.getConnection(postgres.jdbcUrl("postgres"), props));
    }
  }

  private List<ConsumerStatus> consumers(String policy) {
    var status = k8s.status(NS, policy);
    return status == null || status.getServer() == null || status.getServer().getConsumers() == null
        ? List.of()
        : status.getServer().getConsumers();
  }

  private List<Event> ledgerEvents() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "ConsumerOverAllotment".equals(e.getReason()))
        .toList();
  }

  private List<AuditLog.Request> writes() {
    return audit.requests().stream()
        .filter(r -> NS.equals(r.namespace()) && WATCHED.contains(r.resource()))
        .toList();
  }

  /** The value of pgconn_consumer_connections_{what} for a consumer of a policy, or "". */
  private String metric(String what, String policy, String applicationName) {
    String prefix = "pgconn_consumer_connections_" + what + "{";
    return metricsPage()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .filter(l -> l.contains("policy=\"" + policy + "\""))
        .filter(l -> l.contains("application_name=\"" + applicationName + "\""))
        .filter(l -> l.contains("role=\"" + ROLE + "\""))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst()
        .orElse("");
  }

  private String metricsPage() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(app.metricsUrl() + "/prometheus")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
