package io.pgconn.operator.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A single-node Kubernetes cluster whose pods really run: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, containerd and a kubelet, all started by this class
 * inside a network namespace it creates ({@link NetworkNamespace}), with the node's address on that
 * namespace's loopback and pods on a CNI bridge inside it. Binaries come from
 * tools/build-control-plane.sh --with-node, the pause image from tools/build-node-images.sh (both
 * cached outside the repository). Needs root and Debian's containerd, runc,
 * containernetworking-plugins, socat and iptables.
 *
 * <p>The test JVM reaches the API server through a forwarder on 127.0.0.1 ({@link
 * #kubeconfigFile()}); pods reach the API server at the node address (and at the {@code kubernetes}
 * Service's ClusterIP through one DNAT rule in the namespace, in place of kube-proxy) and services
 * of the test JVM through {@link #exposeToPods}. {@link #close()} (also run on JVM exit) stops
 * every container and process, unmounts what the runtime mounted and deletes the namespace and the
 * directory, also after a failed start.
 */
public final class RealNode implements AutoCloseable {

  public static final String NODE_NAME = "pgconn-node";
  public static final String NODE_IP = "10.200.0.1";
  static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

  private static final Duration API_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(120);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Path dir;
  private final String netnsName;
  private final Path logDir;
  private final NodeFiles files;
  private final NodeProcesses processes;
  private final Map<String, Duration> phases = new LinkedHashMap<>();
  private final Thread shutdownHook = new Thread(this::teardown, "real-node-stop");
  private NetworkNamespace netns;
  private int apiPort;
  private boolean closed;

  private RealNode(Path dir, String netnsName) {
    this.dir = dir;
    this.netnsName = netnsName;
    this.logDir = dir.resolve("logs");
    this.files = new NodeFiles(dir, NODE_IP);
    this.processes = new NodeProcesses(logDir);
  }

  /**
   * Starts the node and returns once it is Ready and the controllers run.
   *
   * @param apiServerFlags extra kube-apiserver flags, e.g. {@link AuditLog#apiServerFlags()}
   */
  public static RealNode start(Map<String, String> apiServerFlags) {
    long t0 = System.nanoTime();
    NodePrerequisites.check();
    Path k8s = NodePrerequisites.binaries();
    Path pauseTar = NodePrerequisites.image("pause.tar");
    AbandonedNodes.sweep();
    Path dir;
    String netnsName =
        AbandonedNodes.PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    try {
      // Short: containerd's socket paths live under it.
      dir = Files.createTempDirectory(AbandonedNodes.TMP, AbandonedNodes.PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Before anything it starts: a JVM killed from here on leaves a node the next one removes.
    AbandonedNodes.claim(dir, netnsName);
    RealNode node = new RealNode(dir, netnsName);
    Runtime.getRuntime().addShutdownHook(node.shutdownHook);
    try {
      node.phase("prerequisites", t0);
      node.startControlPlane(k8s, apiServerFlags);
      node.phase("control plane", t0);
      node.startRuntime(pauseTar);
      node.phase("containerd", t0);
      node.startKubelet(k8s);
      node.phase("node Ready", t0);
      System.err.printf(
          "real node: ready in %d ms %s; files in %s%n",
          Duration.ofNanos(System.nanoTime() - t0).toMillis(), node.phases, dir);
      return node;
    } catch (RuntimeException | Error e) {
      String tails = node.logTails();
      node.close(true);
      throw new IllegalStateException(
          "real node did not start: " + e.getMessage() + "\nlogs kept in " + node.logDir + tails,
          e);
    }
  }

  /** An image tarball of tools/build-node-images.sh (built or refreshed first: it is cached). */
  public static Path imageTarball(String file) {
    return NodePrerequisites.image(file);
  }

  /** Admin kubeconfig (system:masters) for the test JVM and helm, through 127.0.0.1. */
  public Path kubeconfigFile() {
    return files.outerKubeconfig();
  }

  public String kubeconfigYaml() {
    return files.outerKubeconfigYaml();
  }

  /** A new admin client; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(files.outerKubeconfigYaml()))
        .build();
  }

  /** Imports an image tarball (docker save or OCI layout) where the kubelet finds it. */
  public void importImage(Path tarball) {
    NetworkNamespace.run(
        List.of(
            "ctr",
            "-a",
            files.containerdSocket().toString(),
            "-n",
            "k8s.io",
            "images",
            "import",
            "--no-unpack=false",
            tarball.toString()));
  }

  /**
   * Makes 127.0.0.1:{@code hostPort} of the test JVM (e.g. a {@link LocalPostgres}) reachable from
   * pods at {@code NODE_IP:nodePort}; returns that address as host:port.
   */
  public String exposeToPods(int hostPort, int nodePort) {
    processes.start("expose-" + nodePort, netns.forwardOut(nodePort, hostPort));
    String target = NODE_IP + ":" + nodePort;
    await("forwarder on " + target)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              processes.assertAlive();
              return netns.exec(List.of("ss", "-ltnH")).contains(target);
            });
    return target;
  }

  public Path logDir() {
    return logDir;
  }

  /** Elapsed time since start at which each phase was done. */
  public Map<String, Duration> phases() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(phases));
  }

  /** The last lines (and error lines) of every process log, for assertion messages. */
  public String logTails() {
    return processes.logTails();
  }

  @Override
  public void close() {
    close(Boolean.getBoolean("pgconn.keep.logs"));
  }

  private synchronized void close(boolean keepFiles) {
    if (closed) return;
    closed = true;
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway and finds nothing left
    }
    NodeCleanup.deleteDirectory(dir, keepFiles ? logDir : null);
  }

  // --- start-up -------------------------------------------------------------------------------

  private void startControlPlane(Path k8s, Map<String, String> apiServerFlags) {
    files.writeCertificates();
    apiPort = freePort();
    files.writeKubeconfigs(apiPort);
    netns = NetworkNamespace.create(netnsName, NODE_IP);
    // In place of kube-proxy, the one Service pods need: `kubernetes` (the operator's in-cluster
    // client uses its ClusterIP from KUBERNETES_SERVICE_HOST) goes to the API server.
    for (String chain : List.of("PREROUTING", "OUTPUT")) {
      netns.exec(
          List.of(
              "iptables",
              "-t",
              "nat",
              "-A",
              chain,
              "-d",
              NodeFiles.KUBERNETES_SERVICE_IP + "/32",
              "-p",
              "tcp",
              "--dport",
              "443",
              "-j",
              "DNAT",
              "--to-destination",
              NODE_IP + ":" + NodeFiles.API_PORT));
    }
    processes.start(
        "etcd",
        netns.command(
            List.of(
                k8s.resolve("etcd").toString(),
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:2379",
                "--advertise-client-urls=http://127.0.0.1:2379",
                "--listen-peer-urls=http://127.0.0.1:2380",
                "--initial-advertise-peer-urls=http://127.0.0.1:2380",
                "--initial-cluster=default=http://127.0.0.1:2380",
                "--unsafe-no-fsync=true")));
    List<String> api =
        new ArrayList<>(
            List.of(
                k8s.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:2379",
                "--bind-address=0.0.0.0",
                "--secure-port=" + NodeFiles.API_PORT,
                "--advertise-address=" + NODE_IP,
                "--tls-cert-file=" + files.pki("apiserver.crt"),
                "--tls-private-key-file=" + files.pki("apiserver.key"),
                "--client-ca-file=" + files.pki("ca.crt"),
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + files.pki("sa.pub"),
                "--service-account-signing-key-file=" + files.pki("sa.key"),
                "--service-cluster-ip-range=" + NodeFiles.SERVICE_CIDR,
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=true",
                "--kubelet-preferred-address-types=InternalIP",
                "--kubelet-client-certificate=" + files.pki("admin.crt"),
                "--kubelet-client-key=" + files.pki("admin.key")));
    apiServerFlags.forEach((k, v) -> api.add(k + "=" + v));
    processes.start("kube-apiserver", netns.command(api));
    processes.start("api-forwarder", netns.forwardIn(apiPort, NODE_IP + ":" + NodeFiles.API_PORT));
    try (KubernetesClient client = newClient()) {
      await("kube-apiserver ready")
          .atMost(API_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                processes.assertAlive();
                return "ok".equals(client.raw("/readyz"));
              });
    }
    String kubeconfig = "--kubeconfig=" + files.innerKubeconfig();
    processes.start(
        "kube-controller-manager",
        netns.command(
            List.of(
                k8s.resolve("kube-controller-manager").toString(),
                kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--service-account-private-key-file=" + files.pki("sa.key"),
                "--root-ca-file=" + files.pki("ca.crt"),
                "--use-service-account-credentials=true")));
    processes.start(
        "kube-scheduler",
        netns.command(
            List.of(
                k8s.resolve("kube-scheduler").toString(),
                kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1")));
    try (KubernetesClient client = newClient()) {
      // The service-account controller creating default/default shows the controllers reconcile.
      await("kube-controller-manager created ServiceAccount default/default")
          .atMost(API_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                processes.assertAlive();
                return client.serviceAccounts().inNamespace("default").withName("default").get()
                    != null;
              });
    }
  }

  private void startRuntime(Path pauseTar) {
    files.writeContainerdConfig(PAUSE_IMAGE);
    processes.start(
        "containerd",
        netns.command(List.of("containerd", "--config", files.containerdConfig().toString())));
    await("containerd socket")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              processes.assertAlive();
              NetworkNamespace.run(
                  List.of("ctr", "-a", files.containerdSocket().toString(), "version"));
              return true;
            });
    importImage(pauseTar);
  }

  private void startKubelet(Path k8s) {
    files.writeKubeletConfig();
    processes.start(
        "kubelet",
        netns.command(
            List.of(
                k8s.resolve("kubelet").toString(),
                "--config=" + files.kubeletConfig(),
                "--kubeconfig=" + files.innerKubeconfig(),
                "--root-dir=" + files.kubeletRoot(),
                "--cert-dir=" + dir.resolve("kubelet/pki"),
                "--hostname-override=" + NODE_NAME,
                "--node-ip=" + NODE_IP)));
    try (KubernetesClient client = newClient()) {
      await("node " + NODE_NAME + " Ready")
          .atMost(NODE_TIMEOUT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                processes.assertAlive();
                return FullControlPlane.isReady(client.nodes().withName(NODE_NAME).get());
              });
    }
  }

  // --- teardown -------------------------------------------------------------------------------

  /**
   * Kubelet first (so it restarts nothing), then every container (through the shims of this node's
   * containerd, found by its socket), containerd, the control plane and forwarders; then the mounts
   * under the directory, the pods' network namespaces, CNI results and cgroups, then our namespace.
   */
  private void teardown() {
    List<String> ids = NodeCleanup.containerIds(dir);
    List<String> podNetns = NodeCleanup.podNetnsOf(dir);
    processes.stop("kubelet");
    NodeCleanup.killShims(files.containerdSocket());
    processes.stop("containerd");
    processes.stopAll();
    NodeCleanup.removeLeftovers(dir, ids, podNetns);
    if (netns != null) netns.close();
    AbandonedNodes.release(dir);
  }

  private void phase(String name, long t0) {
    phases.put(name, Duration.ofNanos(System.nanoTime() - t0));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
