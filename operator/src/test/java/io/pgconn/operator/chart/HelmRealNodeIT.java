package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.RealNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a platform team does first, on a real node: import the operator image built by Jib, {@code
 * helm install} the chart with two replicas, and watch. The operator pods must become Ready through
 * the chart's own probes, run with exactly the chart's ServiceAccount and RBAC (the audit log shows
 * no 401/403 for it), reach the real PostgreSQL from their pod, write the tuned Secret that a
 * Deployment scaled by an HPA, a StatefulSet and a DaemonSet read (their pods only start once it
 * exists), and roll all three onto a rotated password; the demo app (Go, pgx) connects at its limit
 * and rolls onto a rotated password. Then the replicas fail over: the leader pod deleted, another
 * replica takes over and rolls each workload once; the leader killed in the middle of a paced
 * rollout, the sequence finishes with one new ReplicaSet per Deployment. One cluster and one
 * install for all (it takes a minute and a half to build); the tests that delete operator pods run
 * last. Opt-in: {@code mvn -pl operator -Preal-node verify}.
 */
@Tag("real-node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmRealNodeIT {

  // Canaries: none may appear anywhere but in the Secrets.
  private static final String PASSWORD = "canary-Pw-1-3f9c";
  private static final String ROTATED = "canary-Pw-2-8d1e";
  private static final String THIRD = "canary-Pw-3-51ab";
  private static final String FOURTH = "canary-Pw-4-c07e";
  // Every rollout of the paced sequence takes at least this long (minReadySeconds).
  private static final int PACE_SECONDS = 6;

  @TempDir static Path scratch;
  private static ChartOnRealNode env;
  private static KubernetesClient admin;
  private static ClusterFixtures k8s;
  private static RealNodeShop shop;

  @BeforeAll
  static void installTheChartWithTwoReplicasOnARealNode() {
    env = ChartOnRealNode.install(scratch, 2);
    admin = env.admin();
    k8s = env.k8s();
    shop = new RealNodeShop(env);
  }

  @AfterAll
  static void stop() {
    if (env != null) env.close();
  }

  @Test
  @Order(1)
  void theChartsOperatorTunesAndRollsRealWorkloadsWithoutOneForbiddenRequest() {
    long t0 = System.nanoTime();
    List<Pod> operators = env.awaitOperatorsReady(2);
    env.time("2 operator pods Ready (after install)", t0);
    for (Pod operator : operators) {
      assertEquals("pgconn-operator", operator.getSpec().getServiceAccountName());
      assertEquals(RealNode.NODE_NAME, operator.getSpec().getNodeName());
    }

    shop.seedOnce(PASSWORD);
    long t1 = System.nanoTime();
    shop.awaitWorkloadsReady(null);
    env.time("policy Ready, workloads Ready", t1);
    assertTrue(
        shop.targetUrl().contains("@" + env.pgAddress() + "/shop"),
        "tuned URL points at PostgreSQL");

    // Rotation: the password changes in PostgreSQL and then in the source Secret.
    Map<String, String> before = shop.templateHashes();
    long t2 = System.nanoTime();
    shop.rotate(ROTATED);
    shop.awaitWorkloadsReady(before);
    env.time("rotation rolled all three", t2);

    List<AuditLog.Request> mine = env.operatorRequests();
    assertFalse(mine.isEmpty(), "no request by " + ChartOnRealNode.SA_USER + " in the audit log");
    assertEquals(List.of(), env.refused(401, 403), "requests of the operator's ServiceAccount");
    assertTrue(
        mine.stream()
            .anyMatch(r -> r.permission().equals("autoscaling/horizontalpodautoscalers:list")),
        "the operator listed HPAs: " + permissions(mine));
    for (String patched : List.of("deployments", "statefulsets", "daemonsets")) {
      assertTrue(
          mine.stream().anyMatch(r -> r.permission().equals("apps/" + patched + ":patch")),
          "the operator patched " + patched + ": " + permissions(mine));
    }
    assertNoPasswordIn(env.operatorLogs());
  }

  /**
   * The demo app (Go, pgx) as a Deployment of 3 replicas with maxSurge 1: its pods read the tuned
   * Secret, open their pools to exactly the limit in it (PostgreSQL counts 3 x limit sessions of
   * the role) and pass /health (SELECT 1) as their readiness probe, over TLS; a password rotation
   * rolls them onto a new ReplicaSet whose pods connect with the new password.
   */
  @Test
  @Order(2)
  void theDemoAppConnectsAtItsLimitAndRollsOntoARotatedPassword() {
    env.awaitOperatorsReady(1);
    env.pg().createRole("demo_app", PASSWORD, null);
    env.pg().createDatabase("demo", "demo_app", null);
    k8s.namespace("demo");
    k8s.secret("demo", "db", Map.of("DATABASE_URL", demoUrl(PASSWORD)));
    env.apply(AppDeployments.demoApp("demo", "app", 3, "demo-connection"));
    k8s.create(
        Policies.policy(
            "demo",
            "demo",
            "db",
            spec -> {
              spec.getTarget().setSecretName("demo-connection");
              spec.getTarget()
                  .setOutputs(List.of(new OutputSpec("DATABASE_URL", OutputFormatName.pgx, true)));
              spec.getPool().setConnectionLimit(4);
              spec.getPool().setSslMode("require");
              spec.getProbe().setMode(ProbeMode.Enforce);
              spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "app")));
              spec.getWorkloads().setSettleSeconds(0);
            }));
    long t0 = System.nanoTime();
    awaitDemo(3, null);
    env.time("demo app 3 pods Ready at their limit", t0);
    String firstRs = currentReplicaSet();

    long t1 = System.nanoTime();
    env.pg().execute("ALTER ROLE demo_app PASSWORD " + LocalPostgres.quoteLiteral(ROTATED));
    k8s.replaceSecret("demo", "db", Map.of("DATABASE_URL", demoUrl(ROTATED)));
    awaitDemo(3, firstRs);
    env.time("demo app rolled onto the rotated password", t1);
    String logs = env.podLogs("demo");
    long errors = logs.lines().filter(l -> l.contains("connection error")).count();
    System.err.println("HelmRealNodeIT: connection errors in the new demo pods' logs: " + errors);
    assertTrue(logs.contains("pool holds 4 of 4 connections"), "the new pods' logs:\n" + logs);
    assertNoPasswordIn(logs);
  }

  /**
   * Two replicas from the chart: the leader pod deleted as {@code kubectl delete pod} does
   * (graceful), another replica takes the Lease over (the standby, or the leader's replacement if
   * it starts in time to win the expired Lease; the time from the deletion to the Lease's
   * acquireTime is the takeover time), and the next change rolls every workload exactly once: one
   * new ReplicaSet or ControllerRevision each, not one per replica.
   */
  @Test
  @Order(3)
  void whenTheLeaderPodIsDeletedAnotherReplicaTakesOverAndRollsEachWorkloadOnce() {
    shop.seedOnce(PASSWORD);
    shop.awaitWorkloadsReady(null);
    List<String> replicas = names(env.awaitOperatorsReady(2));
    String leader = awaitLeaderAmong(replicas);
    String standby = replicas.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    WorkloadRevisions revisionsBefore = WorkloadRevisions.of(admin, RealNodeShop.NS);
    Map<String, String> before = shop.templateHashes();

    Instant deleted = Instant.now();
    admin.pods().inNamespace(ChartOnRealNode.RELEASE_NS).withName(leader).delete();
    Lease lease = awaitNewHolder(leader);
    Duration takeover = Duration.between(deleted, lease.getSpec().getAcquireTime().toInstant());
    env.record("failover: leader pod deleted -> another holds the Lease", takeover.toMillis());
    System.err.printf(
        "HelmRealNodeIT: takeover after deleting the leader pod: %s, by the %s%n",
        takeover, standby.equals(lease.getSpec().getHolderIdentity()) ? "standby" : "new pod");

    long t0 = System.nanoTime();
    shop.rotate(THIRD);
    shop.awaitWorkloadsReady(before);
    env.time("rotation after the failover rolled all three", t0);
    assertEquals(
        Map.of("DaemonSet/agent", 1, "Deployment/web", 1, "StatefulSet/ledger", 1),
        WorkloadRevisions.of(admin, RealNodeShop.NS).addedSince(revisionsBefore),
        "new revisions per workload: each rolled exactly once");
    // A graceful deletion keeps the pod's token valid until the pod is gone: nothing refused.
    assertEquals(List.of(), env.refused(401, 403), "requests of the operator's ServiceAccount");
    assertNoPasswordIn(env.operatorLogs());
  }

  /**
   * The leader killed (grace 0, as a crash or an OOM kill) while it rolls three Deployments one
   * after another: the replica that takes over continues the sequence from what the cluster shows,
   * and it finishes with exactly one new ReplicaSet per Deployment, none rolled twice.
   */
  @Test
  @Order(4)
  void anOperatorKilledInThePacedRolloutOfThreeDeploymentsLeavesOneNewReplicaSetEach() {
    PacedRollout paced = new PacedRollout(env);
    paced.seed(PASSWORD);
    paced.awaitUpToDate(null, ChartOnRealNode.READY);
    paced.pace(PACE_SECONDS);
    // Every controller saw the edit (it changes no pod template) before the content changes.
    paced.awaitUpToDate(null, ChartOnRealNode.READY);
    String leader = awaitLeaderAmong(names(env.awaitOperatorsReady(2)));
    WorkloadRevisions revisionsBefore = WorkloadRevisions.of(admin, PacedRollout.NS);
    Map<String, String> before = paced.stamps();

    long t0 = System.nanoTime();
    paced.change(FOURTH);
    await("one Deployment rolled, another not restarted yet")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> paced.midway(before));
    Instant killed = Instant.now();
    admin
        .pods()
        .inNamespace(ChartOnRealNode.RELEASE_NS)
        .withName(leader)
        .withGracePeriod(0)
        .delete();
    System.err.println("HelmRealNodeIT: leader killed mid-sequence, stamps " + paced.stamps());
    Lease lease = awaitNewHolder(leader);
    Duration takeover = Duration.between(killed, lease.getSpec().getAcquireTime().toInstant());
    env.record("failover: leader killed (grace 0) -> another holds the Lease", takeover.toMillis());
    System.err.println("HelmRealNodeIT: takeover after killing the leader pod: " + takeover);

    paced.awaitUpToDate(before, ChartOnRealNode.READY);
    env.time("paced sequence of 3 with the leader killed", t0);
    assertEquals(
        Map.of("Deployment/a", 1, "Deployment/b", 1, "Deployment/c", 1),
        WorkloadRevisions.of(admin, PacedRollout.NS).addedSince(revisionsBefore),
        "new ReplicaSets per Deployment: each rolled exactly once");
    System.err.println("HelmRealNodeIT: the paced sequence\n" + paced.timeline());
    // Paced: each new ReplicaSet created once the previous rollout completed, which takes
    // minReadySeconds at least (creation times have a resolution of 1 s).
    List<Instant> created = paced.newReplicaSetsCreated(revisionsBefore);
    for (int i = 1; i < created.size(); i++) {
      assertTrue(
          Duration.between(created.get(i - 1), created.get(i)).toSeconds() >= PACE_SECONDS - 1,
          "one rollout after the other: new ReplicaSets created at "
              + created
              + "\n"
              + paced.timeline());
    }
    // A killed pod's token dies with its pod object, so its last requests may be 401; never 403.
    assertEquals(List.of(), env.refused(403), "requests of the operator's ServiceAccount");
  }

  // ---------------------------------------------------------------- steps

  /** The Lease holder, once it is one of these pods. */
  private static String awaitLeaderAmong(List<String> pods) {
    return await("the Lease held by one of " + pods)
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(env::leaseHolder, pods::contains);
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  /**
   * The Lease once an operator pod other than {@code leader} holds it: the standby, or the pod that
   * replaces the leader when it starts in time to win the race for the expired Lease.
   */
  private static Lease awaitNewHolder(String leader) {
    try {
      return await("the Lease taken over from " + leader + " by a live operator pod")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(
              env::lease,
              l ->
                  !leader.equals(l.getSpec().getHolderIdentity())
                      && env.operatorPods().stream()
                          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                          .anyMatch(
                              p ->
                                  p.getMetadata()
                                      .getName()
                                      .equals(l.getSpec().getHolderIdentity())));
    } catch (RuntimeException e) {
      throw new AssertionError(
          e.getMessage()
              + "\nlease: "
              + env.lease()
              + "\npods: "
              + env.podsSummary(ChartOnRealNode.RELEASE_NS)
              + "\n--- operator log\n"
              + env.operatorLogs(),
          e);
    }
  }

  /** 3 demo pods Ready (on a ReplicaSet other than {@code oldRs}), holding 3 x limit sessions. */
  private static void awaitDemo(int replicas, String oldRs) {
    try {
      await("demo app Ready at its limit" + (oldRs == null ? "" : " on a new ReplicaSet"))
          .atMost(ChartOnRealNode.READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                String url = k8s.secretValue("demo", "demo-connection", "DATABASE_URL").orElse("");
                Matcher m = Pattern.compile("pool_max_conns=(\\d+)").matcher(url);
                assertTrue(m.find(), "pool_max_conns in the tuned URL");
                int limit = Integer.parseInt(m.group(1));
                if (oldRs != null) {
                  assertTrue(url.contains(ROTATED), "target carries the rotated password");
                  assertNotEquals(oldRs, currentReplicaSet(), "a new ReplicaSet");
                }
                Deployment d = admin.apps().deployments().inNamespace("demo").withName("app").get();
                assertEquals(replicas, nz(d.getStatus().getUpdatedReplicas()), "updated");
                assertEquals(replicas, nz(d.getStatus().getReadyReplicas()), "ready");
                assertEquals(replicas, nz(d.getStatus().getReplicas()), "old pods gone");
                assertEquals(
                    replicas * limit,
                    env.sessionsOf("demo_app"),
                    "sessions of demo_app: " + replicas + " pods x limit " + limit);
              });
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\npods: "
              + env.podsSummary("demo")
              + "\n--- demo logs\n"
              + env.podLogs("demo")
              + "\n--- operator log\n"
              + env.operatorLogs(),
          e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String currentReplicaSet() {
    Deployment d = admin.apps().deployments().inNamespace("demo").withName("app").get();
    String revision = d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    return admin.apps().replicaSets().inNamespace("demo").list().getItems().stream()
        .filter(
            rs ->
                Objects.equals(
                    revision,
                    rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision")))
        .map(rs -> rs.getMetadata().getName())
        .findFirst()
        .orElse("");
  }

  private static String demoUrl(String password) {
    return "postgresql://demo_app:" + password + "@" + env.pgAddress() + "/demo";
  }

  private static void assertNoPasswordIn(String logs) {
    for (String password : List.of(PASSWORD, ROTATED, THIRD, FOURTH)) {
      assertFalse(logs.contains(password), "a password in the logs");
    }
  }

  private static String permissions(List<AuditLog.Request> requests) {
    return requests.stream()
        .map(AuditLog.Request::permission)
        .distinct()
        .sorted()
        .collect(Collectors.joining(", "));
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
