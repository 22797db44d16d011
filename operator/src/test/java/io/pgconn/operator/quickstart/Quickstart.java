package io.pgconn.operator.quickstart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.chart.NodeQuickstart;
import io.pgconn.operator.examples.ExampleFiles;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;

/**
 * The embedded default: a local control plane and a local PostgreSQL started by the project,
 * examples/quickstart applied, the real operator application running, and the outcome printed.
 * Keeps running (Ctrl-C stops everything) unless -Dquickstart.exit=true.
 */
public final class Quickstart implements QuickstartRun {

  private final PrintStream out;
  private final List<AutoCloseable> started = new ArrayList<>();

  public Quickstart(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    boolean exit = Boolean.getBoolean("quickstart.exit");
    // -Dquickstart.node=true: the same example on a real node, the operator installed by its chart.
    QuickstartRun quickstart =
        Boolean.getBoolean("quickstart.node")
            ? new NodeQuickstart(System.out)
            : new Quickstart(System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  quickstart.close();
                  stopped.countDown();
                }));
    try {
      quickstart.run();
    } catch (RuntimeException | AssertionError e) {
      System.err.println("quickstart failed: " + e.getMessage());
      quickstart.close();
      System.exit(1);
    }
    if (exit) {
      quickstart.close();
      System.exit(0);
    }
    System.out.println(
        "\nThe operator keeps running. Ctrl-C stops it, the cluster and PostgreSQL.");
    stopped.await();
  }

  /** Starts everything, applies the example and prints what the operator did. */
  @Override
  public void run() {
    step(
        "Starting a local Kubernetes API server (etcd + kube-apiserver "
            + LocalControlPlane.K8S_VERSION
            + ")");
    LocalControlPlane controlPlane = keep(LocalControlPlane.start());
    step("Starting a local PostgreSQL 16 with ssl=on");
    String password = "qs-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    LocalPostgres postgres =
        keep(LocalPostgres.builder().version(16).ssl(true).maxConnections(50).start());
    postgres.createRole("shop_app", password, null);
    postgres.createDatabase("shop", "shop_app", null);
    KubernetesClient client = keep(controlPlane.newClient());
    ClusterFixtures k8s = new ClusterFixtures(client);
    k8s.installCrd();

    step("Starting the operator (the same Micronaut application that runs in a cluster)");
    OperatorApp app = keep(OperatorApp.start(controlPlane.kubeconfigFile(), Map.of()));

    step("Applying examples/quickstart (the Secret's URL now points at the local PostgreSQL)");
    k8s.namespace("shop");
    Path example = ExampleFiles.root().resolve("quickstart");
    for (HasMetadata resource : ExampleFiles.load(example.resolve("secret.yaml"))) {
      Secret secret = (Secret) resource;
      secret.getStringData().put("DATABASE_URL", postgres.url("shop_app", password, "shop"));
      client.resource(secret).serverSideApply();
    }
    for (String file : List.of("deployment.yaml", "policy.yaml")) {
      ExampleFiles.load(example.resolve(file)).forEach(r -> client.resource(r).serverSideApply());
    }

    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                k8s.condition("shop", "shop-backend", "Ready")
                    .filter(c -> "True".equals(c.getStatus()))
                    .isPresent());
    report(client, k8s, controlPlane, app);
  }

  private void report(
      KubernetesClient client,
      ClusterFixtures k8s,
      LocalControlPlane controlPlane,
      OperatorApp app) {
    QuickstartReport.policy(
        out,
        k8s,
        "shop",
        "shop-backend",
        "shop-backend-connection",
        List.of("DATABASE_URL", "DIRECT_URL"));
    Deployment backend = k8s.getDeployment("shop", "backend").orElseThrow();
    out.println(
        "  Deployment shop/backend rolled: generation "
            + backend.getMetadata().getGeneration()
            + ", pod template annotated "
            + PodTemplateStamps.key("shop-backend")
            + "="
            + ClusterFixtures.annotation(backend, PodTemplateStamps.key("shop-backend")));
    out.println();
    String kubectl = controlPlane.kubectl().toString();
    out.println("Look around with kubectl (the one built for the local control plane):");
    out.println("  export KUBECONFIG=" + controlPlane.kubeconfigFile());
    out.println("  " + kubectl + " get pgcp -n shop");
    out.println("  " + kubectl + " describe pgcp shop-backend -n shop");
    out.println("Health: " + app.url() + "/health");
  }

  private <T extends AutoCloseable> T keep(T resource) {
    started.add(0, resource);
    return resource;
  }

  private void step(String text) {
    out.println("==> " + text);
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable resource : started) {
      try {
        resource.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    started.clear();
  }
}
