package io.pgconn.operator.budget;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.rollout.PodTemplateStamps;
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
 * Three policies in two namespaces share one real PostgreSQL (max_connections 32): their limits fit
 * together, an HPA's bounds move everyone's share, scaling inside the bounds moves nothing, and a
 * role limit too small for the pods is reported with the numbers.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = SharedBudgetIT.MAX_CONNECTIONS,
    namespaces = {"team-a", "team-b"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedBudgetIT {

  /** Namespace and name of each policy, each also naming its Deployment. */
  private static final List<String[]> POLICIES =
      List.of(
          new String[] {"team-a", "checkout"},
          new String[] {"team-a", "worker"},
          new String[] {"team-b", "reporting"});

  static final int MAX_CONNECTIONS = 32;
  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  SharedBudgetIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  void rolesAndSources() {
    postgres.createRole("team_a", "pw-team-a", null);
    postgres.createRole("team_b", "pw-team-b", null);
    k8s.secret(
        "team-a", "db", Map.of("DATABASE_URL", postgres.url("team_a", "pw-team-a", "postgres")));
    k8s.secret(
        "team-b", "db", Map.of("DATABASE_URL", postgres.url("team_b", "pw-team-b", "postgres")));
  }

  @Test
  @Order(1)
  void threePoliciesOnOneServerGetLimitsThatFitTogether() {
    k8s.deployment("team-a", "checkout", "checkout-connection"); // 2 replicas + 1 surge
    k8s.deployment("team-a", "worker", "worker-connection"); // 2 replicas + 1 surge
    k8s.deployment("team-b", "reporting", "reporting-connection"); // 2 replicas, HPA max 4
    hpa("team-b", "reporting", 4);
    k8s.create(policy("team-a", "checkout", spec -> spec.getPool().setAuto(auto(2))));
    k8s.create(policy("team-a", "worker", spec -> spec.getPool().setConnectionLimit(2)));
    // Applied together, they are sized together: a policy that came later would get only what
    // the running ones leave free (AdmissionIT).
    k8s.create(policy("team-b", "reporting", spec -> spec.getPool().setAuto(auto(1))));

    await().until(() -> rolledOut() && settled() && allReady() && fitsTogether());
    assertThat(k8s.status("team-b", "reporting").getPool().getConsumers()).isEqualTo(4 + 1);
    assertThat(k8s.status("team-a", "worker").getPool().getConnectionLimit()).isEqualTo(2);
    // Weight 2 against weight 1 with the same pods: checkout gets at least reporting's share.
    assertThat(k8s.status("team-a", "checkout").getPool().getConnectionLimit())
        .isGreaterThanOrEqualTo(k8s.status("team-b", "reporting").getPool().getConnectionLimit());
  }

  @Test
  @Order(2)
  void raisingAnHpasMaximumMovesEveryShareOnTheServer() {
    int checkoutBefore = k8s.status("team-a", "checkout").getPool().getConnectionLimit();
    hpa("team-b", "reporting", 8);
    k8s.touchSecret(
        "team-b", "db"); // HPAs are not watched: the next reconcile (here: a Secret change) sees it
    await().until(() -> k8s.status("team-b", "reporting").getPool().getConsumers() == 8 + 2);
    try {
      await()
          .until(
              () ->
                  rolledOut()
                      && settled()
                      && allReady()
                      && fitsTogether()
                      && k8s.status("team-a", "checkout").getPool().getConnectionLimit()
                          < checkoutBefore);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the pools did not settle:" + pools(), e);
    }
  }

  @Test
  @Order(3)
  void scalingInsideTheHpaBoundsChangesNothing() {
    PolicyStatus before = k8s.status("team-b", "reporting");
    String stamped = stamp("team-b", "reporting");
    client.apps().deployments().inNamespace("team-b").withName("reporting").scale(5);
    k8s.touchSecret("team-b", "db");
    String touched = k8s.resourceVersion("team-b", "db");
    await()
        .until(() -> touched.equals(k8s.status("team-b", "reporting").getObservedSourceVersion()));
    assertThat(k8s.status("team-b", "reporting").getPool().getConnectionLimit())
        .isEqualTo(before.getPool().getConnectionLimit());
    assertThat(k8s.status("team-b", "reporting").getSecret().getContentHash())
        .isEqualTo(before.getSecret().getContentHash());
    assertThat(stamp("team-b", "reporting")).isEqualTo(stamped);
  }

  @Test
  @Order(4)
  void clientsNoPolicyListsTakeFromTheSharedBudgetBeyondTheReserve() throws Exception {
    // 22 of 23 = 32 - 3 reserved - 5 reserve (one for the server, however many policies) - 1 probe
    // connection (both roles' probes take turns on it): worker 3 pods x 2, checkout 3 pods x 2
    // (weight 2), reporting 10 pods x 1; the 23rd slot is no step of 3 or 10 pods. 8 ad-hoc
    // sessions are 3 more than the reserve keeps free.
    assertThat(used()).isEqualTo(22);
    assertThat(k8s.status("team-a", "checkout").getPool().getConnectionLimit()).isEqualTo(2);
    List<java.sql.Connection> adhoc = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", postgres.superuserPassword());
        props.setProperty("ApplicationName", "psql-adhoc");
        adhoc.add(java.sql.DriverManager.getConnection(postgres.jdbcUrl("postgres"), props));
      }
      // Unlisted usage counts once every slot of the usage window saw it: probe across it.
      for (int slot = 0; slot < UsageWindow.SLOTS; slot++) {
        if (slot > 0) pause(UsageWindow.SLOT_MILLIS + 1000);
        k8s.touchSecret("team-a", "db");
        String touched = k8s.resourceVersion("team-a", "db");
        await()
            .until(
                () -> touched.equals(k8s.status("team-a", "checkout").getObservedSourceVersion()));
      }
      await().until(() -> k8s.status("team-a", "checkout").getPool().getConnectionLimit() == 1);
      await().until(() -> rolledOut() && settled() && allReady() && used() <= 22 - 3);
      assertThat(k8s.status("team-a", "checkout").getPool().getExplanation())
          .contains("3 used by unlisted clients");
    } finally {
      for (java.sql.Connection c : adhoc) c.close();
    }
  }

  @Test
  @Order(5)
  void aRoleLimitTooSmallForThePodsIsReportedWithTheNumbers() {
    postgres.execute("ALTER ROLE team_b CONNECTION LIMIT 8");
    k8s.touchSecret("team-b", "db");
    await()
        .until(
            () ->
                k8s.condition("team-b", "reporting", "BudgetSatisfied")
                    .filter(
                        c ->
                            "False".equals(c.getStatus())
                                && "InsufficientConnections".equals(c.getReason()))
                    .isPresent());
    String message =
        k8s.condition("team-b", "reporting", "BudgetSatisfied").orElseThrow().getMessage();
    assertThat(message).contains("10 pods").contains("fewer pods");
    assertThat(k8s.status("team-b", "reporting").getServer().getRoleConnectionLimit()).isEqualTo(8);
    assertThat(k8s.condition("team-b", "reporting", "Ready").orElseThrow().getReason())
        .isEqualTo("InsufficientConnections");
  }

  /** Lets wall-clock time pass so that the next probe falls into a new usage slot. */
  private static void pause(long millis) {
    java.time.Instant until = java.time.Instant.now().plusMillis(millis);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMillis(millis + 5000))
        .pollInterval(java.time.Duration.ofMillis(250))
        .until(() -> java.time.Instant.now().isAfter(until));
  }

  /**
   * Plays the Deployment controller, which this control plane does not run: completes every rollout
   * the operator started. A raise waits until peers that lower have rolled, so without this the
   * outcome would depend on which policy happened to be sized first.
   *
   * @return whether every rollout was complete already
   */
  private boolean rolledOut() {
    boolean complete = true;
    for (String[] d : POLICIES) {
      complete &= !k8s.completeRollout(d[0], d[1]);
    }
    return complete;
  }

  /** No policy holds a raise back while peers roll: every limit is its target. */
  private boolean settled() {
    for (String[] p : POLICIES) {
      PolicyStatus s = k8s.status(p[0], p[1]);
      if (s == null || s.getPool() == null || s.getPool().getExplanation() == null) return false;
      if (s.getPool().getExplanation().contains("until peers have rolled to lower limits")) {
        return false;
      }
    }
    return true;
  }

  private boolean fitsTogether() {
    // Server scope: Σ pods × limit ≤ max_connections - reserved (3) - the reserve (5, the largest
    // any policy asks for) - the operator's one probe connection (team_a's and team_b's probes
    // take turns on it).
    return used() <= MAX_CONNECTIONS - 3 - 5 - 1;
  }

  /** Every policy's pool explanation and Ready condition, for a test that times out. */
  private String pools() {
    StringBuilder out = new StringBuilder();
    for (String id : List.of("team-a/checkout", "team-a/worker", "team-b/reporting")) {
      String[] p = id.split("/");
      PolicyStatus s = k8s.status(p[0], p[1]);
      out.append("\n  ")
          .append(id)
          .append(": ")
          .append(s == null || s.getPool() == null ? "-" : s.getPool().getExplanation())
          .append(" | Ready ")
          .append(k8s.condition(p[0], p[1], "Ready").map(c -> c.getMessage()).orElse("-"));
    }
    return out.toString();
  }

  /** Σ pods × limit over the three policies; MAX_VALUE while one has no pool status yet. */
  private int used() {
    int used = 0;
    for (String[] p : POLICIES) {
      PolicyStatus s = k8s.status(p[0], p[1]);
      if (s == null || s.getPool() == null) return Integer.MAX_VALUE;
      used += s.getPool().getConsumers() * s.getPool().getConnectionLimit();
    }
    return used;
  }

  private boolean allReady() {
    return POLICIES.stream().allMatch(p -> k8s.ready(p[0], p[1]));
  }

  private String stamp(String ns, String name) {
    // Every restart stamp on the pod template, whichever policy wrote it.
    return PodTemplateStamps.of(k8s.getDeployment(ns, name).orElseThrow().getSpec().getTemplate())
        .byKey()
        .toString();
  }

  private void hpa(String ns, String deployment, int max) {
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .resource(
            new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName(deployment)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withMinReplicas(2)
                .withMaxReplicas(max)
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(deployment)
                .endScaleTargetRef()
                .endSpec()
                .build())
        .fieldManager("test")
        .forceConflicts()
        .serverSideApply();
  }

  private static AutoPoolSpec auto(int weight) {
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setWeight(weight);
    return auto;
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, Consumer<PolicySpec> customize) {
    return Policies.policy(
        ns,
        name,
        "db",
        spec -> {
          spec.getPool().setSslMode("disable");
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
          customize.accept(spec);
        });
  }
}
