package io.pgconn.operator.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A control plane where workloads really roll: {@link LocalControlPlane} (etcd + kube-apiserver)
 * plus kube-controller-manager, kube-scheduler and kwok, which fakes the kubelets of a few Node
 * objects this class creates, so scheduled pods turn Running/Ready (no containers run) and deleted
 * pods disappear. All binaries come from tools/build-control-plane.sh --with-controllers (built on
 * first use when Go is on PATH). Each process logs to a file in {@link #logDir()}; a start-up
 * failure throws with the tails of those logs. {@link #close()} stops every process it started.
 */
public final class FullControlPlane implements TestCluster {

  public static final int DEFAULT_NODES = 3;

  /** Controllers and binaries come from the same build as the API server. */
  static final List<String> BINARIES =
      List.of(
          "etcd", "kube-apiserver", "kubectl", "kube-controller-manager", "kube-scheduler", "kwok");

  private static final Duration CONTROLLERS_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration NODES_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 30;
  private static final Pattern ERROR_LINE =
      Pattern.compile("^(Error: |[EF]\\d{4} )|\"level\":\"ERROR\"");

  private final LocalControlPlane api;
  private final Path logDir;
  private final List<Daemon> daemons = new ArrayList<>();
  private final List<String> nodeNames = new ArrayList<>();
  private final Map<String, Duration> phases = new LinkedHashMap<>();
  private final Thread shutdownHook = new Thread(this::destroyDaemons, "full-control-plane-stop");
  private Duration startupTime = Duration.ZERO;
  private boolean closed;

  private FullControlPlane(LocalControlPlane api, Path logDir) {
    this.api = api;
    this.logDir = logDir;
  }

  public static FullControlPlane start() {
    return start(DEFAULT_NODES, Map.of());
  }

  /**
   * @param apiServerFlags extra kube-apiserver flags, e.g. audit logging
   */
  public static FullControlPlane start(Map<String, String> apiServerFlags) {
    return start(DEFAULT_NODES, apiServerFlags);
  }

  /** Starts everything and returns once {@code nodes} fake nodes are Ready and controllers up. */
  public static FullControlPlane start(int nodes, Map<String, String> apiServerFlags) {
    long t0 = System.nanoTime();
    Path binDir = LocalControlPlane.binDir();
    Path k8sDir = ensureBinaries(binDir);
    LocalControlPlane api = LocalControlPlane.start(apiServerFlags);
    Path logDir;
    try {
      logDir = Files.createTempDirectory("pgconn-control-plane-");
    } catch (IOException e) {
      api.close();
      throw new UncheckedIOException(e);
    }
    FullControlPlane cp = new FullControlPlane(api, logDir);
    Runtime.getRuntime().addShutdownHook(cp.shutdownHook);
    try {
      cp.phase("kube-apiserver", t0);
      cp.startDaemons(k8sDir, binDir);
      cp.awaitControllers();
      cp.phase("controllers", t0);
      cp.createNodes(nodes);
      cp.awaitNodesReady();
      cp.phase("nodes", t0);
      cp.startupTime = Duration.ofNanos(System.nanoTime() - t0);
      System.err.printf(
          "full control plane: ready in %d ms %s; logs in %s%n",
          cp.startupTime.toMillis(), cp.phaseSummary(), logDir);
      return cp;
    } catch (RuntimeException | Error e) {
      String tails = cp.logTails();
      cp.close(true);
      throw new IllegalStateException(
          "full control plane did not start: "
              + e.getMessage()
              + "\nlogs kept in "
              + logDir
              + tails,
          e);
    }
  }

  public String kubeconfigYaml() {
    return api.kubeconfigYaml();
  }

  /** The admin kubeconfig (system:masters) the controllers and kwok use too. */
  @Override
  public Path kubeconfigFile() {
    return api.kubeconfigFile();
  }

  /** A new client for the API server; the caller closes it. */
  @Override
  public KubernetesClient newClient() {
    return api.newClient();
  }

  @Override
  public boolean local() {
    return true;
  }

  public List<String> nodeNames() {
    return List.copyOf(nodeNames);
  }

  public Path logDir() {
    return logDir;
  }

  /** From {@link #start()} being called until nodes were Ready. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Elapsed time since start at which each phase (apiserver, controllers, nodes) was done. */
  public Map<String, Duration> phases() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(phases));
  }

  /** The last lines of every process log, for assertion messages. */
  public String logTails() {
    StringBuilder out = new StringBuilder();
    for (Daemon d : daemons) {
      out.append("\n--- ")
          .append(d.name)
          .append(d.process.isAlive() ? "" : " (exited " + d.process.exitValue() + ")")
          .append(": ")
          .append(d.log)
          .append(" ---\n");
      List<String> errors = errorLines(d.log, 10);
      if (!errors.isEmpty()) {
        out.append("errors:\n").append(String.join("\n", errors)).append("\nlast lines:\n");
      }
      out.append(String.join("\n", tail(d.log, LOG_TAIL_LINES)));
    }
    return out.toString();
  }

  @Override
  public void close() {
    close(Boolean.getBoolean("pgconn.keep.logs"));
  }

  private synchronized void close(boolean keepLogs) {
    if (closed) return;
    closed = true;
    destroyDaemons();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
    api.close();
    if (!keepLogs) deleteTree(logDir);
  }

  // --- start-up -------------------------------------------------------------------------------

  private static Path ensureBinaries(Path binDir) {
    Path dir = binDir.resolve("k8s").resolve(LocalControlPlane.K8S_VERSION + "-linux-amd64");
    if (BINARIES.stream().allMatch(b -> Files.isExecutable(dir.resolve(b)))) return dir;
    Path script = BuildScripts.toolsDir().resolve("build-control-plane.sh");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException(
          "control plane: "
              + dir
              + " lacks some of "
              + BINARIES
              + " and "
              + script
              + " is missing");
    }
    System.err.println(
        "control plane: controllers/kwok missing in "
            + dir
            + "; building them"
            + " from Go modules (first time only)");
    BuildScripts.run(List.of("bash", script.toString(), "--with-controllers"), binDir, 60);
    return dir;
  }

  private void startDaemons(Path k8sDir, Path certDir) {
    // kube-api-test keeps its certificates in its test dir and passes apiserver.key to the API
    // server as --service-account-key-file and --service-account-signing-key-file; apiserver.crt
    // is the CA of the admin kubeconfig.
    Path saKey = certDir.resolve("apiserver.key");
    Path rootCa = certDir.resolve("apiserver.crt");
    for (Path p : List.of(saKey, rootCa)) {
      if (!Files.isRegularFile(p)) throw new IllegalStateException("kube-api-test left no " + p);
    }
    String kubeconfig = "--kubeconfig=" + kubeconfigFile();
    Path kwokConfig = logDir.resolve("kwok.yaml");
    try {
      // An explicit, empty config keeps a ~/.kwok/kwok.yaml out; kwok v0.7.0 then uses its
      // built-in node (initialize, heartbeat with lease) and pod (ready, complete, delete) stages.
      Files.writeString(kwokConfig, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int kcmPort = freePort();
    daemons.add(
        Daemon.start(
            "kube-controller-manager",
            logDir,
            kcmPort,
            List.of(
                k8sDir.resolve("kube-controller-manager").toString(),
                kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + kcmPort,
                "--service-account-private-key-file=" + saKey,
                "--root-ca-file=" + rootCa,
                // kwok's node heartbeats can lapse on a loaded machine (2 shared cores): with the
                // default
                // grace period every node turned NotReady about 2 min into a run and the node
                // lifecycle
                // controller marked all pods unready for good (kwok does not make them Ready
                // again).
                "--node-monitor-grace-period=10m")));
    int schedulerPort = freePort();
    daemons.add(
        Daemon.start(
            "kube-scheduler",
            logDir,
            schedulerPort,
            List.of(
                k8sDir.resolve("kube-scheduler").toString(),
                kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + schedulerPort)));
    daemons.add(
        Daemon.start(
            "kwok",
            logDir,
            0,
            List.of(
                k8sDir.resolve("kwok").toString(),
                kubeconfig,
                "--config=" + kwokConfig,
                "--manage-all-nodes=true",
                // kwok's default pod CIDR 10.0.0.1/24 overlaps kube-api-test's service range.
                "--cidr=10.244.0.1/16")));
  }

  private void awaitControllers() {
    await("kube-controller-manager and kube-scheduler healthy")
        .atMost(CONTROLLERS_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertAllAlive();
              return daemons.stream().filter(d -> d.healthPort > 0).allMatch(Daemon::healthy);
            });
    // /healthz is up before the informers sync; the service-account controller creating the
    // default ServiceAccount shows that kube-controller-manager is actually reconciling.
    try (KubernetesClient client = newClient()) {
      await("kube-controller-manager created ServiceAccount default/default")
          .atMost(CONTROLLERS_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                assertAllAlive();
                return client.serviceAccounts().inNamespace("default").withName("default").get()
                    != null;
              });
    }
  }

  private void createNodes(int count) {
    try (KubernetesClient client = newClient()) {
      for (int i = 0; i < count; i++) {
        String name = "kwok-node-" + i;
        Map<String, Quantity> resources =
            Map.of(
                "cpu",
                new Quantity("32"),
                "memory",
                new Quantity("256Gi"),
                "pods",
                new Quantity("110"));
        // kwok's sample node without its NoSchedule taint, so ordinary pods land here.
        Node node =
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .addToAnnotations("kwok.x-k8s.io/node", "fake")
                .addToLabels("type", "kwok")
                .addToLabels("kubernetes.io/hostname", name)
                .addToLabels("kubernetes.io/os", "linux")
                .addToLabels("kubernetes.io/arch", "amd64")
                .addToLabels("kubernetes.io/role", "agent")
                .addToLabels("node-role.kubernetes.io/agent", "")
                .endMetadata()
                .withNewStatus()
                .withAllocatable(resources)
                .withCapacity(resources)
                .endStatus()
                .build();
        client.nodes().resource(node).create();
        nodeNames.add(name);
      }
    }
  }

  private void awaitNodesReady() {
    try (KubernetesClient client = newClient()) {
      await("kwok reports nodes " + nodeNames + " Ready")
          .atMost(NODES_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                assertAllAlive();
                return nodeNames.stream().allMatch(n -> isReady(client.nodes().withName(n).get()));
              });
    }
  }

  static boolean isReady(Node node) {
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private void assertAllAlive() {
    for (Daemon d : daemons) {
      if (!d.process.isAlive()) {
        throw new IllegalStateException(d.name + " exited with code " + d.process.exitValue());
      }
    }
  }

  private void phase(String name, long t0) {
    phases.put(name, Duration.ofNanos(System.nanoTime() - t0));
  }

  private String phaseSummary() {
    StringBuilder s = new StringBuilder("(");
    phases.forEach(
        (k, v) ->
            s.append(s.length() > 1 ? ", " : "")
                .append(k)
                .append(" +")
                .append(v.toMillis())
                .append(" ms"));
    return s.append(")").toString();
  }

  // --- shutdown -------------------------------------------------------------------------------

  /** SIGTERM to every process tree (newest first), SIGKILL to whatever outlives the grace. */
  private void destroyDaemons() {
    List<Process> newestFirst = new ArrayList<>();
    for (int i = daemons.size() - 1; i >= 0; i--) newestFirst.add(daemons.get(i).process);
    ProcessTrees.stop(newestFirst, STOP_GRACE, "full control plane");
  }

  // --- helpers --------------------------------------------------------------------------------

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException | UncheckedIOException e) {
      return List.of("(no log: " + e.getMessage() + ")");
    }
  }

  /** The last error lines (klog E/F, kwok ERROR, cobra "Error:"), which a usage dump buries. */
  static List<String> errorLines(Path file, int max) {
    try {
      List<String> errors =
          Files.readAllLines(file, StandardCharsets.UTF_8).stream()
              .filter(l -> ERROR_LINE.matcher(l).find())
              .toList();
      return errors.subList(Math.max(0, errors.size() - max), errors.size());
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }

  /** One child process with its log file and, for the controllers, an HTTPS health port. */
  private record Daemon(String name, Process process, Path log, int healthPort) {

    private static final SSLSocketFactory TRUST_ALL = trustAll();

    static Daemon start(String name, Path logDir, int healthPort, List<String> command) {
      Path log = logDir.resolve(name + ".log");
      try {
        Files.writeString(log, String.join(" ", command) + "\n");
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new Daemon(name, p, log, healthPort);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name, e);
      }
    }

    /** GET /healthz on the serving port (self-signed in-memory cert; /healthz needs no auth). */
    boolean healthy() {
      try {
        HttpsURLConnection c =
            (HttpsURLConnection)
                new URL("https://127.0.0.1:" + healthPort + "/healthz").openConnection();
        c.setSSLSocketFactory(TRUST_ALL);
        c.setHostnameVerifier((host, session) -> true);
        c.setConnectTimeout(1000);
        c.setReadTimeout(2000);
        try {
          return c.getResponseCode() == HttpURLConnection.HTTP_OK;
        } finally {
          c.disconnect();
        }
      } catch (IOException e) {
        return false;
      }
    }

    private static SSLSocketFactory trustAll() {
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(
            null,
            new TrustManager[] {
              new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                  return new X509Certificate[0];
                }
              }
            },
            new SecureRandom());
        return ctx.getSocketFactory();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
