package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.url.ConnectionStringParser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Usage feedback on a real PostgreSQL 16 (max_connections 40, 3 reserved for superusers): two
 * one-pod policies share 36 slots (37 less the one probe connection their probes share). Sessions
 * are opened here as the policies' pods and as other clients would open them; probes are triggered
 * by touching the source Secret (interval 1h).
 *
 * <ul>
 *   <li>Sessions reporting a policy's application_name are its own, also when it defaults to a
 *       policy name longer than the 63 bytes the server keeps.
 *   <li>A burst of other clients seen by two probes shrinks nothing; sustained over the window it
 *       does; and once it ends, the first probe of either policy frees both.
 * </ul>
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = UnlistedUsageIT.MAX_CONNECTIONS,
    namespaces = {"team-a", "team-b"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnlistedUsageIT {

  static final int MAX_CONNECTIONS = 40;

  /**
   * A policy name longer than the 63 bytes PostgreSQL keeps of application_name, which defaults to
   * it. (A configured application_name the server would change is refused by the CRD.)
   */
  static final String CHECKOUT_POLICY =
      "checkout-orders-of-every-market-and-country-of-the-eu-main-system";

  static final int CHECKOUT = 18;
  static final int REPORTING = 18;

  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  final List<Connection> sessions = new ArrayList<>();

  UnlistedUsageIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  void twoSettledPolicies() {
    postgres.createRole("app", "pw-app-canary", null);
    for (String ns : List.of("team-a", "team-b")) {
      k8s.secret(
          ns, "db", Map.of("DATABASE_URL", postgres.url("app", "pw-app-canary", "postgres")));
    }
    k8s.create(policy("team-a", CHECKOUT_POLICY, null));
    k8s.create(policy("team-b", "reporting", null));
    // 36 slots between two one-pod policies of weight 1: 18 each.
    await(Duration.ofSeconds(60))
        .until(
            () ->
                k8s.ready("team-a", CHECKOUT_POLICY)
                    && k8s.ready("team-b", "reporting")
                    && limit("team-a", CHECKOUT_POLICY) == CHECKOUT
                    && limit("team-b", "reporting") == REPORTING);
  }

  @AfterEach
  void closeSessions() throws Exception {
    for (Connection c : sessions) c.close();
    sessions.clear();
  }

  @Test
  @Order(1)
  void aPolicysOwnSessionsNeverCountAsForeignWhateverItsName() throws Exception {
    // What checkout's pod does with its pool: 12 sessions under the application_name of the URL
    // the operator wrote, the policy's name cut to what the server keeps of it.
    String written =
        ConnectionStringParser.parse(
                k8s.secretValue("team-a", CHECKOUT_POLICY + "-connection", "DATABASE_URL")
                    .orElseThrow())
            .parameters()
            .get("application_name");
    assertThat(written).isEqualTo(CHECKOUT_POLICY.substring(0, 63));
    open(12, written);
    // Three probes at least one usage slot apart: enough to count anything sustained.
    for (int probe = 0; probe < 3; probe++) {
      probeAndWait("team-a", CHECKOUT_POLICY);
      probeAndWait("team-b", "reporting");
      if (probe < 2) pause(UsageWindow.SLOT_MILLIS + 1000);
    }
    assertThat(limit("team-a", CHECKOUT_POLICY)).isEqualTo(CHECKOUT);
    assertThat(limit("team-b", "reporting")).isEqualTo(REPORTING);
    assertThat(k8s.status("team-a", CHECKOUT_POLICY).getPool().getExplanation())
        .doesNotContain("unlisted");
  }

  @Test
  @Order(2)
  void aBurstOfOtherClientsShrinksNothingAndItsEndFreesEveryPoolAtTheNextProbe() throws Exception {
    open(30, "psql-filler");
    // Seen by two probes in one slot: a burst, not sustained usage.
    probeAndWait("team-a", CHECKOUT_POLICY);
    probeAndWait("team-b", "reporting");
    assertThat(limit("team-a", CHECKOUT_POLICY)).isEqualTo(CHECKOUT);
    assertThat(k8s.ready("team-a", CHECKOUT_POLICY)).isTrue();

    // Sustained over the window: 36 - 30 = 6 slots cannot give two pods their min of 5.
    for (int slot = 0; slot < 2; slot++) {
      pause(UsageWindow.SLOT_MILLIS + 1000);
      probeAndWait("team-b", "reporting");
    }
    await(Duration.ofSeconds(30))
        .until(
            () ->
                "InsufficientConnections"
                    .equals(readyCondition("team-a", CHECKOUT_POLICY).getReason()));
    Condition short_ = readyCondition("team-a", CHECKOUT_POLICY);
    assertThat(short_.getStatus()).isEqualTo("False");
    assertThat(short_.getMessage())
        .startsWith("BudgetSatisfied=False: ")
        .contains("30 used by unlisted clients");

    // The burst ends; only reporting probes. Checkout is freed without a probe of its own.
    closeSessions();
    Instant released = Instant.now();
    k8s.touchSecret("team-b", "db");
    await(Duration.ofSeconds(30))
        .until(
            () ->
                k8s.ready("team-a", CHECKOUT_POLICY)
                    && k8s.ready("team-b", "reporting")
                    && limit("team-a", CHECKOUT_POLICY) == CHECKOUT);
    System.out.printf(
        "checkout Ready again %d ms after the fillers were released%n",
        Duration.between(released, Instant.now()).toMillis());
  }

  // ---------------------------------------------------------------------------------------------

  void open(int n, String applicationName) throws Exception {
    for (int i = 0; i < n; i++) {
      Properties props = new Properties();
      props.setProperty("user", LocalPostgres.SUPERUSER);
      props.setProperty("password", postgres.superuserPassword());
      props.setProperty("ApplicationName", applicationName);
      sessions.add(DriverManager.getConnection(postgres.jdbcUrl("postgres"), props));
    }
  }

  /** Touches the source Secret and waits until the policy has reconciled (and probed) since. */
  void probeAndWait(String ns, String name) {
    k8s.touchSecret(ns, "db");
    String touched =
        client.secrets().inNamespace(ns).withName("db").get().getMetadata().getResourceVersion();
    await(Duration.ofSeconds(30))
        .until(() -> touched.equals(k8s.status(ns, name).getObservedSourceVersion()));
  }

  /** Lets wall-clock time pass so that the next probe falls into a new usage slot. */
  static void pause(long millis) {
    Instant until = Instant.now().plusMillis(millis);
    Awaitility.await()
        .atMost(Duration.ofMillis(millis + 5000))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> Instant.now().isAfter(until));
  }

  static org.awaitility.core.ConditionFactory await(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200));
  }

  Condition readyCondition(String ns, String name) {
    return k8s.condition(ns, name, "Ready").orElse(new Condition());
  }

  int limit(String ns, String name) {
    PolicyStatus s = k8s.status(ns, name);
    return s == null || s.getPool() == null ? -1 : s.getPool().getConnectionLimit();
  }

  static PostgresConnectionPolicy policy(String ns, String name, String applicationName) {
    return Policies.policy(
        ns,
        name,
        "db",
        spec -> {
          spec.getPool().setSslMode("disable");
          spec.getPool().setApplicationName(applicationName);
          AutoPoolSpec auto = new AutoPoolSpec();
          auto.setMin(5);
          auto.setReserve(0);
          spec.getPool().setAuto(auto);
        });
  }
}
