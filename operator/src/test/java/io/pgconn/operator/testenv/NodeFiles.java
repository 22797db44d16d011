package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * The files a {@link RealNode} runs on, all under its own directory: a throw-away CA and the
 * certificates signed by it (openssl), kubeconfigs, and the containerd, kubelet and CNI
 * configurations that work on these machines (see the README's "Try it on a real node").
 */
final class NodeFiles {

  static final String SERVICE_CIDR = "10.0.0.0/24";
  static final String KUBERNETES_SERVICE_IP = "10.0.0.1";
  static final String POD_CIDR = "10.244.0.0/24";
  static final int API_PORT = 6443;

  private final Path dir;
  private final String nodeIp;

  NodeFiles(Path dir, String nodeIp) {
    this.dir = dir;
    this.nodeIp = nodeIp;
  }

  Path pki(String file) {
    return dir.resolve("pki").resolve(file);
  }

  Path containerdSocket() {
    return dir.resolve("containerd/containerd.sock");
  }

  Path containerdConfig() {
    return dir.resolve("containerd/config.toml");
  }

  Path kubeletConfig() {
    return dir.resolve("kubelet/config.yaml");
  }

  Path kubeletRoot() {
    return dir.resolve("kubelet/root");
  }

  /** Admin kubeconfig for the processes inside the namespace (API server at the node address). */
  Path innerKubeconfig() {
    return dir.resolve("admin-inner.kubeconfig");
  }

  /** Admin kubeconfig for the test JVM and helm, through the forwarder on 127.0.0.1. */
  Path outerKubeconfig() {
    return dir.resolve("admin.kubeconfig");
  }

  /** CA, API server serving certificate, admin client certificate, service-account key pair. */
  void writeCertificates() {
    try {
      Files.createDirectories(dir.resolve("pki"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String ec = "ec_paramgen_curve:prime256v1";
    openssl(
        "req",
        "-x509",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        ec,
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=pgconn-real-node-ca",
        "-keyout",
        pki("ca.key").toString(),
        "-out",
        pki("ca.crt").toString());
    String sans =
        "subjectAltName=IP:%s,IP:%s,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
            .formatted(nodeIp, KUBERNETES_SERVICE_IP);
    signed("apiserver", "/CN=kube-apiserver", "serverAuth", sans);
    signed("admin", "/O=system:masters/CN=pgconn-admin", "clientAuth", null);
    // fabric8's client misreads a PKCS#8 ("BEGIN PRIVATE KEY") client key; PKCS#1 it reads.
    openssl(
        "rsa",
        "-in",
        pki("admin.key").toString(),
        "-traditional",
        "-out",
        pki("admin.key").toString());
    openssl("genrsa", "-out", pki("sa.key").toString(), "2048");
    openssl("rsa", "-in", pki("sa.key").toString(), "-pubout", "-out", pki("sa.pub").toString());
  }

  private void signed(String name, String subject, String usage, String sans) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "req",
                "-x509",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                subject,
                "-CA",
                pki("ca.crt").toString(),
                "-CAkey",
                pki("ca.key").toString(),
                "-keyout",
                pki(name + ".key").toString(),
                "-out",
                pki(name + ".crt").toString(),
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "extendedKeyUsage=" + usage));
    if (sans != null) {
      args.add("-addext");
      args.add(sans);
    }
    openssl(args.toArray(String[]::new));
  }

  void writeKubeconfigs(int outerPort) {
    write(innerKubeconfig(), kubeconfig("https://" + nodeIp + ":" + API_PORT));
    write(outerKubeconfig(), kubeconfig("https://127.0.0.1:" + outerPort));
  }

  String outerKubeconfigYaml() {
    try {
      return Files.readString(outerKubeconfig());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: real-node
            cluster:
              server: %s
              certificate-authority-data: %s
        users:
          - name: admin
            user:
              client-certificate-data: %s
              client-key-data: %s
        contexts:
          - name: real-node
            context: {cluster: real-node, user: admin, namespace: default}
        current-context: real-node
        """
        .formatted(
            server, base64(pki("ca.crt")), base64(pki("admin.crt")), base64(pki("admin.key")));
  }

  /**
   * containerd's CRI plugin as it works here: oom_score_adj restricted (a negative one is refused
   * and every sandbox would fail with "can't get final child's PID from pipe: EOF"), cgroupfs, the
   * locally built pause image, CNI from Debian's plugins with the config in this directory.
   */
  void writeContainerdConfig(String pauseImage) {
    Path c = dir.resolve("containerd");
    write(
        containerdConfig(),
        """
        version = 2
        root = "%s"
        state = "%s"
        [grpc]
          address = "%s"
        [ttrpc]
          address = "%s"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%s"
          restrict_oom_score_adj = true
          disable_apparmor = true
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "/usr/lib/cni"
            conf_dir = "%s"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
            runtime_type = "io.containerd.runc.v2"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
              SystemdCgroup = false
        """
            .formatted(
                c.resolve("root"),
                c.resolve("state"),
                containerdSocket(),
                c.resolve("containerd.sock.ttrpc"),
                pauseImage,
                dir.resolve("cni")));
    // Pods that are not hostNetwork get an address on a bridge inside the namespace; the node
    // address is local there, so pods reach the API server and PostgreSQL without routing.
    write(
        dir.resolve("cni/10-pgconn.conflist"),
        """
        {
          "cniVersion": "0.4.0",
          "name": "pgconn",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "cni0",
              "isGateway": true,
              "ipMasq": false,
              "hairpinMode": true,
              "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": "%s"}]],
                "routes": [{"dst": "0.0.0.0/0"}],
                "dataDir": "%s"
              }
            }
          ]
        }
        """
            .formatted(POD_CIDR, dir.resolve("cni-ipam")));
  }

  /**
   * The kubelet settings that work in this sandbox (cgroupfs, no QoS cgroups, no allocatable
   * enforcement, no iptables chains); eviction thresholds near zero so a busy shared machine does
   * not evict the test's pods; no DNS (nothing resolves and nothing leaves the namespace).
   */
  void writeKubeletConfig() {
    write(
        kubeletConfig(),
        """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        authentication:
          anonymous: {enabled: true}
          webhook: {enabled: false}
        authorization: {mode: AlwaysAllow}
        cgroupDriver: cgroupfs
        cgroupsPerQOS: false
        enforceNodeAllocatable: []
        failSwapOn: false
        makeIPTablesUtilChains: false
        localStorageCapacityIsolation: false
        containerRuntimeEndpoint: unix://%s
        podLogsDir: %s
        resolvConf: ""
        address: %s
        healthzBindAddress: 127.0.0.1
        evictionHard: {"memory.available": "1Mi", "nodefs.available": "1%%", "imagefs.available": "1%%"}
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        serializeImagePulls: false
        syncFrequency: 10s
        """
            .formatted(containerdSocket(), dir.resolve("logs/pods"), nodeIp));
  }

  private static void openssl(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    NetworkNamespace.run(cmd);
  }

  private static String base64(Path file) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
