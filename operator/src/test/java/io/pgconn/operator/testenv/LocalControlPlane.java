package io.pgconn.operator.testenv;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.KubeAPITestException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A real etcd + kube-apiserver (no controllers) through io.fabric8:kube-api-test, on binaries this
 * project builds from Go modules (tools/build-control-plane.sh) into {@code
 * <pgconn.bin.dir>/k8s/<version>-linux-amd64}. When they are missing and Go is on PATH they are
 * built first (once per machine, with progress on the console); without Go, kube-api-test is left
 * to download them, which works only on a machine with internet access.
 */
public final class LocalControlPlane implements TestCluster {

  public static final String K8S_VERSION = "1.34.4";

  private final KubeAPIServer server;
  private final String kubeconfigYaml;
  private final Path kubeconfigFile;

  private LocalControlPlane(KubeAPIServer server, String kubeconfigYaml, Path kubeconfigFile) {
    this.server = server;
    this.kubeconfigYaml = kubeconfigYaml;
    this.kubeconfigFile = kubeconfigFile;
  }

  public static LocalControlPlane start() {
    return start(Map.of());
  }

  /**
   * @param apiServerFlags extra kube-apiserver flags, e.g. audit logging
   */
  public static LocalControlPlane start(Map<String, String> apiServerFlags) {
    Path binDir = binDir();
    boolean present = ensureBinaries(binDir);
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(binDir.toString())
            .withApiServerVersion(K8S_VERSION)
            // The parameter is named the other way round in 7.5.2: true means "never download".
            .withOfflineMode(present)
            .withUpdateKubeConfig(false)
            .withApiServerFlag("--advertise-address", "127.0.0.1");
    apiServerFlags.forEach(config::withApiServerFlag);
    KubeAPIServer server = startWithRetry(config);
    try {
      String yaml = server.getKubeConfigYaml();
      Path file = Files.createTempFile("pgconn-kubeconfig-", ".yaml");
      Files.writeString(file, yaml);
      return new LocalControlPlane(server, yaml, file);
    } catch (IOException e) {
      server.stop();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts etcd and kube-apiserver, up to three times. kube-api-test picks free ports and hands
   * them to etcd after releasing them, so another process of the build can take one first: CI at
   * 34964d2 lost CrdValidationIT's whole class to "etcd process stopped unexpectedly", and the
   * class-level error was not rerun. A failed start is stopped (its processes and directories)
   * before the next one, which gets new ports.
   */
  private static KubeAPIServer startWithRetry(KubeAPIServerConfigBuilder config) {
    for (int attempt = 1; ; attempt++) {
      KubeAPIServer server = new KubeAPIServer(config.build());
      new StartupClock(Clock.systemDefaultZone())
          .awaitStartWithoutWrap(StartupClock.KUBE_API_TEST_TIMEOUT);
      try {
        server.start();
        return server;
      } catch (KubeAPITestException e) {
        try {
          server.stop();
        } catch (RuntimeException stopFailed) {
          e.addSuppressed(stopFailed);
        }
        if (attempt == 3) throw e;
        System.err.println(
            "local control plane: start " + attempt + " of 3 failed (" + e.getMessage() + ")");
      }
    }
  }

  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  @Override
  public Path kubeconfigFile() {
    return kubeconfigFile;
  }

  /** The kubectl built with the control plane. */
  public Path kubectl() {
    return kubectlBinary();
  }

  /** The kubectl built with the control plane (tools/build-control-plane.sh). */
  public static Path kubectlBinary() {
    return binDir().resolve("k8s").resolve(K8S_VERSION + "-linux-amd64").resolve("kubectl");
  }

  @Override
  public boolean local() {
    return true;
  }

  /** A new client for this API server; the caller closes it. */
  @Override
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
  }

  @Override
  public void close() {
    server.stop();
    try {
      Files.deleteIfExists(kubeconfigFile);
    } catch (IOException e) {
      // a temp file left behind is harmless
    }
  }

  static Path binDir() {
    return Path.of(
        System.getProperty("pgconn.bin.dir", System.getProperty("user.home") + "/.kubeapitest"));
  }

  /**
   * @return whether the binaries are present (after building them if needed and possible)
   */
  private static boolean ensureBinaries(Path binDir) {
    Path dir = binDir.resolve("k8s").resolve(K8S_VERSION + "-linux-amd64");
    if (List.of("etcd", "kube-apiserver", "kubectl").stream()
        .allMatch(b -> Files.isExecutable(dir.resolve(b)))) {
      return true;
    }
    Path script = BuildScripts.toolsDir().resolve("build-control-plane.sh");
    if (!Files.isRegularFile(script) || !BuildScripts.onPath("go")) {
      System.err.println(
          "control plane: no binaries in "
              + dir
              + " and no Go toolchain to build"
              + " them; kube-api-test will try to download them");
      return false;
    }
    System.err.println(
        "control plane: binaries missing in "
            + dir
            + "; building them from Go"
            + " modules (first time only)");
    BuildScripts.run(List.of("bash", script.toString()), binDir, 60);
    return true;
  }
}
