package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.RealNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a platform team does first, on a real node: import the operator image built by Jib, {@code
 * helm install} the chart, and watch. The operator pod must become Ready through the chart's own
 * probes, run with exactly the chart's ServiceAccount and RBAC (the audit log shows no 403 for it),
 * reach the real PostgreSQL from its pod, write the tuned Secret that a Deployment scaled by an
 * HPA, a StatefulSet and a DaemonSet read (their pods only start once it exists), and roll all
 * three onto a rotated password; and the demo app (Go, pgx) connecting at its limit and rolling
 * onto a rotated password. Opt-in: {@code mvn -pl operator -Preal-node verify}.
 */
@Tag("real-node")
class HelmRealNodeIT {

  private static final String RELEASE_NS = "pgconn-system";
  private static final String NS = "shop";
  private static final String SA_USER = "system:serviceaccount:" + RELEASE_NS + ":pgconn-operator";
  private static final String TARGET = "shop-connection";
  // Canaries: neither may appear anywhere but in the Secrets.
  private static final String PASSWORD = "canary-Pw-1-3f9c";
  private static final String ROTATED = "canary-Pw-2-8d1e";
  private static final Duration READY = Duration.ofMinutes(4);

  @TempDir static Path scratch;
  private static final AuditLog audit = AuditLog.forServiceAccounts();
  private static final Map<String, Long> timings = new java.util.LinkedHashMap<>();
  private static LocalPostgres pg;
  private static RealNode node;
  private static KubernetesClient admin;
  private static String pgAddress;

  @BeforeAll
  static void installTheChartOnARealNode() {
    long t0 = System.nanoTime();
    pg = LocalPostgres.builder().ssl(true).maxConnections(50).start();
    pg.createRole("shop_app", PASSWORD, null);
    pg.createDatabase("shop", "shop_app", null);
    Map<String, String> flags = new HashMap<>(audit.apiServerFlags());
    flags.put("--enable-admission-plugins", "OwnerReferencesPermissionEnforcement");
    node = RealNode.start(flags);
    timings.put("node up", elapsed(t0));
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
    timings.put("image import", elapsed(t1));

    Helm helm = Helm.locate(scratch);
    int colon = image.lastIndexOf(':');
    Helm.Result install =
        helm.run(
            List.of(
                "install",
                "pgconn-operator",
                Helm.repoRoot().resolve("helm/pgconn-operator").toString(),
                "--kubeconfig",
                node.kubeconfigFile().toString(),
                "--namespace",
                RELEASE_NS,
                "--create-namespace",
                "--set",
                "image.repository=" + image.substring(0, colon),
                "--set",
                "image.tag=" + image.substring(colon + 1),
                "--set",
                "image.pullPolicy=Never"));
    assertTrue(install.ok(), install.describe());
    timings.put("helm install", elapsed(t0));
  }

  @AfterAll
  static void stop() {
    if (admin != null) admin.close();
    if (node != null) node.close();
    if (pg != null) pg.close();
    System.err.println("HelmRealNodeIT timings (ms since start): " + timings);
  }

  @Test
  void theChartsOperatorTunesAndRollsRealWorkloadsWithoutOneForbiddenRequest() {
    long t0 = System.nanoTime();
    Pod operator = awaitOperatorReady();
    timings.put("operator Ready (after install)", elapsed(t0));
    assertEquals("pgconn-operator", operator.getSpec().getServiceAccountName());
    assertEquals(RealNode.NODE_NAME, operator.getSpec().getNodeName());

    seedShop();
    long t1 = System.nanoTime();
    awaitWorkloadsReady(null);
    timings.put("policy Ready, workloads Ready", elapsed(t1));
    String firstUrl = targetUrl();
    assertTrue(firstUrl.contains("@" + pgAddress + "/shop"), "tuned URL points at PostgreSQL");

    // Rotation: the password changes in PostgreSQL and then in the source Secret.
    Map<String, String> before = templateHashes();
    long t2 = System.nanoTime();
    pg.execute("ALTER ROLE shop_app PASSWORD " + LocalPostgres.quoteLiteral(ROTATED));
    admin.secrets().inNamespace(NS).resource(sourceSecret(ROTATED)).update();
    try {
      await("target Secret carries the rotated password")
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> targetUrl().contains(ROTATED));
    } catch (RuntimeException e) {
      throw new AssertionError(
          e.getMessage()
              + "\nrefused: "
              + refused()
              + "\npolicy status: "
              + policyStatus()
              + "\n--- operator log\n"
              + operatorLogs(),
          e);
    }
    awaitWorkloadsReady(before);
    timings.put("rotation rolled all three", elapsed(t2));

    List<AuditLog.Request> mine = operatorRequests();
    assertFalse(mine.isEmpty(), "no request by " + SA_USER + " in the audit log");
    assertEquals(List.of(), refused(), "requests of the operator's ServiceAccount refused");
    assertTrue(
        mine.stream()
            .anyMatch(r -> r.permission().equals("autoscaling/horizontalpodautoscalers:list")),
        "the operator listed HPAs: " + permissions(mine));
    for (String patched : List.of("deployments", "statefulsets", "daemonsets")) {
      assertTrue(
          mine.stream().anyMatch(r -> r.permission().equals("apps/" + patched + ":patch")),
          "the operator patched " + patched + ": " + permissions(mine));
    }
    String logs = operatorLogs();
    assertFalse(logs.contains(PASSWORD) || logs.contains(ROTATED), "a password in the logs");
  }

  /**
   * The demo app (Go, pgx) as a Deployment of 3 replicas with maxSurge 1: its pods read the tuned
   * Secret, open their pools to exactly the limit in it (PostgreSQL counts 3 x limit sessions of
   * the role) and pass /health (SELECT 1) as their readiness probe, over TLS; a password rotation
   * rolls them onto a new ReplicaSet whose pods connect with the new password.
   */
  @Test
  void theDemoAppConnectsAtItsLimitAndRollsOntoARotatedPassword() {
    awaitOperatorReady();
    pg.createRole("demo_app", PASSWORD, null);
    pg.createDatabase("demo", "demo_app", null);
    apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        """);
    admin.secrets().inNamespace("demo").resource(demoSource(PASSWORD)).create();
    apply(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app, namespace: demo}
        spec:
          replicas: 3
          strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
          selector: {matchLabels: {app: demo}}
          template:
            metadata: {labels: {app: demo}}
            spec:
              terminationGracePeriodSeconds: 5
              containers:
                - name: app
                  image: pgconn.local/demo-app:dev
                  imagePullPolicy: Never
                  envFrom: [{secretRef: {name: demo-connection}}]
                  readinessProbe:
                    httpGet: {path: /health, port: 8080}
                    periodSeconds: 2
        ---
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: demo, namespace: demo}
        spec:
          source: {secretRef: {name: db, key: DATABASE_URL}}
          target:
            secretName: demo-connection
            outputs: [{key: DATABASE_URL, format: pgx}]
          pool: {connectionLimit: 4, sslMode: require}
          probe: {mode: Enforce, interval: 1h}
          workloads:
            refs: [{kind: Deployment, name: app}]
            settleSeconds: 0
        """);
    long t0 = System.nanoTime();
    awaitDemo(3, null);
    timings.put("demo app 3 pods Ready at their limit", elapsed(t0));
    String firstRs = currentReplicaSet();

    long t1 = System.nanoTime();
    pg.execute("ALTER ROLE demo_app PASSWORD " + LocalPostgres.quoteLiteral(ROTATED));
    admin.secrets().inNamespace("demo").resource(demoSource(ROTATED)).update();
    awaitDemo(3, firstRs);
    timings.put("demo app rolled onto the rotated password", elapsed(t1));
    long errors = demoLogs().lines().filter(l -> l.contains("connection error")).count();
    System.err.println("HelmRealNodeIT: connection errors in the new demo pods' logs: " + errors);
    String logs = demoLogs();
    assertTrue(logs.contains("pool holds 4 of 4 connections"), "the new pods' logs:\n" + logs);
    assertFalse(logs.contains(PASSWORD) || logs.contains(ROTATED), "a password in the app logs");
  }

  /** 3 demo pods Ready (on a ReplicaSet other than {@code oldRs}), holding 3 x limit sessions. */
  private static void awaitDemo(int replicas, String oldRs) {
    try {
      await("demo app Ready at its limit" + (oldRs == null ? "" : " on a new ReplicaSet"))
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                String url = secretUrl("demo", "demo-connection");
                java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("pool_max_conns=(\\d+)").matcher(url);
                assertTrue(m.find(), "pool_max_conns in the tuned URL");
                int limit = Integer.parseInt(m.group(1));
                if (oldRs != null) {
                  assertTrue(url.contains(ROTATED), "target carries the rotated password");
                  assertNotEquals(oldRs, currentReplicaSet(), "a new ReplicaSet");
                }
                Deployment d = admin.apps().deployments().inNamespace("demo").withName("app").get();
                assertEquals(replicas, nz(d.getStatus().getUpdatedReplicas()), "updated");
                assertEquals(replicas, nz(d.getStatus().getReadyReplicas()), "ready");
                assertEquals(replicas, nz(d.getStatus().getReplicas()), "old pods gone");
                assertEquals(
                    replicas * limit,
                    sessions("demo_app"),
                    "sessions of demo_app: " + replicas + " pods x limit " + limit);
              });
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\npods: "
              + admin.pods().inNamespace("demo").list().getItems().stream()
                  .map(
                      p ->
                          p.getMetadata().getName()
                              + " "
                              + p.getStatus().getPhase()
                              + " "
                              + p.getStatus().getContainerStatuses())
                  .toList()
              + "\n--- demo logs\n"
              + demoLogs()
              + "\n--- operator log\n"
              + operatorLogs(),
          e);
    }
  }

  private static int sessions(String role) {
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

  private static String currentReplicaSet() {
    Deployment d = admin.apps().deployments().inNamespace("demo").withName("app").get();
    String revision = d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    return admin.apps().replicaSets().inNamespace("demo").list().getItems().stream()
        .filter(
            rs ->
                Objects.equals(
                    revision,
                    rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision")))
        .map(rs -> rs.getMetadata().getName())
        .findFirst()
        .orElse("");
  }

  private static String demoLogs() {
    StringBuilder out = new StringBuilder();
    for (Pod p : admin.pods().inNamespace("demo").list().getItems()) {
      try {
        out.append(admin.pods().inNamespace("demo").withName(p.getMetadata().getName()).getLog());
      } catch (RuntimeException e) {
        out.append("(no log of ")
            .append(p.getMetadata().getName())
            .append(": ")
            .append(e)
            .append(")\n");
      }
    }
    return out.toString();
  }

  private static Secret demoSource(String password) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace("demo")
        .endMetadata()
        .addToStringData(
            "DATABASE_URL", "postgresql://demo_app:" + password + "@" + pgAddress + "/demo")
        .build();
  }

  private static String secretUrl(String namespace, String name) {
    Secret s = admin.secrets().inNamespace(namespace).withName(name).get();
    if (s == null || s.getData() == null || s.getData().get("DATABASE_URL") == null) return "";
    return new String(
        Base64.getDecoder().decode(s.getData().get("DATABASE_URL")), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- steps

  private static Pod awaitOperatorReady() {
    try {
      return await("operator pod Ready through the chart's probes")
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  admin.pods().inNamespace(RELEASE_NS).list().getItems().stream()
                      .filter(HelmRealNodeIT::ready)
                      .findFirst()
                      .orElse(null),
              Objects::nonNull);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "operator not Ready: "
              + admin.pods().inNamespace(RELEASE_NS).list().getItems().stream()
                  .map(p -> p.getMetadata().getName() + " " + p.getStatus())
                  .toList()
              + "\n--- operator log\n"
              + operatorLogs()
              + node.logTails(),
          e);
    }
  }

  private static void seedShop() {
    apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        """
            .formatted(NS));
    admin.secrets().inNamespace(NS).resource(sourceSecret(PASSWORD)).create();
    // Every pod reads the tuned Secret: none can start before the operator wrote it.
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
            .formatted(pauseImage(), TARGET);
    apply(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: %1$s}
        spec:
          replicas: 2
          strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
        %2$s
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: %1$s}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 2
          maxReplicas: 4
          metrics:
            - type: Resource
              resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ledger, namespace: %1$s}
        spec: {clusterIP: None, selector: {app: ledger}}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: ledger, namespace: %1$s}
        spec:
          replicas: 1
          serviceName: ledger
          selector: {matchLabels: {app: ledger}}
          template:
            metadata: {labels: {app: ledger}}
        %2$s
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: %1$s}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
        %2$s
        ---
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: shop, namespace: %1$s}
        spec:
          source: {secretRef: {name: db, key: DATABASE_URL}}
          target: {secretName: %3$s}
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
            .formatted(NS, pod.stripTrailing(), TARGET));
  }

  /** Policy Ready and every workload's pods Ready; with {@code before}, on a new pod template. */
  private static void awaitWorkloadsReady(Map<String, String> before) {
    try {
      await("policy Ready and workloads Ready" + (before == null ? "" : " on new templates"))
          .atMost(READY)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                assertEquals("True", policyReady(), "policy Ready");
                Deployment d = admin.apps().deployments().inNamespace(NS).withName("web").get();
                StatefulSet s =
                    admin.apps().statefulSets().inNamespace(NS).withName("ledger").get();
                DaemonSet ds = admin.apps().daemonSets().inNamespace(NS).withName("agent").get();
                if (before != null) {
                  templateHashes()
                      .forEach((k, v) -> assertNotEquals(before.get(k), v, k + " not restarted"));
                }
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
      throw new AssertionError(
          e.getMessage()
              + "\npolicy status: "
              + policyStatus()
              + "\npods: "
              + admin.pods().inNamespace(NS).list().getItems().stream()
                  .map(
                      p ->
                          p.getMetadata().getName()
                              + " "
                              + p.getStatus().getPhase()
                              + " "
                              + p.getStatus().getContainerStatuses())
                  .toList()
              + "\n--- operator log\n"
              + operatorLogs(),
          e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<AuditLog.Request> operatorRequests() {
    return audit.requests().stream().filter(r -> r.user().equals(SA_USER)).toList();
  }

  /** The operator's requests the API server refused (401/403), as code, verb and URI. */
  private static List<String> refused() {
    return operatorRequests().stream()
        .filter(r -> r.code() == 403 || r.code() == 401)
        .map(r -> r.code() + " " + r.verb() + " " + r.uri())
        .distinct()
        .toList();
  }

  private static Secret sourceSecret(String password) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace(NS)
        .endMetadata()
        .addToStringData(
            "DATABASE_URL", "postgresql://shop_app:" + password + "@" + pgAddress + "/shop")
        .build();
  }

  private static String targetUrl() {
    Secret s = admin.secrets().inNamespace(NS).withName(TARGET).get();
    if (s == null || s.getData() == null || s.getData().get("DATABASE_URL") == null) return "";
    return new String(
        Base64.getDecoder().decode(s.getData().get("DATABASE_URL")), StandardCharsets.UTF_8);
  }

  /** The pod-template annotations of the three workloads, which a restart changes. */
  private static Map<String, String> templateHashes() {
    Map<String, String> out = new HashMap<>();
    out.put(
        "web",
        String.valueOf(
            admin
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()));
    out.put(
        "ledger",
        String.valueOf(
            admin
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName("ledger")
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()));
    out.put(
        "agent",
        String.valueOf(
            admin
                .apps()
                .daemonSets()
                .inNamespace(NS)
                .withName("agent")
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()));
    return out;
  }

  private static String policyReady() {
    PostgresConnectionPolicy p =
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).withName("shop").get();
    if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) return null;
    return p.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  private static Object policyStatus() {
    PostgresConnectionPolicy p =
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).withName("shop").get();
    return p == null ? null : p.getStatus();
  }

  private static String operatorLogs() {
    StringBuilder out = new StringBuilder();
    for (Pod p : admin.pods().inNamespace(RELEASE_NS).list().getItems()) {
      try {
        out.append(
            admin.pods().inNamespace(RELEASE_NS).withName(p.getMetadata().getName()).getLog());
      } catch (RuntimeException e) {
        out.append("(no log of ")
            .append(p.getMetadata().getName())
            .append(": ")
            .append(e)
            .append(")");
      }
    }
    return out.toString();
  }

  private static String pauseImage() {
    return "registry.k8s.io/pause:3.10";
  }

  private static void apply(String yaml) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata o : objects) admin.resource(o).create();
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static String permissions(List<AuditLog.Request> requests) {
    return requests.stream()
        .map(AuditLog.Request::permission)
        .distinct()
        .sorted()
        .collect(Collectors.joining(", "));
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  private static long elapsed(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
