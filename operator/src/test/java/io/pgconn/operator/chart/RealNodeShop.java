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
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import java.time.Duration;
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
    env.apply(
        """
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: shop, namespace: %1$s}
        spec:
          source: {secretRef: {name: db, key: DATABASE_URL}}
          target: {secretName: %2$s}
          pool: {auto: {reserve: 5}, sslMode: require}
          probe: {mode: Enforce, interval: 1h}
          workloads:
            refs:
              - {kind: Deployment, name: web}
              - {kind: StatefulSet, name: ledger}
              - {kind: DaemonSet, name: agent}
            maxConcurrent: 3
            settleSeconds: 0
        """
            .formatted(NS, TARGET));
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
