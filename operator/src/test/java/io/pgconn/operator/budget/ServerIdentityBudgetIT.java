package io.pgconn.operator.budget;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A tenant cannot take another team's budget (max_connections 40, 3 reserved, no reserves, one pod
 * per policy): a server is one budget however its host is spelled, because it is identified by what
 * it reports about itself; and a policy whose probe never logged in (probe mode Off, a wrong
 * password, a made-up host) takes nothing from verified policies, whatever it asks for.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = ServerIdentityBudgetIT.MAX_CONNECTIONS,
    namespaces = {"team-a", "team-b", "team-c", "tenant"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerIdentityBudgetIT {

  static final int MAX_CONNECTIONS = 40;
  static final int USABLE = MAX_CONNECTIONS - 3;

  private final LocalPostgres postgres;
  private final ClusterFixtures k8s;

  ServerIdentityBudgetIT(LocalPostgres postgres, ClusterFixtures k8s) {
    this.postgres = postgres;
    this.k8s = k8s;
  }

  @BeforeAll
  void roleAndSources() {
    postgres.createRole("app", "pw-identity-canary", null);
    String url = postgres.url("app", "pw-identity-canary", "postgres");
    String viaLocalhost = url.replace("@" + LocalPostgres.HOST + ":", "@localhost:");
    assertThat(viaLocalhost).isNotEqualTo(url);
    k8s.secret("team-a", "db", Map.of("DATABASE_URL", viaLocalhost));
    k8s.secret("team-b", "db", Map.of("DATABASE_URL", url));
    k8s.secret("team-c", "db", Map.of("DATABASE_URL", url));
    k8s.secret(
        "tenant",
        "wrong-password",
        Map.of("DATABASE_URL", postgres.url("app", "not-the-password", "postgres")));
    k8s.secret(
        "tenant",
        "made-up-host",
        Map.of(
            "DATABASE_URL",
            url.replace("@" + LocalPostgres.HOST + ":", "@no-such-database.invalid:")));
    k8s.secret("tenant", "same-server", Map.of("DATABASE_URL", url));
  }

  @Test
  @Order(1)
  void twoSpellingsOfOneServerShareOneBudget() {
    // A max of 10 leaves room on the server for the next test's policy: a running policy keeps
    // what it holds, and a newcomer gets only what is free.
    k8s.create(
        policy("team-a", "via-localhost", "db", spec -> spec.getPool().getAuto().setMax(10)));
    k8s.create(policy("team-b", "via-loopback", "db", spec -> spec.getPool().getAuto().setMax(10)));
    await()
        .until(
            () ->
                k8s.ready("team-a", "via-localhost")
                    && k8s.ready("team-b", "via-loopback")
                    && settled("team-a", "via-localhost")
                    && settled("team-b", "via-loopback"));
    int a = limit("team-a", "via-localhost");
    int b = limit("team-b", "via-loopback");
    System.out.printf(
        "via localhost %d, via 127.0.0.1 %d: %s%n",
        a, b, k8s.status("team-a", "via-localhost").getPool().getExplanation());
    // Counted as two policies on one server: each explanation says so, and together they fit in
    // 37 (less the operator's own probe connections, one per spelling here).
    assertThat(a + b).as("localhost %d + 127.0.0.1 %d", a, b).isLessThanOrEqualTo(USABLE);
    assertThat(k8s.status("team-a", "via-localhost").getPool().getExplanation())
        .contains("shared with 1 other policy");
  }

  @Test
  @Order(2)
  void policiesWhoseProbeNeverLoggedInTakeNothingFromVerifiedOnes() {
    k8s.create(policy("team-c", "steady", "db", spec -> {}));
    await().until(() -> k8s.ready("team-c", "steady") && settled("team-c", "steady"));
    int before = probedLimit("team-c", "steady");

    k8s.create(
        policy(
            "tenant",
            "probe-off",
            "same-server",
            spec -> {
              spec.getProbe().setMode(ProbeMode.Off);
              spec.getPool().setAuto(null);
              spec.getPool().setConnectionLimit(1000);
            }));
    k8s.create(
        policy(
            "tenant",
            "wrong-password",
            "wrong-password",
            spec -> {
              spec.getProbe().setMode(ProbeMode.Observe);
              spec.getPool().setAuto(null);
              spec.getPool().setConnectionLimit(1000);
            }));
    k8s.create(
        policy(
            "tenant",
            "made-up-host",
            "made-up-host",
            spec -> {
              spec.getProbe().setMode(ProbeMode.Observe);
              spec.getPool().setAuto(null);
              spec.getPool().setConnectionLimit(1000);
            }));
    for (String name : List.of("probe-off", "wrong-password", "made-up-host")) {
      await()
          .until(
              () -> {
                PolicyStatus s = k8s.status("tenant", name);
                return s != null
                    && s.getPool() != null
                    && Integer.valueOf(1000).equals(s.getPool().getConnectionLimit());
              });
    }

    assertThat(probedLimit("team-c", "steady")).isEqualTo(before);
    assertThat(k8s.ready("team-c", "steady")).isTrue();
    assertThat(k8s.status("team-c", "steady").getPool().getExplanation())
        .doesNotContain("fixed pools");
    for (String name : List.of("probe-off", "wrong-password", "made-up-host")) {
      Condition budget = k8s.condition("tenant", name, "BudgetSatisfied").orElseThrow();
      assertThat(budget.getStatus()).as(name).isEqualTo("Unknown");
      assertThat(budget.getReason()).as(name).isEqualTo("NotBudgeted");
      assertThat(budget.getMessage()).as(name).contains("not counted in any server's budget");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** No raise is waiting for peers: the limit is where the budget puts it. */
  private boolean settled(String ns, String name) {
    PolicyStatus s = k8s.status(ns, name);
    return s != null
        && s.getPool() != null
        && s.getPool().getExplanation() != null
        && !s.getPool().getExplanation().contains("until peers have rolled");
  }

  /** The limit after a fresh probe and reconcile of the policy. */
  private int probedLimit(String ns, String name) {
    k8s.touchSecret(ns, "db");
    String touched = k8s.resourceVersion(ns, "db");
    await().until(() -> touched.equals(k8s.status(ns, name).getObservedSourceVersion()));
    return limit(ns, name);
  }

  private int limit(String ns, String name) {
    return k8s.status(ns, name).getPool().getConnectionLimit();
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, String secret, Consumer<PolicySpec> customize) {
    return Policies.policy(
        ns,
        name,
        secret,
        spec -> {
          spec.getPool().setSslMode("disable");
          AutoPoolSpec auto = new AutoPoolSpec();
          auto.setReserve(0);
          auto.setMax(1000);
          spec.getPool().setAuto(auto);
          customize.accept(spec);
        });
  }
}
