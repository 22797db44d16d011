package io.pgconn.operator.scale;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PoolStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.ServiceAccounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;

/**
 * N policies on one server, as a platform team with many small services has them: each policy its
 * own source Secret (one role, reserve 0, TLS off, no workloads), all in one namespace that the
 * operator watches. The operator runs as a ServiceAccount, so the API server's audit log (every
 * request made with a ServiceAccount token) tells its requests from the test's. Measures what issue
 * 15 asks: the raw-write floor, time to all Ready, requests by verb, writes at rest, probe logins,
 * a restart's writes, the size of /prometheus.
 */
final class ScaleRun {

  static final String NS = "scale";
  static final String FLOOR_NS = "scale-floor";
  static final String SA_NS = "pgconn-system";
  static final String SA = "pgconn-operator";
  static final String SA_USER = "system:serviceaccount:" + SA_NS + ":" + SA;
  static final String ROLE = "svc";
  static final String PASSWORD = "canary-scale-7b2e";

  private final KubernetesClient admin;
  private final ClusterFixtures k8s;
  private final LocalPostgres postgres;
  private final AuditLog audit;
  private final Operators operators;
  private final Path kubeconfig;
  private final String probeInterval;
  private OperatorApp operator;

  ScaleRun(
      KubernetesClient admin,
      LocalPostgres postgres,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts,
      String probeInterval) {
    this.probeInterval = probeInterval;
    this.admin = admin;
    this.k8s = new ClusterFixtures(admin);
    this.postgres = postgres;
    this.audit = audit;
    this.operators = operators;
    postgres.createRole(ROLE, PASSWORD, null);
    k8s.namespace(NS);
    k8s.namespace(FLOOR_NS);
    k8s.namespace(SA_NS);
    admin
        .serviceAccounts()
        .inNamespace(SA_NS)
        .resource(new ServiceAccountBuilder().withNewMetadata().withName(SA).endMetadata().build())
        .serverSideApply();
    // The chart's RBAC is judged elsewhere (HelmChartIT, the real node); here only who asked.
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("scale-operator")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(SA)
                .withNamespace(SA_NS)
                .endSubject()
                .build())
        .serverSideApply();
    this.kubeconfig = accounts.tokenKubeconfig(SA_NS, SA);
  }

  /**
   * The floor: a plain client, one request at a time, creating n Secrets and patching the status of
   * n policies, the writes the operator cannot avoid (one target Secret and one status patch per
   * policy). In a namespace the operator does not watch. In ms.
   */
  long rawWriteFloorMillis(int n) {
    for (int i = 0; i < n; i++) k8s.create(policy(FLOOR_NS, i));
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      admin
          .secrets()
          .inNamespace(FLOOR_NS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("floor-" + i)
                  .endMetadata()
                  .withStringData(Map.of("DATABASE_URL", url()))
                  .build())
          .create();
      PostgresConnectionPolicy p = new PostgresConnectionPolicy();
      p.getMetadata().setName(name(i));
      p.getMetadata().setNamespace(FLOOR_NS);
      PolicyStatus status = new PolicyStatus();
      status.setObservedGeneration(1L);
      p.setStatus(status);
      admin.resource(p).subresource("status").patch();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  void startOperator() {
    operator = operators.startAs(kubeconfig, Map.of("pgconn.namespaces", NS));
  }

  void stopOperator() {
    operator.close();
    operator = null;
  }

  /** Applies n source Secrets and n policies; returns ms from the first apply to all Ready. */
  long applyAndAwaitReady(int n, Duration atMost) {
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      k8s.secret(NS, "src-" + i, Map.of("DATABASE_URL", url()));
      k8s.create(policy(NS, i));
    }
    Awaitility.await("all " + n + " policies Ready")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> readyCount() == n);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  int readyCount() {
    return (int)
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems().stream()
            .filter(ScaleRun::ready)
            .count();
  }

  /** Σ consumers × limit over the policies, which must stay within the server's budget. */
  int allotted() {
    return pools().mapToInt(p -> p.getConsumers() * p.getConnectionLimit()).sum();
  }

  int minLimit() {
    return pools().mapToInt(PoolStatus::getConnectionLimit).min().orElse(0);
  }

  private java.util.stream.Stream<PoolStatus> pools() {
    return admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .stream()
        .map(PostgresConnectionPolicy::getStatus)
        .filter(s -> s != null && s.getPool() != null)
        .map(PolicyStatus::getPool);
  }

  /** A mark in the audit log: requests after it are counted by {@link #since}. */
  int mark() {
    return operatorRequests().size();
  }

  /** The operator's requests since the mark, counted by what they were. */
  Map<String, Long> since(int mark, Predicate<AuditLog.Request> which) {
    List<AuditLog.Request> all = operatorRequests();
    return all.subList(Math.min(mark, all.size()), all.size()).stream()
        .filter(which)
        .collect(Collectors.groupingBy(ScaleRun::describe, TreeMap::new, Collectors.counting()));
  }

  static boolean write(AuditLog.Request r) {
    return switch (r.verb()) {
      case "create", "update", "patch", "delete", "deletecollection" -> true;
      default -> false;
    };
  }

  /** Waits until the operator made no write for {@code quiet}; the writes until then, by kind. */
  Map<String, Long> writesUntilQuiet(Duration quiet, Duration atMost) {
    int mark = mark();
    int[] last = {-1};
    Awaitility.await("the operator quiet for " + quiet)
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              int now =
                  (int) since(mark, ScaleRun::write).values().stream().mapToLong(l -> l).sum();
              boolean same = now == last[0];
              last[0] = now;
              return same;
            },
            b -> b);
    return since(mark, ScaleRun::write);
  }

  /** Every policy's status as YAML, by name: what a quiet window is compared against. */
  Map<String, String> statuses() {
    return admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .stream()
        .collect(
            Collectors.toMap(
                p -> p.getMetadata().getName(),
                p -> io.fabric8.kubernetes.client.utils.Serialization.asYaml(p.getStatus()),
                (a, b) -> a,
                TreeMap::new));
  }

  /** For up to {@code max} policies whose status changed: the lines that differ. */
  static List<String> changed(Map<String, String> before, Map<String, String> after, int max) {
    return after.entrySet().stream()
        .filter(e -> !e.getValue().equals(before.get(e.getKey())))
        .limit(max)
        .map(
            e -> {
              List<String> was = List.of(String.valueOf(before.get(e.getKey())).split("\n"));
              List<String> is = List.of(e.getValue().split("\n"));
              return e.getKey()
                  + ": -"
                  + was.stream().filter(l -> !is.contains(l)).toList()
                  + " +"
                  + is.stream().filter(l -> !was.contains(l)).toList();
            })
        .toList();
  }

  /** Waits for {@code quiet} while counting the operator's writes (they should stay at none). */
  void awaitQuietFor(Duration quiet) {
    int mark = mark();
    try {
      Awaitility.await("no write for " + quiet)
          .during(quiet)
          .atMost(quiet.plusSeconds(5))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> since(mark, ScaleRun::write).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The caller reports the writes made; a write at rest is its finding, not an error here.
    }
  }

  /** Sessions ever opened to the server (pg_stat_database.sessions, PostgreSQL 14+). */
  long sessionsOpened() {
    try (Connection c = postgres.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT sum(sessions) FROM pg_stat_database")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lines of the operator's /prometheus, and of those the pgconn_ ones. */
  int[] prometheusLines() {
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(operator.metricsUrl() + "/prometheus")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      List<String> lines = body.lines().toList();
      return new int[] {
        lines.size(), (int) lines.stream().filter(l -> l.startsWith("pgconn_")).count()
      };
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The events on one policy, oldest first, as "reason: message" (for diagnosis). */
  List<String> eventsOf(int i) {
    return admin.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name(i).equals(e.getInvolvedObject().getName()))
        .sorted(java.util.Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
        .map(e -> e.getCount() + "x " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  private List<AuditLog.Request> operatorRequests() {
    return audit.requests().stream().filter(r -> r.user().equals(SA_USER)).toList();
  }

  private static String describe(AuditLog.Request r) {
    return r.verb() + " " + r.resource() + (r.subresource().isEmpty() ? "" : "/" + r.subresource());
  }

  private String url() {
    return postgres.url(ROLE, PASSWORD, "postgres");
  }

  private static String name(int i) {
    return "svc-" + i;
  }

  private PostgresConnectionPolicy policy(String namespace, int i) {
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(0);
    return Policies.policy(
        namespace,
        name(i),
        "src-" + i,
        spec -> {
          spec.getPool().setAuto(auto);
          spec.getPool().setSslMode("disable");
          spec.getProbe().setInterval(probeInterval);
        });
  }

  private static boolean ready(PostgresConnectionPolicy p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && "True".equals(c.getStatus()));
  }

  static String table(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(l -> l).sum();
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }
}
