package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.examples.ExampleFiles;
import io.pgconn.operator.quickstart.QuickstartReport;
import io.pgconn.operator.quickstart.QuickstartRun;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.ScratchDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quick start on a real node: a single-node cluster of upstream components with containerd, a
 * PostgreSQL 16 with TLS, the operator's image installed by {@code helm install} of the chart, then
 * examples/quickstart's Secret with examples/quickstart/real-node's policy and Deployment: the demo
 * app, whose three pods read the tuned Secret and open their pools to the limit in it. Prints the
 * outcome as the embedded quick start does, plus what the pods and PostgreSQL say.
 */
public final class NodeQuickstart implements QuickstartRun {

  static final String NS = "shop";
  static final String POLICY = "shop-backend";
  static final String TARGET = "shop-backend-connection";
  static final String DEPLOYMENT = "backend";
  private static final Pattern POOL_HOLDS = Pattern.compile("pool holds (\\d+) of (\\d+)");

  private final PrintStream out;
  private Path scratch;
  private ChartOnRealNode env;

  public NodeQuickstart(PrintStream out) {
    this.out = out;
  }

  /** Starts everything, applies the example and prints what the operator and the app did. */
  @Override
  public void run() {
    step(
        "Starting a single-node cluster (etcd, kube-apiserver, controller-manager, scheduler,"
            + " kubelet "
            + LocalControlPlane.K8S_VERSION
            + ", containerd), a PostgreSQL 16 with ssl=on, and helm install of"
            + " helm/pgconn-operator with the operator's image");
    scratch = tempDir();
    env = ChartOnRealNode.install(scratch, 1);
    env.awaitOperatorsReady(1);
    KubernetesClient client = env.admin();
    ClusterFixtures k8s = env.k8s();

    step(
        "Applying examples/quickstart/secret.yaml (its URL now points at the test's PostgreSQL)"
            + " and examples/quickstart/real-node (the policy, and the demo app as the backend)");
    String password = "qs-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    env.pg().createRole("shop_app", password, null);
    env.pg().createDatabase("shop", "shop_app", null);
    k8s.namespace(NS);
    Path example = ExampleFiles.root().resolve("quickstart");
    for (HasMetadata resource : ExampleFiles.load(example.resolve("secret.yaml"))) {
      Secret secret = (Secret) resource;
      secret
          .getStringData()
          .put(
              "DATABASE_URL",
              "postgresql://shop_app:" + password + "@" + env.pgAddress() + "/shop");
      client.resource(secret).serverSideApply();
    }
    for (String file : List.of("real-node/deployment.yaml", "real-node/policy.yaml")) {
      ExampleFiles.load(example.resolve(file)).forEach(r -> client.resource(r).serverSideApply());
    }
    awaitAppAtItsLimit(k8s);
    report(client, k8s);
  }

  /** Policy Ready, and the backend's 3 pods Ready on the rolled template, holding their pools. */
  private void awaitAppAtItsLimit(ClusterFixtures k8s) {
    try {
      await("policy Ready and the demo app's 3 pods Ready at their limit")
          .atMost(ChartOnRealNode.READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                assertEquals(true, k8s.ready(NS, POLICY), "policy Ready");
                Deployment d = backend();
                assertEquals(
                    d.getMetadata().getGeneration(),
                    d.getStatus().getObservedGeneration(),
                    "rollout observed");
                assertEquals(3, nz(d.getStatus().getUpdatedReplicas()), "updated pods");
                assertEquals(3, nz(d.getStatus().getReadyReplicas()), "ready pods");
                assertEquals(3, nz(d.getStatus().getReplicas()), "old pods gone");
                int limit = k8s.policy(NS, POLICY).getStatus().getPool().getConnectionLimit();
                assertEquals(3 * limit, env.sessionsOf("shop_app"), "sessions: 3 pods x limit");
              });
    } catch (RuntimeException | AssertionError e) {
      throw new IllegalStateException(e.getMessage() + env.diagnosis(NS, POLICY), e);
    }
  }

  private void report(KubernetesClient client, ClusterFixtures k8s) {
    PolicyStatus status =
        QuickstartReport.policy(
            out, k8s, NS, POLICY, TARGET, List.of("DATABASE_URL", "DIRECT_URL"));
    Deployment d = backend();
    out.println(
        "  Deployment shop/backend rolled: generation "
            + d.getMetadata().getGeneration()
            + ", "
            + d.getStatus().getReadyReplicas()
            + " pods Ready (/health runs SELECT 1 over TLS):");
    for (Pod pod : client.pods().inNamespace(NS).withLabel("app", DEPLOYMENT).list().getItems()) {
      // The pods the rollout replaced may still be terminating, some never started (the operator
      // stamped the template while they were being created): they have no log to read.
      if (pod.getMetadata().getDeletionTimestamp() != null
          || !"Running".equals(pod.getStatus().getPhase())) {
        continue;
      }
      String name = pod.getMetadata().getName();
      out.println(
          "    " + name + ": " + poolLine(client.pods().inNamespace(NS).withName(name).getLog()));
    }
    out.println(
        "  PostgreSQL counts "
            + env.sessionsOf("shop_app")
            + " sessions of shop_app (pg_stat_activity): 3 pods x "
            + status.getPool().getConnectionLimit());
    out.println();
    out.println("Look around with kubectl (the one built for this cluster):");
    out.println("  export KUBECONFIG=" + env.kubeconfigFile());
    String kubectl = LocalControlPlane.kubectlBinary().toString();
    out.println("  " + kubectl + " get pgcp,deploy,pods -n shop");
    out.println(
        "  " + kubectl + " logs -n " + ChartOnRealNode.RELEASE_NS + " deploy/pgconn-operator");
  }

  /** What the demo app logged about its pool, the last time it did. */
  private static String poolLine(String log) {
    Matcher m = POOL_HOLDS.matcher(log == null ? "" : log);
    String last = null;
    while (m.find()) last = m.group();
    return last == null ? "(no pool line in its log yet)" : last + " connections";
  }

  private Deployment backend() {
    return env.admin().apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get();
  }

  private void step(String text) {
    out.println("==> " + text);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("pgconn-quickstart-node");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  @Override
  public synchronized void close() {
    if (env != null) env.close();
    env = null;
    try {
      ScratchDirs.delete(scratch);
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
    scratch = null;
  }
}
