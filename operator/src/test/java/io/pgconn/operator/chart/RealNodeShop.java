package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shop on the real node: role and database shop_app/shop in the test's PostgreSQL, a source
 * Secret, the {@link ChartWorkloads} (pause containers whose pods cannot start before the operator
 * wrote the Secret they read) and a policy {@code shop} with an enforced probe that restarts them,
 * all three at once. A password rotation changes PostgreSQL and then the source Secret.
 */
final class RealNodeShop {

  static final String NS = "shop";
  static final String TARGET = "shop-connection";

  private final ChartOnRealNode env;
  private final KubernetesClient admin;
  private final ClusterFixtures k8s;
  private boolean seeded;

  RealNodeShop(ChartOnRealNode env) {
    this.env = env;
    this.admin = env.admin();
    this.k8s = env.k8s();
  }

  /** Seeds the shop the first time; every later call does nothing. */
  void seedOnce(String password) {
    if (seeded) return;
    seeded = true;
    env.pg().createRole("shop_app", password, null);
    env.pg().createDatabase("shop", "shop_app", null);
    k8s.namespace(NS);
    k8s.secret(NS, "db", Map.of("DATABASE_URL", url(password)));
    String pod =
        """
        spec:
          terminationGracePeriodSeconds: 2
          containers:
            - name: app
              image: %s
              imagePullPolicy: Never
              envFrom: [{secretRef: {name: %s}}]
        """
            .formatted(ChartOnRealNode.PAUSE_IMAGE, TARGET);
    env.apply(ChartWorkloads.yaml(NS, pod, 4));
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(5);
    // Room beside it for the demo app's fixed pool (HelmRealNodeIT): a running policy keeps what
    // it holds, and a policy that joins later gets only what is free.
    auto.setMax(3);
    k8s.create(
        Policies.policy(
            NS,
            "shop",
            "db",
            spec -> {
              spec.getTarget().setSecretName(TARGET);
              spec.getPool().setAuto(auto);
              spec.getPool().setSslMode("require");
              spec.getProbe().setMode(ProbeMode.Enforce);
              spec.getWorkloads()
                  .setRefs(
                      List.of(
                          new WorkloadRef(WorkloadKind.Deployment, "web"),
                          new WorkloadRef(WorkloadKind.StatefulSet, "ledger"),
                          new WorkloadRef(WorkloadKind.DaemonSet, "agent")));
              spec.getWorkloads().setMaxConcurrent(3);
              spec.getWorkloads().setSettleSeconds(0);
            }));
  }

  /** The password changes in PostgreSQL, then in the source Secret; waits for the new target. */
  void rotate(String password) {
    env.pg().execute("ALTER ROLE shop_app PASSWORD " + LocalPostgres.quoteLiteral(password));
    k8s.replaceSecret(NS, "db", Map.of("DATABASE_URL", url(password)));
    try {
      await("target Secret carries the rotated password")
          .atMost(ChartOnRealNode.READY)
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> targetUrl().contains(password));
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + diagnosis(), e);
    }
  }

  /** Policy Ready and every workload's pods Ready; with {@code before}, on new pod templates. */
  void awaitWorkloadsReady(Map<String, String> before) {
    try {
      await("policy Ready and workloads Ready" + (before == null ? "" : " on new templates"))
          .atMost(ChartOnRealNode.READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                assertEquals(true, k8s.ready(NS, "shop"), "policy Ready");
                if (before != null) {
                  templateHashes()
                      .forEach((k, v) -> assertNotEquals(before.get(k), v, k + " not restarted"));
                }
                Deployment d = admin.apps().deployments().inNamespace(NS).withName("web").get();
                StatefulSet s =
                    admin.apps().statefulSets().inNamespace(NS).withName("ledger").get();
                DaemonSet ds = admin.apps().daemonSets().inNamespace(NS).withName("agent").get();
                assertEquals(
                    d.getMetadata().getGeneration(), d.getStatus().getObservedGeneration(), "web");
                assertEquals(2, nz(d.getStatus().getUpdatedReplicas()), "web updated");
                assertEquals(2, nz(d.getStatus().getAvailableReplicas()), "web available");
                assertEquals(2, nz(d.getStatus().getReplicas()), "web: old pods gone");
                assertEquals(
                    s.getStatus().getUpdateRevision(),
                    s.getStatus().getCurrentRevision(),
                    "ledger");
                assertEquals(1, nz(s.getStatus().getReadyReplicas()), "ledger ready");
                assertEquals(1, nz(ds.getStatus().getUpdatedNumberScheduled()), "agent updated");
                assertEquals(1, nz(ds.getStatus().getNumberReady()), "agent ready");
              });
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(e.getMessage() + diagnosis(), e);
    }
  }

  /** The pod-template annotations of the three workloads, which a restart changes. */
  Map<String, String> templateHashes() {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata w :
        new HasMetadata[] {
          admin.apps().deployments().inNamespace(NS).withName("web").get(),
          admin.apps().statefulSets().inNamespace(NS).withName("ledger").get(),
          admin.apps().daemonSets().inNamespace(NS).withName("agent").get()
        }) {
      out.put(w.getKind() + "/" + w.getMetadata().getName(), String.valueOf(annotations(w)));
    }
    return out;
  }

  String targetUrl() {
    return k8s.secretValue(NS, TARGET, "DATABASE_URL").orElse("");
  }

  String url(String password) {
    return "postgresql://shop_app:" + password + "@" + env.pgAddress() + "/shop";
  }

  private static Map<String, String> annotations(HasMetadata workload) {
    PodTemplateSpec template =
        workload instanceof Deployment d
            ? d.getSpec().getTemplate()
            : workload instanceof StatefulSet s
                ? s.getSpec().getTemplate()
                : ((DaemonSet) workload).getSpec().getTemplate();
    return template.getMetadata().getAnnotations();
  }

  private String diagnosis() {
    return "\npolicy status: "
        + k8s.status(NS, "shop")
        + "\npods: "
        + env.podsSummary(NS)
        + "\nrefused: "
        + env.refused(401, 403)
        + "\n--- operator log\n"
        + env.operatorLogs();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
