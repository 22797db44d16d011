package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.RealNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as a platform team installs it: a PostgreSQL 16 with TLS (max_connections 50), a
 * {@link RealNode} whose API server writes an audit log of every ServiceAccount request, the
 * operator and demo-app images imported, and {@code helm install} of helm/pgconn-operator with the
 * locally built image and the given number of replicas. Also what the tests on it ask of that
 * cluster: the operator's pods, their logs, its Lease, its requests in the audit log.
 */
final class ChartOnRealNode implements AutoCloseable {

  static final String RELEASE_NS = "pgconn-system";
  static final String LEASE = "pgconn-operator";
  static final String SA_USER = "system:serviceaccount:" + RELEASE_NS + ":pgconn-operator";
  static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.10";
  static final String DEMO_IMAGE = "pgconn.local/demo-app:dev";
  static final Duration READY = Duration.ofMinutes(4);

  private final AuditLog audit = AuditLog.forServiceAccounts();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private LocalPostgres pg;
  private RealNode node;
  private KubernetesClient admin;
  private String pgAddress;

  private ChartOnRealNode() {}

  /** Starts everything and installs the chart; closes what it started if a step fails. */
  static ChartOnRealNode install(Path scratch, int replicas) {
    ChartOnRealNode env = new ChartOnRealNode();
    try {
      env.start(scratch, replicas);
      return env;
    } catch (RuntimeException | Error e) {
      env.close();
      throw e;
    }
  }

  private void start(Path scratch, int replicas) {
    long t0 = System.nanoTime();
    pg = LocalPostgres.builder().ssl(true).maxConnections(50).start();
    Map<String, String> flags = new HashMap<>(audit.apiServerFlags());
    flags.put("--enable-admission-plugins", "OwnerReferencesPermissionEnforcement");
    node = RealNode.start(flags);
    time("node up", t0);
    admin = node.newClient();
    pgAddress = node.exposeToPods(pg.port(), 5432);

    Path imageTar =
        Path.of(System.getProperty("pgconn.operator.image.tar", "target/jib-image.tar"));
    String image = System.getProperty("pgconn.operator.image", "pgconn.local/pgconn-operator:dev");
    assertTrue(
        Files.isRegularFile(imageTar),
        imageTar + " is missing: build it with mvn -pl operator -Preal-node package");
    long t1 = System.nanoTime();
    node.importImage(imageTar);
    node.importImage(RealNode.imageTarball("demo-app.tar"));
    time("image import", t1);

    int colon = image.lastIndexOf(':');
    // As a release ships it: the packaged chart (helm package), not the source directory.
    Helm helm = Helm.locate(scratch);
    Path packages = scratch.resolve("packages");
    Helm.Result packaged =
        helm.run(
            List.of(
                "package",
                Helm.repoRoot().resolve("helm/pgconn-operator").toString(),
                "--destination",
                packages.toString()));
    assertTrue(packaged.ok(), packaged.describe());
    Path chart = onlyFile(packages);
    Helm.Result install =
        helm.run(
            List.of(
                "install",
                "pgconn-operator",
                chart.toString(),
                "--kubeconfig",
                node.kubeconfigFile().toString(),
                "--namespace",
                RELEASE_NS,
                "--create-namespace",
                "--set",
                "replicas=" + replicas,
                "--set",
                "image.repository=" + image.substring(0, colon),
                "--set",
                "image.tag=" + image.substring(colon + 1),
                "--set",
                "image.pullPolicy=Never"));
    assertTrue(install.ok(), install.describe());
    time("helm install", t0);
  }

  private static Path onlyFile(Path dir) {
    try (var files = Files.list(dir)) {
      List<Path> all = files.toList();
      assertTrue(all.size() == 1, "one chart package expected in " + dir + ": " + all);
      return all.get(0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  KubernetesClient admin() {
    return admin;
  }

  /** Admin kubeconfig for kubectl and helm on the test's side. */
  Path kubeconfigFile() {
    return node.kubeconfigFile();
  }

  ClusterFixtures k8s() {
    return new ClusterFixtures(admin);
  }

  LocalPostgres pg() {
    return pg;
  }

  /** Where pods reach the test's PostgreSQL, as host:port. */
  String pgAddress() {
    return pgAddress;
  }

  /** How many sessions of this role PostgreSQL counts (pg_stat_activity). */
  int sessionsOf(String role) {
    try (java.sql.Connection c = pg.superuserConnection();
        java.sql.PreparedStatement st =
            c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
      st.setString(1, role);
      try (java.sql.ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records how long a step took, in ms since {@code t0} (a System.nanoTime()). */
  void time(String step, long t0) {
    timings.put(step, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Records a figure measured otherwise (e.g. from the Lease), in ms. */
  void record(String what, long millis) {
    timings.put(what, millis);
  }

  List<Pod> operatorPods() {
    return admin.pods().inNamespace(RELEASE_NS).list().getItems();
  }

  /** Waits until {@code count} operator pods (not being deleted) are Ready; returns them. */
  List<Pod> awaitOperatorsReady(int count) {
    try {
      return await(count + " operator pod(s) Ready through the chart's probes")
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  operatorPods().stream()
                      .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                      .filter(ChartOnRealNode::ready)
                      .toList(),
              pods -> pods.size() >= count);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "operator not Ready: "
              + podsSummary(RELEASE_NS)
              + "\n--- operator log\n"
              + operatorLogs()
              + node.logTails(),
          e);
    }
  }

  /** The Lease the replicas elect their leader with, or null before the first election. */
  Lease lease() {
    return admin.leases().inNamespace(RELEASE_NS).withName(LEASE).get();
  }

  String leaseHolder() {
    Lease lease = lease();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  String operatorLogs() {
    return podLogs(RELEASE_NS);
  }

  /** The logs of every pod in the namespace (current containers), one after another. */
  String podLogs(String namespace) {
    StringBuilder out = new StringBuilder();
    for (Pod p : admin.pods().inNamespace(namespace).list().getItems()) {
      String name = p.getMetadata().getName();
      out.append("--- ").append(name).append('\n');
      try {
        out.append(admin.pods().inNamespace(namespace).withName(name).getLog());
      } catch (RuntimeException e) {
        out.append("(no log: ").append(e).append(")\n");
      }
    }
    return out.toString();
  }

  /** For assertion messages: the policy's status, the namespace's pods and the operator's log. */
  String diagnosis(String namespace, String policy) {
    return "\npolicy status: "
        + k8s().status(namespace, policy)
        + "\npods: "
        + podsSummary(namespace)
        + "\n--- operator log\n"
        + operatorLogs();
  }

  /** Each pod's name, phase and container statuses, for assertion messages. */
  String podsSummary(String namespace) {
    return admin.pods().inNamespace(namespace).list().getItems().stream()
        .map(
            p ->
                p.getMetadata().getName()
                    + " "
                    + p.getStatus().getPhase()
                    + " "
                    + p.getStatus().getContainerStatuses())
        .toList()
        .toString();
  }

  List<AuditLog.Request> operatorRequests() {
    return audit.requests().stream().filter(r -> r.user().equals(SA_USER)).toList();
  }

  /** The operator's requests the API server refused with one of these codes (verb and URI). */
  List<String> refused(int... codes) {
    return operatorRequests().stream()
        .filter(r -> java.util.Arrays.stream(codes).anyMatch(c -> c == r.code()))
        .map(r -> r.code() + " " + r.verb() + " " + r.uri())
        .distinct()
        .toList();
  }

  /** Creates every object of a multi-document YAML. */
  void apply(String yaml) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata o : objects) admin.resource(o).create();
  }

  static boolean ready(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  @Override
  public void close() {
    if (admin != null) admin.close();
    if (node != null) node.close();
    if (pg != null) pg.close();
    System.err.println("real node with the chart, timings (ms): " + timings);
  }
}
