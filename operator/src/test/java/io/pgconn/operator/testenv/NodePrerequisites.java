package io.pgconn.operator.testenv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link RealNode} needs before it starts, each checked with a message that says how to get
 * it: root, Debian packages, binaries and images built by tools/ (built here when missing).
 */
final class NodePrerequisites {

  static final List<String> BINARIES =
      List.of(
          "etcd",
          "kube-apiserver",
          "kubectl",
          "kube-controller-manager",
          "kube-scheduler",
          "kubelet");

  private static final List<String> COMMANDS =
      List.of("containerd", "runc", "ctr", "socat", "iptables", "nsenter", "ip", "ss", "openssl");

  private NodePrerequisites() {}

  static void check() {
    String user = NetworkNamespace.run(List.of("id", "-u")).trim();
    if (!user.equals("0")) {
      throw new IllegalStateException(
          "a real node needs root (network namespaces, mounts, containers); this JVM runs as uid "
              + user);
    }
    List<String> missing = new ArrayList<>();
    for (String c : COMMANDS) {
      if (!BuildScripts.onPath(c) && !Files.isExecutable(Path.of("/usr/sbin", c))) missing.add(c);
    }
    if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) missing.add("/usr/lib/cni/bridge");
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "a real node needs "
              + missing
              + ": apt-get install containerd runc containernetworking-plugins socat iptables"
              + " iproute2 util-linux openssl");
    }
  }

  /** The Kubernetes binaries, built by tools/build-control-plane.sh --with-node when missing. */
  static Path binaries() {
    Path binDir = LocalControlPlane.binDir();
    Path dir = binDir.resolve("k8s").resolve(LocalControlPlane.K8S_VERSION + "-linux-amd64");
    if (BINARIES.stream().allMatch(b -> Files.isExecutable(dir.resolve(b)))) return dir;
    Path script = BuildScripts.toolsDir().resolve("build-control-plane.sh");
    System.err.println("real node: building the missing binaries of " + dir + " (once)");
    BuildScripts.run(List.of("bash", script.toString(), "--with-node"), binDir, 60);
    return dir;
  }

  /** An image tarball of tools/build-node-images.sh (run every time: it is cached and quick). */
  static Path image(String file) {
    Path dir = imageDir();
    Path script = BuildScripts.toolsDir().resolve("build-node-images.sh");
    BuildScripts.runWithEnv(
        List.of("bash", script.toString()), "PGCONN_IMAGE_DIR", dir.toString(), 20);
    Path tar = dir.resolve(file);
    if (!Files.isRegularFile(tar)) {
      throw new IllegalStateException(script + " did not produce " + tar);
    }
    return tar;
  }

  static Path imageDir() {
    return Path.of(
        System.getProperty(
            "pgconn.image.dir", System.getProperty("user.home") + "/.cache/pgconn-node/images"));
  }
}
