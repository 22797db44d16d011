package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.Policies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One side of the connection-storm benchmark on real pods: three Deployments of the demo app (Go,
 * pgx; each pod opens its pool to exactly the limit in its Secret and holds it; /health runs SELECT
 * 1 as the readiness probe), {@value #REPLICAS} replicas each with maxSurge 1 and maxUnavailable 0,
 * each app with a role of its own in one database. The pool limit comes either from the operator
 * (one policy per app, the tuned pgx URL) or from a fixed size written into the Secret as a
 * framework's default would give it. All three are rolled at the same moment (as {@code kubectl
 * rollout restart} does), and what the server and the pods saw is counted.
 */
final class StormArm implements AutoCloseable {

  static final List<String> APPS = List.of("api", "worker", "web");
  static final int REPLICAS = 4;
  private static final String PASSWORD = "storm-Pw-7c1d";
  private static final Pattern LIMIT = Pattern.compile("pool_max_conns=(\\d+)");
  private static final Duration STEADY_DEADLINE = Duration.ofMinutes(3);

  /** What one side measured. */
  record Result(
      String side,
      Map<String, Integer> limits,
      List<String> limitHistory,
      int setupMaxSessions,
      int steadySessions,
      int steadyReady,
      int maxSessionsDuringRoll,
      Duration roll,
      boolean rollCompleted,
      int newPodsReady,
      long appErrorLines,
      int podsWithErrors,
      int refusedTooMany,
      int refusedReserved) {

    int podsAtOnce() {
      return APPS.size() * (REPLICAS + 1);
    }

    int wanted() {
      return limits.values().stream().mapToInt(l -> l * (REPLICAS + 1)).sum();
    }
  }

  private final ChartOnRealNode env;
  private final KubernetesClient admin;
  private final ClusterFixtures k8s;
  private final String ns;
  private final Integer fixedLimit;
  private final Map<String, String> podLogs = new HashMap<>();
  private final Connection observer;

  /**
   * @param fixedLimit the pool size every pod gets, or null for the operator's limits
   */
  StormArm(ChartOnRealNode env, String namespace, Integer fixedLimit) {
    this.observer = env.pg().superuserConnection();
    this.env = env;
    this.admin = env.admin();
    this.k8s = env.k8s();
    this.ns = namespace;
    this.fixedLimit = fixedLimit;
  }

  Result run(Duration rollDeadline) {
    seed();
    List<String> limitHistory = new ArrayList<>();
    int[] setupMax = {0};
    try {
      await(ns + ": steady (every pod started; all Ready or the server full)")
          .atMost(STEADY_DEADLINE)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                setupMax[0] = Math.max(setupMax[0], sessions());
                String limits = limits().toString();
                if (limitHistory.isEmpty()
                    || !limitHistory.get(limitHistory.size() - 1).equals(limits)) {
                  limitHistory.add(limits);
                }
                return steady();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      collectLogs();
      throw new AssertionError(
          e.getMessage()
              + "\nsessions "
              + sessions()
              + ", limits "
              + limitHistory
              + "\npods: "
              + env.podsSummary(ns)
              + "\npolicies: "
              + APPS.stream().map(app -> app + " " + k8s.status(ns, app)).toList()
              + "\n--- a pod's log\n"
              + podLogs.values().stream().findFirst().orElse("(none)"),
          e);
    }
    Map<String, Integer> limits = limits();
    int steadySessions = sessions();
    int steadyReady = readyPods();

    // Only what happens from the roll on counts: the pods' logs and the server log from here.
    collectLogs();
    Map<String, Integer> logFrom = new HashMap<>();
    podLogs.forEach((pod, log) -> logFrom.put(pod, log.length()));
    long serverLogFrom = serverLogSize();
    Map<String, String> oldRs = currentReplicaSets();
    Instant start = Instant.now();
    for (String app : APPS) {
      admin.apps().deployments().inNamespace(ns).withName(app).rolling().restart();
    }
    int[] maxSessions = {0};
    boolean completed;
    try {
      await(ns + ": all three rolled")
          .atMost(rollDeadline)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                maxSessions[0] = Math.max(maxSessions[0], sessions());
                collectLogs();
                return APPS.stream().allMatch(app -> rolled(app, oldRs.get(app)));
              });
      completed = true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      completed = false;
    }
    Duration roll = Duration.between(start, Instant.now());
    collectLogs();
    String serverLog = serverLogSince(serverLogFrom);
    Map<String, String> rollLogs = new HashMap<>();
    podLogs.forEach((pod, log) -> rollLogs.put(pod, log.substring(logFrom.getOrDefault(pod, 0))));
    long errorLines =
        rollLogs.values().stream()
            .flatMap(String::lines)
            .filter(l -> l.contains("connection error"))
            .count();
    int podsWithErrors =
        (int) rollLogs.values().stream().filter(l -> l.contains("connection error")).count();
    return new Result(
        fixedLimit == null ? "operator" : "default " + fixedLimit,
        limits,
        List.copyOf(limitHistory),
        setupMax[0],
        steadySessions,
        steadyReady,
        maxSessions[0],
        roll,
        completed,
        newPodsReady(oldRs),
        errorLines,
        podsWithErrors,
        count(serverLog, "too many clients"),
        count(serverLog, "remaining connection slots are reserved"));
  }

  /** Deletes the namespace and waits until its pods and their sessions are gone. */
  void tearDown() {
    admin.namespaces().withName(ns).delete();
    await(ns + ": gone, no session left")
        .atMost(STEADY_DEADLINE)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> admin.namespaces().withName(ns).get() == null && sessions() == 0);
  }

  // ---------------------------------------------------------------- setup

  private void seed() {
    String db = ns.replace('-', '_');
    for (String app : APPS) env.pg().createRole(role(app), PASSWORD, null);
    env.pg().createDatabase(db, role(APPS.get(0)), null);
    k8s.namespace(ns);
    for (String app : APPS) {
      String base = "postgresql://" + role(app) + ":" + PASSWORD + "@" + env.pgAddress() + "/" + db;
      if (fixedLimit == null) {
        k8s.secret(ns, "db-" + app, Map.of("DATABASE_URL", base));
        AutoPoolSpec auto = new AutoPoolSpec();
        auto.setMin(1);
        auto.setMax(20);
        auto.setReserve(2);
        k8s.create(
            Policies.policy(
                ns,
                app,
                "db-" + app,
                spec -> {
                  spec.getTarget().setSecretName(app + "-connection");
                  spec.getTarget()
                      .setOutputs(
                          List.of(new OutputSpec("DATABASE_URL", OutputFormatName.pgx, true)));
                  spec.getPool().setAuto(auto);
                  spec.getPool().setSslMode("require");
                  spec.getProbe().setMode(ProbeMode.Enforce);
                  spec.getWorkloads()
                      .setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, app)));
                  spec.getWorkloads().setSettleSeconds(0);
                }));
      } else {
        k8s.secret(
            ns,
            app + "-connection",
            Map.of(
                "DATABASE_URL",
                base
                    + "?sslmode=require&application_name="
                    + app
                    + "&pool_max_conns="
                    + fixedLimit));
      }
      env.apply(AppDeployments.demoApp(ns, app, REPLICAS, app + "-connection"));
    }
  }

  private String role(String app) {
    return ns.replace('-', '_') + "_" + app;
  }

  // ---------------------------------------------------------------- measures

  /** Every pod started, and either every Deployment available or the server full (47 slots). */
  private boolean steady() {
    List<Pod> pods = admin.pods().inNamespace(ns).list().getItems();
    boolean started =
        pods.size() == APPS.size() * REPLICAS
            && pods.stream()
                .allMatch(
                    p ->
                        p.getStatus().getContainerStatuses() != null
                            && p.getStatus().getContainerStatuses().stream()
                                .allMatch(c -> c.getState().getRunning() != null));
    if (!started || limits().size() < APPS.size()) return false;
    if (fixedLimit == null) {
      // The operator's side: its policies Ready, every Deployment rolled onto their last content
      // and each pod holding its whole pool.
      int held = limits().values().stream().mapToInt(l -> l * REPLICAS).sum();
      return APPS.stream().allMatch(app -> k8s.ready(ns, app) && complete(deployment(app)))
          && sessions() == held;
    }
    // Full: no slot left for a role without superuser (max_connections 50 less the 3 reserved
    // for superusers, this benchmark's observer connection included).
    boolean serverFull = clientBackends() >= 47;
    return serverFull || APPS.stream().allMatch(app -> complete(deployment(app)));
  }

  private static boolean complete(Deployment d) {
    var s = d.getStatus();
    return s != null
        && Objects.equals(d.getMetadata().getGeneration(), s.getObservedGeneration())
        && Objects.equals(REPLICAS, s.getUpdatedReplicas())
        && Objects.equals(REPLICAS, s.getAvailableReplicas())
        && Objects.equals(REPLICAS, s.getReplicas());
  }

  private Map<String, Integer> limits() {
    Map<String, Integer> out = new TreeMap<>();
    for (String app : APPS) {
      k8s.secretValue(ns, app + "-connection", "DATABASE_URL")
          .map(LIMIT::matcher)
          .filter(Matcher::find)
          .ifPresent(m -> out.put(app, Integer.parseInt(m.group(1))));
    }
    return out;
  }

  /**
   * Sessions of this side's pods (its roles, not the operator's probe), as PostgreSQL counts them,
   * through one superuser connection held open (in a reserved slot) for the whole run: a full
   * server refuses new ones.
   */
  private int sessions() {
    try (PreparedStatement st =
        observer.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE ? || '\\_%'"
                + " AND application_name <> 'pgconn-operator-probe'")) {
      st.setString(1, ns.replace('-', '_'));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every client session of the server, this benchmark's observer included. */
  private int clientBackends() {
    try (PreparedStatement st =
            observer.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      observer.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private int readyPods() {
    return (int)
        admin.pods().inNamespace(ns).list().getItems().stream()
            .filter(ChartOnRealNode::ready)
            .count();
  }

  private Map<String, String> currentReplicaSets() {
    Map<String, String> out = new HashMap<>();
    for (String app : APPS) {
      out.put(app, deployment(app).getMetadata().getAnnotations().get(REVISION));
    }
    return out;
  }

  private static final String REVISION = "deployment.kubernetes.io/revision";

  /** Rolled: a new revision, all replicas on it and available, no old pod left. */
  private boolean rolled(String app, String oldRevision) {
    Deployment d = deployment(app);
    return !Objects.equals(oldRevision, d.getMetadata().getAnnotations().get(REVISION))
        && complete(d);
  }

  /** Ready pods of the ReplicaSets the roll created (a revision other than {@code before}'s). */
  private int newPodsReady(Map<String, String> before) {
    int ready = 0;
    for (String app : APPS) {
      String revision = deployment(app).getMetadata().getAnnotations().get(REVISION);
      if (Objects.equals(before.get(app), revision)) continue;
      for (var rs :
          admin.apps().replicaSets().inNamespace(ns).withLabel("app", app).list().getItems()) {
        if (revision.equals(rs.getMetadata().getAnnotations().get(REVISION))
            && rs.getStatus().getReadyReplicas() != null) {
          ready += rs.getStatus().getReadyReplicas();
        }
      }
    }
    return ready;
  }

  private Deployment deployment(String app) {
    return admin.apps().deployments().inNamespace(ns).withName(app).get();
  }

  /** Keeps the longest log seen of every pod: a pod's log is gone once the pod is. */
  private void collectLogs() {
    for (Pod p : admin.pods().inNamespace(ns).list().getItems()) {
      String name = p.getMetadata().getName();
      try {
        String log = admin.pods().inNamespace(ns).withName(name).getLog();
        if (log != null && log.length() >= podLogs.getOrDefault(name, "").length()) {
          podLogs.put(name, log);
        }
      } catch (RuntimeException notStartedOrGone) {
        // a container that has not started has no log yet; a deleted pod keeps what we have
      }
    }
  }

  private long serverLogSize() {
    try {
      return Files.size(env.pg().logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String serverLogSince(long offset) {
    try {
      byte[] all = Files.readAllBytes(env.pg().logFile());
      return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int count(String serverLog, String message) {
    return (int) serverLog.lines().filter(l -> l.contains("FATAL") && l.contains(message)).count();
  }
}
