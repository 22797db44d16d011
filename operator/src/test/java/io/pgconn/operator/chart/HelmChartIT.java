package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.ServiceAccounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart helm/pgconn-operator: lint, rendering with several value sets, CRD drift, and the
 * rendered RBAC applied to a real API server (kube-api-test, RBAC authorizer) where the chart's
 * ServiceAccount is impersonated and makes the requests the operator makes.
 */
class HelmChartIT {

  private static final String KUBE_VERSION = LocalControlPlane.K8S_VERSION;
  private static final String CRD_FILE = "postgresconnectionpolicies.pgconn.io-v1.yml";
  private static final String CRD_NAME = "postgresconnectionpolicies.pgconn.io";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  /**
   * Every permission the operator needs on namespaced resources, as group/resource:verb: what its
   * code calls, as the audit log of theOperatorRunsEveryCodePath* shows it.
   */
  private static final Set<String> NAMESPACED_PERMISSIONS =
      union(
          permissions(
              "pgconn.io", List.of("postgresconnectionpolicies"), "get", "list", "watch", "patch"),
          permissions("pgconn.io", List.of("postgresconnectionpolicies/status"), "patch"),
          permissions("", List.of("secrets"), "get", "list", "watch", "create", "patch", "delete"),
          permissions(
              "apps", List.of("deployments", "statefulsets", "daemonsets"), "get", "list", "patch"),
          permissions("batch", List.of("cronjobs", "jobs"), "get", "list"),
          permissions("autoscaling", List.of("horizontalpodautoscalers"), "list"),
          permissions("", List.of("events"), "create"));

  /**
   * Leader election: fabric8's LeaseLock reads, creates and renews (patches) its Lease; JOSDK
   * checks at startup that it may also update it and refuses to start otherwise.
   */
  private static final Set<String> LEASE_PERMISSIONS =
      permissions("coordination.k8s.io", List.of("leases"), "get", "create", "update", "patch");

  /**
   * Granted, but the code-path tour may not make them: JOSDK re-reads (GET) a policy only when
   * removing its finalizer meets a conflict, and requires update on Leases (see above).
   */
  private static final Set<String> GRANTED_FOR_RARE_PATHS =
      Set.of("pgconn.io/postgresconnectionpolicies:get", "coordination.k8s.io/leases:update");

  private static final String NAMESPACED_VALUES = "watchNamespaces: [a, b]\n";
  private static final String SERVICE_MONITOR_VALUES =
      "serviceMonitor:\n  enabled: true\n  labels: {release: prom}\n";

  /** Every optional part of the chart at once, as docs/install.md describes them. */
  private static final String OPTIONS_VALUES =
      """
      replicas: 2
      javaToolOptions: "-Xmx200m"
      podSecurityContext: {runAsUser: null, runAsGroup: null, fsGroup: null}
      containerSecurityContext: {runAsUser: null}
      networkPolicy:
        enabled: true
        ingressFrom:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
      extraVolumes:
        - name: ca
          configMap: {name: corporate-ca}
      extraVolumeMounts:
        - name: ca
          mountPath: /etc/pgconn/ca
          readOnly: true
      """;

  /** Alerts and dashboard as docs/install.md shows them for kube-prometheus-stack. */
  private static final String MONITORING_VALUES =
      """
      serviceMonitor: {enabled: true, labels: {release: prom}}
      prometheusRule: {enabled: true, labels: {release: prom}}
      grafanaDashboard:
        enabled: true
        annotations: {grafana_folder: Databases}
      """;

  private static final String CUSTOM_IMAGE_VALUES =
      "image:\n  repository: registry.example.com/ops/pgconn\n  tag: 1.2.3-rc1\n"
          + "  pullPolicy: Always\n";

  @TempDir static Path scratch;
  private static Helm helm;
  private static Path chart;

  @BeforeAll
  static void locateHelm() {
    helm = Helm.locate(scratch);
    chart = Helm.repoRoot().resolve("helm/pgconn-operator");
    assertTrue(Files.isRegularFile(chart.resolve("Chart.yaml")), "no chart at " + chart);
  }

  // ---------------------------------------------------------------- lint and schema

  @Test
  void lintPassesStrictForEveryValueSet() throws IOException {
    for (String values :
        List.of(
            "",
            NAMESPACED_VALUES,
            SERVICE_MONITOR_VALUES,
            CUSTOM_IMAGE_VALUES,
            OPTIONS_VALUES,
            MONITORING_VALUES)) {
      Helm.Result lint =
          helm.run(
              List.of(
                  "lint",
                  chart.toString(),
                  "--strict",
                  "--kube-version",
                  KUBE_VERSION,
                  "-f",
                  valuesFile(values).toString()));
      assertTrue(lint.ok(), lint.describe());
      assertTrue(lint.stdout().contains("0 chart(s) failed"), lint.describe());
    }
  }

  @Test
  void schemaRejectsInvalidValues() throws IOException {
    Map<String, String> invalid =
        Map.of(
            "watchNamespaces: team-a\n", "/watchNamespaces",
            "watchNamespaces: [Team_A]\n", "/watchNamespaces/0",
            "replica: 2\n", "replica",
            "image:\n  repository: x\n  pullPolicy: Sometimes\n", "/image/pullPolicy",
            "serviceMonitor:\n  enabled: yes-please\n", "/serviceMonitor/enabled",
            "podDisruptionBudget:\n  minAvailable: lots\n", "/podDisruptionBudget/minAvailable",
            "extraVolumeMounts:\n  - name: ca\n", "/extraVolumeMounts/0",
            "crds:\n  keep: \"no\"\n", "/crds/keep",
            "metrics:\n  port: 8080\n", "/metrics/port");
    invalid = new java.util.HashMap<>(invalid);
    invalid.put("prometheusRule:\n  enabled: \"on\"\n", "/prometheusRule/enabled");
    invalid.put(
        "grafanaDashboard:\n  labels: {grafana_dashboard: 1}\n", "/grafanaDashboard/labels");
    for (var e : invalid.entrySet()) {
      Helm.Result r = helm.run(templateArgs("pgconn-operator", "pgconn-system", false, e.getKey()));
      assertNotEquals(0, r.exitCode(), "accepted invalid values:\n" + e.getKey() + r.describe());
      assertTrue(
          r.stderr().contains(e.getValue()),
          "error does not name " + e.getValue() + ":\n" + r.describe());
    }
  }

  // ---------------------------------------------------------------- rendering

  @Test
  void defaultsGrantClusterWideAccessThroughOneClusterRole() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", "");
    String sa = only(objects, ServiceAccount.class).getMetadata().getName();
    assertEquals("pgconn-operator", sa);

    ClusterRole main = named(objects, ClusterRole.class, "pgconn-operator");
    assertEquals(NAMESPACED_PERMISSIONS, permissions(main.getRules()));
    ClusterRoleBinding binding = named(objects, ClusterRoleBinding.class, "pgconn-operator");
    assertEquals("pgconn-operator", binding.getRoleRef().getName());
    assertEquals("ClusterRole", binding.getRoleRef().getKind());
    assertBindsOnly(binding.getSubjects(), "pgconn-system", sa);

    assertEquals(1, all(objects, ClusterRole.class).size(), "ClusterRoles: " + names(objects));
    assertEquals(
        1, all(objects, ClusterRoleBinding.class).size(), "ClusterRoleBindings: " + names(objects));

    // The only Role is the leader-election one, in the release namespace.
    Role leases = only(objects, Role.class);
    assertEquals("pgconn-system", leases.getMetadata().getNamespace());
    assertEquals(LEASE_PERMISSIONS, permissions(leases.getRules()));
    RoleBinding leaseBinding = only(objects, RoleBinding.class);
    assertEquals(leases.getMetadata().getName(), leaseBinding.getRoleRef().getName());
    assertBindsOnly(leaseBinding.getSubjects(), "pgconn-system", sa);

    Container c = operatorContainer(objects);
    assertTrue(
        c.getEnv().stream().noneMatch(e -> e.getName().equals("PGCONN_NAMESPACES")),
        "cluster-wide mode must not set PGCONN_NAMESPACES: " + c.getEnv());
  }

  @Test
  void watchNamespacesGrantOneRolePerNamespaceAndNothingClusterWide() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", NAMESPACED_VALUES);

    // Nothing cluster-wide at all: the operator never reads the CRD or anything else outside.
    assertEquals(List.of(), all(objects, ClusterRole.class), "ClusterRoles: " + names(objects));
    assertEquals(
        List.of(),
        all(objects, ClusterRoleBinding.class),
        "ClusterRoleBindings: " + names(objects));

    List<Role> watched =
        all(objects, Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals("pgconn-operator"))
            .toList();
    assertEquals(
        List.of("a", "b"),
        watched.stream().map(r -> r.getMetadata().getNamespace()).sorted().toList());
    watched.forEach(
        r ->
            assertEquals(
                NAMESPACED_PERMISSIONS,
                permissions(r.getRules()),
                "Role in " + r.getMetadata().getNamespace()));
    List<RoleBinding> bindings =
        all(objects, RoleBinding.class).stream()
            .filter(b -> b.getRoleRef().getName().equals("pgconn-operator"))
            .toList();
    assertEquals(
        List.of("a", "b"),
        bindings.stream().map(b -> b.getMetadata().getNamespace()).sorted().toList());
    bindings.forEach(
        b -> {
          assertEquals("Role", b.getRoleRef().getKind());
          assertBindsOnly(b.getSubjects(), "pgconn-system", "pgconn-operator");
        });

    Role leases = named(objects, Role.class, "pgconn-operator-leader-election");
    assertEquals("pgconn-system", leases.getMetadata().getNamespace());
    assertEquals(LEASE_PERMISSIONS, permissions(leases.getRules()));
    assertEquals(3, all(objects, Role.class).size(), "Roles: " + names(objects));

    assertEquals("a,b", env(operatorContainer(objects), "PGCONN_NAMESPACES"));
  }

  @Test
  void podIsHardenedAndProbesTheHealthEndpoints() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", "");
    Deployment d = only(objects, Deployment.class);
    assertEquals("pgconn-system", d.getMetadata().getNamespace());
    assertEquals(1, d.getSpec().getReplicas());
    var pod = d.getSpec().getTemplate().getSpec();
    assertEquals("pgconn-operator", pod.getServiceAccountName());

    PodSecurityContext psc = pod.getSecurityContext();
    assertEquals(Boolean.TRUE, psc.getRunAsNonRoot());
    assertEquals(65532L, psc.getRunAsUser());
    assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());

    Container c = operatorContainer(objects);
    assertEquals("ghcr.io/pgconn/pgconn-operator:" + appVersion(), c.getImage());
    assertEquals(List.of("run"), c.getArgs());
    SecurityContext sc = c.getSecurityContext();
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
    assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
    assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
    assertNull(sc.getPrivileged());

    // Read-only root: /tmp is an emptyDir.
    var tmpMount =
        c.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/tmp"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no /tmp mount: " + c.getVolumeMounts()));
    var tmpVolume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(tmpMount.getName()))
            .findFirst()
            .orElseThrow();
    assertNotNull(tmpVolume.getEmptyDir(), "/tmp must be an emptyDir: " + tmpVolume);

    // Health on http (the probes), Prometheus on a port of its own that the operator is told.
    assertEquals(
        Map.of("http", 8080, "metrics", 8081),
        c.getPorts().stream()
            .collect(
                java.util.stream.Collectors.toMap(p -> p.getName(), p -> p.getContainerPort())));
    assertEquals("8081", env(c, "PGCONN_METRICS_PORT"));
    assertEquals("/health/liveness", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals("http", c.getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/health/readiness", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());

    assertEquals("100m", c.getResources().getRequests().get("cpu").toString());
    assertEquals("256Mi", c.getResources().getRequests().get("memory").toString());
    assertEquals("256Mi", c.getResources().getLimits().get("memory").toString());
    assertTrue(env(c, "JAVA_TOOL_OPTIONS").contains("-XX:MaxRAMPercentage=50"));
    assertEquals("10", env(c, "PGCONN_RECONCILE_THREADS"));
    assertEquals("true", env(c, "PGCONN_LEADER_ELECTION"));
    assertEquals(
        "metadata.namespace",
        c.getEnv().stream()
            .filter(e -> e.getName().equals("PGCONN_LEASE_NAMESPACE"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());

    Service svc = only(objects, Service.class);
    assertEquals(1, svc.getSpec().getPorts().size());
    var port = svc.getSpec().getPorts().get(0);
    assertEquals("metrics", port.getName());
    assertEquals(8081, port.getPort());
    assertEquals("metrics", port.getTargetPort().getStrVal());
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    svc.getSpec()
        .getSelector()
        .forEach(
            (k, v) ->
                assertEquals(
                    v, podLabels.get(k), "Service selector " + k + " does not match the pod"));
    assertEquals(d.getSpec().getSelector().getMatchLabels(), svc.getSpec().getSelector());

    assertTrue(
        objects.stream().noneMatch(o -> o.getKind().equals("ServiceMonitor")),
        "ServiceMonitor rendered although disabled");
  }

  @Test
  void defaultsAddExitOnOutOfMemoryAndNoOptionalObjects() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", "");

    assertEquals(
        "-XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.2"
            + " -XX:+ExitOnOutOfMemoryError",
        env(operatorContainer(objects), "JAVA_TOOL_OPTIONS"));
    assertTrue(all(objects, PodDisruptionBudget.class).isEmpty(), "a PDB for one replica");
    assertTrue(all(objects, NetworkPolicy.class).isEmpty(), "a NetworkPolicy by default");
  }

  @Test
  void optionalPartsRenderAsConfigured() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", OPTIONS_VALUES);
    Deployment d = only(objects, Deployment.class);
    Container c = operatorContainer(objects);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();

    // Options the user set keep ExitOnOutOfMemoryError; naming it leaves the choice to them.
    assertEquals("-Xmx200m -XX:+ExitOnOutOfMemoryError", env(c, "JAVA_TOOL_OPTIONS"));
    Container own =
        operatorContainer(
            render(
                "pgconn-operator",
                "pgconn-system",
                "javaToolOptions: \"-XX:-ExitOnOutOfMemoryError\"\n"));
    assertEquals("-XX:-ExitOnOutOfMemoryError", env(own, "JAVA_TOOL_OPTIONS"));

    // OpenShift's restricted SCC assigns the UID: nulls remove it, the rest stays.
    PodSecurityContext psc = d.getSpec().getTemplate().getSpec().getSecurityContext();
    assertNull(psc.getRunAsUser());
    assertNull(psc.getFsGroup());
    assertEquals(Boolean.TRUE, psc.getRunAsNonRoot());
    assertNull(c.getSecurityContext().getRunAsUser());
    assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());

    PodDisruptionBudget pdb = only(objects, PodDisruptionBudget.class);
    assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
    pdb.getSpec()
        .getSelector()
        .getMatchLabels()
        .forEach((k, v) -> assertEquals(v, podLabels.get(k), "PDB selector " + k));

    NetworkPolicy policy = only(objects, NetworkPolicy.class);
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    assertEquals(
        d.getSpec().getSelector().getMatchLabels(),
        policy.getSpec().getPodSelector().getMatchLabels());
    var ingress = policy.getSpec().getIngress();
    assertEquals(1, ingress.size());
    // Prometheus's port only; the probes come from the node, which a NetworkPolicy admits.
    assertEquals(1, ingress.get(0).getPorts().size());
    assertEquals("metrics", ingress.get(0).getPorts().get(0).getPort().getStrVal());
    assertEquals(
        "monitoring",
        ingress
            .get(0)
            .getFrom()
            .get(0)
            .getNamespaceSelector()
            .getMatchLabels()
            .get("kubernetes.io/metadata.name"));

    assertTrue(
        d.getSpec().getTemplate().getSpec().getVolumes().stream()
            .anyMatch(v -> v.getName().equals("ca") && v.getConfigMap() != null));
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")));
    assertTrue(
        c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/pgconn/ca")));
  }

  @Test
  void serviceMonitorScrapesTheMetricsPortWhenEnabled() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", SERVICE_MONITOR_VALUES);
    List<HasMetadata> monitors =
        objects.stream().filter(o -> o.getKind().equals("ServiceMonitor")).toList();
    assertEquals(1, monitors.size());
    GenericKubernetesResource sm = (GenericKubernetesResource) monitors.get(0);
    assertEquals("monitoring.coreos.com/v1", sm.getApiVersion());
    assertEquals("pgconn-system", sm.getMetadata().getNamespace());
    assertEquals("prom", sm.getMetadata().getLabels().get("release"));
    List<Map<String, Object>> endpoints = sm.get("spec", "endpoints");
    assertEquals(1, endpoints.size());
    assertEquals("metrics", endpoints.get(0).get("port"));
    assertEquals("/prometheus", endpoints.get(0).get("path"));
    Map<String, String> selector = sm.get("spec", "selector", "matchLabels");
    Service svc = only(objects, Service.class);
    selector.forEach(
        (k, v) ->
            assertEquals(
                v,
                svc.getMetadata().getLabels().get(k),
                "ServiceMonitor selector " + k + " does not match the Service"));
  }

  /**
   * The dashboard is a ConfigMap Grafana's sidecar finds by its label (grafana_dashboard: "1"
   * unless configured), holding the dashboard JSON; nothing of it by default.
   */
  @Test
  void grafanaDashboardIsAConfigMapWithTheSidecarLabelWhenEnabled() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", MONITORING_VALUES);
    io.fabric8.kubernetes.api.model.ConfigMap dashboard =
        named(
            objects, io.fabric8.kubernetes.api.model.ConfigMap.class, "pgconn-operator-dashboard");
    assertEquals("pgconn-system", dashboard.getMetadata().getNamespace());
    assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
    assertEquals("Databases", dashboard.getMetadata().getAnnotations().get("grafana_folder"));
    Map<?, ?> json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readValue(dashboard.getData().get("pgconn-operator.json"), Map.class);
    assertEquals("pgconn-operator", json.get("uid"));
    List<?> panels = (List<?>) json.get("panels");
    assertTrue(panels.size() >= 8, "panels: " + panels.size());
    for (Object panel : panels) {
      for (Object target : (List<?>) ((Map<?, ?>) panel).get("targets")) {
        assertTrue(
            String.valueOf(((Map<?, ?>) target).get("expr")).contains("pgconn_"),
            "panel " + ((Map<?, ?>) panel).get("title") + ": " + target);
      }
    }

    io.fabric8.kubernetes.api.model.ConfigMap elsewhere =
        only(
            render(
                "pgconn-operator",
                "pgconn-system",
                "grafanaDashboard:\n  enabled: true\n  namespace: monitoring\n"
                    + "  labels: {grafana_dashboard: null, dashboards: pgconn}\n"),
            io.fabric8.kubernetes.api.model.ConfigMap.class);
    assertEquals("monitoring", elsewhere.getMetadata().getNamespace());
    assertEquals("pgconn", elsewhere.getMetadata().getLabels().get("dashboards"));
    assertNull(elsewhere.getMetadata().getLabels().get("grafana_dashboard"));

    List<HasMetadata> defaults = render("pgconn-operator", "pgconn-system", "");
    assertTrue(
        defaults.stream()
            .noneMatch(
                o -> o.getKind().equals("ConfigMap") || o.getKind().equals("PrometheusRule")),
        names(defaults).toString());
  }

  @Test
  void imageIsConfigurable() throws IOException {
    List<HasMetadata> objects = render("pgconn-operator", "pgconn-system", CUSTOM_IMAGE_VALUES);
    Container c = operatorContainer(objects);
    assertEquals("registry.example.com/ops/pgconn:1.2.3-rc1", c.getImage());
    assertEquals("Always", c.getImagePullPolicy());
    objects.forEach(
        o ->
            assertEquals(
                "1.2.3-rc1",
                o.getMetadata().getLabels().get("app.kubernetes.io/version"),
                o.getKind()));
  }

  @Test
  void noWildcardsAndStandardLabelsOnEveryObject() throws IOException {
    for (String values :
        List.of(
            "",
            NAMESPACED_VALUES,
            SERVICE_MONITOR_VALUES,
            CUSTOM_IMAGE_VALUES,
            MONITORING_VALUES)) {
      List<HasMetadata> objects = render("rel", "ops", values);
      assertFalse(objects.isEmpty());
      for (HasMetadata o : objects) {
        String what = o.getKind() + " " + o.getMetadata().getName() + " (values: " + values + ")";
        Map<String, String> labels = o.getMetadata().getLabels();
        assertEquals("pgconn-operator", labels.get("app.kubernetes.io/name"), what);
        assertEquals("rel", labels.get("app.kubernetes.io/instance"), what);
        assertEquals("Helm", labels.get("app.kubernetes.io/managed-by"), what);
        assertNotNull(labels.get("app.kubernetes.io/version"), what);
        List<PolicyRule> rules =
            o instanceof Role r
                ? r.getRules()
                : o instanceof ClusterRole cr ? cr.getRules() : List.of();
        if (o instanceof ClusterRole cr) {
          assertNull(cr.getAggregationRule(), what);
        }
        for (PolicyRule rule : rules) {
          Stream.of(
                  rule.getApiGroups(),
                  rule.getResources(),
                  rule.getVerbs(),
                  rule.getResourceNames(),
                  rule.getNonResourceURLs())
              .filter(l -> l != null)
              .flatMap(List::stream)
              .forEach(s -> assertFalse(s.contains("*"), what + ": wildcard in " + rule));
          assertTrue(
              rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(),
              what + ": nonResourceURLs " + rule);
          assertFalse(rule.getResources().isEmpty(), what + ": rule without resources " + rule);
          assertFalse(rule.getVerbs().isEmpty(), what + ": rule without verbs " + rule);
        }
      }
    }
  }

  // ---------------------------------------------------------------- CRD drift

  @Test
  void chartCrdIsByteIdenticalToTheGeneratedCrd() throws IOException {
    String dir = System.getProperty("pgconn.crds.dir");
    Path topLevel =
        dir != null
            ? Path.of(dir).resolve(CRD_FILE)
            : Helm.repoRoot().resolve("crds").resolve(CRD_FILE);
    Path inChart = chart.resolve("files/crds").resolve(CRD_FILE);
    assertTrue(
        Files.isRegularFile(topLevel),
        topLevel
            + " is missing: the build writes it"
            + " (mvn package); is pgconn.crds.dir right?");
    assertTrue(Files.isRegularFile(inChart), inChart + " is missing");
    assertEquals(
        -1L,
        Files.mismatch(topLevel, inChart),
        inChart
            + " differs from "
            + topLevel
            + ": copy the generated CRD into the chart (cp "
            + topLevel
            + " "
            + inChart
            + ")");
  }

  /**
   * The chart's CRD is a template (so helm upgrade updates it): its spec is the generated one
   * exactly, its metadata the chart's labels plus the keep annotation by default.
   */
  @Test
  void crdRendersTheGeneratedSpecKeptByDefaultAndNotWhenDisabled() throws IOException {
    CustomResourceDefinition generated =
        YAML.unmarshal(
            Files.readString(chart.resolve("files/crds").resolve(CRD_FILE)),
            CustomResourceDefinition.class);
    CustomResourceDefinition crd = only(render("rel", "ops", ""), CustomResourceDefinition.class);
    assertEquals(CRD_NAME, crd.getMetadata().getName());
    assertEquals(generated.getSpec(), crd.getSpec());
    assertEquals(Map.of("helm.sh/resource-policy", "keep"), crd.getMetadata().getAnnotations());
    assertEquals("rel", crd.getMetadata().getLabels().get("app.kubernetes.io/instance"));

    CustomResourceDefinition notKept =
        only(render("rel", "ops", "crds: {keep: false}\n"), CustomResourceDefinition.class);
    assertEquals(generated.getSpec(), notKept.getSpec());
    assertTrue(
        notKept.getMetadata().getAnnotations() == null
            || notKept.getMetadata().getAnnotations().isEmpty(),
        "annotations: " + notKept.getMetadata().getAnnotations());

    List<HasMetadata> without = render("rel", "ops", "crds: {enabled: false}\n");
    assertEquals(
        List.of(), all(without, CustomResourceDefinition.class), names(without).toString());
    assertEquals(1, all(without, Deployment.class).size(), names(without).toString());
  }

  // ---------------------------------------------------------------- on a real API server

  /**
   * The audit log keeps every request made with a ServiceAccount token: the operator's, in the
   * tests below. As on OpenShift, OwnerReferencesPermissionEnforcement is on: changing
   * ownerReferences needs delete on the object, and blockOwnerDeletion: true needs update on the
   * owner's finalizers subresource. The CRD is the chart's, installed with it.
   */
  @Nested
  @OperatorEnvironment(
      controlPlane = ControlPlane.LOCAL,
      audit = Audit.SERVICE_ACCOUNTS,
      admissionPlugins = "OwnerReferencesPermissionEnforcement",
      crd = false,
      operator = false)
  class OnARealApiServer {

    private final OperatorEnvironment.Handle environment;
    private final KubernetesClient admin;

    OnARealApiServer(OperatorEnvironment.Handle environment) {
      this.environment = environment;
      this.admin = environment.get(KubernetesClient.class);
    }

    @Test
    void clusterWideInstallGrantsExactlyWhatTheOperatorUses() throws IOException {
      String release = "pgconn-system";
      install("pgconn-operator", release, "", "shop");
      seed("shop");
      KubernetesClient sa = serviceAccounts().impersonate(release, "pgconn-operator");

      allowed(
          "list secrets in shop",
          () ->
              assertTrue(
                  sa.secrets().inNamespace("shop").list().getItems().stream()
                      .anyMatch(s -> s.getMetadata().getName().equals("db"))));
      allowed("watch secrets in shop", () -> watchSecrets(sa, "shop"));
      allowed(
          "watch secrets in all namespaces",
          () -> {
            try (Watch w = sa.secrets().inAnyNamespace().watch(noop())) {
              assertNotNull(w);
            }
          });
      allowed(
          "server-side apply a target secret in shop",
          () ->
              sa.secrets()
                  .inNamespace("shop")
                  .resource(
                      new SecretBuilder()
                          .withNewMetadata()
                          .withName("db-connection")
                          .withNamespace("shop")
                          .endMetadata()
                          .addToStringData("DATABASE_URL", "x")
                          .build())
                  .fieldManager("pgconn-operator")
                  .forceConflicts()
                  .serverSideApply());
      allowed(
          "delete a secret in shop",
          () ->
              assertFalse(
                  sa.secrets().inNamespace("shop").withName("db-connection").delete().isEmpty()));
      allowed("patch a deployment in shop", () -> stampDeployment(sa, "shop", "cluster-wide"));
      assertEquals(
          "cluster-wide",
          admin
              .apps()
              .deployments()
              .inNamespace("shop")
              .withName("web")
              .get()
              .getSpec()
              .getTemplate()
              .getMetadata()
              .getAnnotations()
              .get("pgconn.io/test"));
      allowed(
          "patch postgresconnectionpolicies/status in shop",
          () -> patchPolicyStatus(sa, "shop", 7L));
      assertEquals(
          7L,
          admin
              .resources(PostgresConnectionPolicy.class)
              .inNamespace("shop")
              .withName("app")
              .get()
              .getStatus()
              .getObservedGeneration());
      allowed("create an event in shop", () -> createEvent(sa, "shop"));
      allowed("create a lease in the release namespace", () -> createLease(sa, release));
      allowed("list cronjobs in shop", () -> sa.batch().v1().cronjobs().inNamespace("shop").list());
      allowed("list jobs in shop", () -> sa.batch().v1().jobs().inNamespace("shop").list());
      allowed(
          "list HPAs in shop",
          () -> sa.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").list());

      // ... and nothing more.
      forbidden(
          "update a secret",
          () ->
              sa.secrets()
                  .inNamespace("shop")
                  .resource(
                      new SecretBuilder()
                          .withNewMetadata()
                          .withName("db")
                          .withNamespace("shop")
                          .endMetadata()
                          .build())
                  .update());
      forbidden(
          "watch deployments",
          () -> sa.apps().deployments().inNamespace("shop").watch(noop()).close());
      forbidden(
          "get the CRD",
          () -> sa.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get());
      forbidden(
          "delete a job", () -> sa.batch().v1().jobs().inNamespace("shop").withName("x").delete());
      forbidden(
          "delete a deployment",
          () -> sa.apps().deployments().inNamespace("shop").withName("web").delete());
      forbidden("list configmaps", () -> sa.configMaps().inNamespace("shop").list());
      forbidden("list pods", () -> sa.pods().inNamespace("shop").list());
      forbidden(
          "delete a policy",
          () ->
              sa.resources(PostgresConnectionPolicy.class)
                  .inNamespace("shop")
                  .withName("app")
                  .delete());
      forbidden("list CRDs", () -> sa.apiextensions().v1().customResourceDefinitions().list());
      forbidden("create a lease outside the release namespace", () -> createLease(sa, "shop"));
      forbidden("list roles", () -> sa.rbac().roles().inNamespace("shop").list());
    }

    @Test
    void namespacedInstallIsConfinedToTheWatchedNamespaces() throws IOException {
      String release = "pgconn-scoped";
      install("scoped", release, "watchNamespaces: [team-a]\n", "team-a", "team-b");
      seed("team-a");
      seed("team-b");
      assertNull(
          admin.rbac().clusterRoles().withName("scoped-pgconn-operator").get(),
          "namespaced mode created the cluster-wide ClusterRole");
      KubernetesClient sa = serviceAccounts().impersonate(release, "scoped-pgconn-operator");

      allowed(
          "get a secret in team-a",
          () ->
              assertEquals(
                  "db",
                  sa.secrets().inNamespace("team-a").withName("db").get().getMetadata().getName()));
      allowed("watch secrets in team-a", () -> watchSecrets(sa, "team-a"));
      allowed("patch a deployment in team-a", () -> stampDeployment(sa, "team-a", "scoped"));
      allowed(
          "patch postgresconnectionpolicies/status in team-a",
          () -> patchPolicyStatus(sa, "team-a", 3L));
      allowed("create a lease in the release namespace", () -> createLease(sa, release));

      forbidden(
          "get a secret in team-b", () -> sa.secrets().inNamespace("team-b").withName("db").get());
      forbidden("list secrets in team-b", () -> sa.secrets().inNamespace("team-b").list());
      forbidden("list secrets in all namespaces", () -> sa.secrets().inAnyNamespace().list());
      forbidden(
          "get a secret in the release namespace",
          () -> sa.secrets().inNamespace(release).withName("anything").get());
      forbidden("patch a deployment in team-b", () -> stampDeployment(sa, "team-b", "x"));
      forbidden("patch policy status in team-b", () -> patchPolicyStatus(sa, "team-b", 3L));
      forbidden(
          "list policies in all namespaces",
          () -> sa.resources(PostgresConnectionPolicy.class).inAnyNamespace().list());
      forbidden("create a lease in team-a", () -> createLease(sa, "team-a"));
      forbidden(
          "get the CRD",
          () -> sa.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get());
    }

    /** Applies the rendered chart (with its CRD) server-side, as helm would, and checks it. */
    private void install(
        String release, String namespace, String values, String... workloadNamespaces)
        throws IOException {
      for (String ns : concat(namespace, workloadNamespaces)) {
        environment.get(ClusterFixtures.class).namespace(ns);
      }
      List<HasMetadata> objects = renderWithCrds(release, namespace, values);
      CustomResourceDefinition crd = only(objects, CustomResourceDefinition.class);
      admin.resource(crd).fieldManager("helm-chart-it").forceConflicts().serverSideApply();
      await("CRD established")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var current =
                    admin.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
                return current.getStatus() != null
                    && current.getStatus().getConditions().stream()
                        .anyMatch(
                            c -> c.getType().equals("Established") && c.getStatus().equals("True"));
              });
      for (HasMetadata o : objects) {
        if (o != crd) {
          admin.resource(o).fieldManager("helm-chart-it").forceConflicts().serverSideApply();
        }
      }
      for (HasMetadata o : objects) {
        HasMetadata live = admin.resource(o).get();
        assertNotNull(live, o.getKind() + " " + o.getMetadata().getName() + " was not created");
        assertNotNull(live.getMetadata().getUid());
      }
    }

    /** What an operator's user would have in a namespace: a secret, a workload, a policy. */
    private void seed(String ns) {
      admin
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("db")
                  .withNamespace(ns)
                  .endMetadata()
                  .addToStringData("DATABASE_URL", "postgresql://u:p@db:5432/app")
                  .build())
          .create();
      admin
          .apps()
          .deployments()
          .inNamespace(ns)
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewSpec()
                  .withNewSelector()
                  .addToMatchLabels("app", "web")
                  .endSelector()
                  .withNewTemplate()
                  .withNewMetadata()
                  .addToLabels("app", "web")
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("web")
                  .withImage("example/web:1")
                  .endContainer()
                  .endSpec()
                  .endTemplate()
                  .endSpec()
                  .build())
          .create();
      admin
          .resource(
              YAML.unmarshal(
                  """
          apiVersion: pgconn.io/v1alpha1
          kind: PostgresConnectionPolicy
          metadata:
            name: app
            namespace: %s
          spec:
            source:
              secretRef:
                name: db
          """
                      .formatted(ns),
                  GenericKubernetesResource.class))
          .create();
    }

    @Test
    void theOperatorRunsEveryCodePathWithTheNamespacedChartsRbac() throws Exception {
      runEveryCodePathAs(
          "tour",
          "pgconn-tour",
          "watchNamespaces: [team-c]\n",
          "team-c",
          Map.of("pgconn.namespaces", "team-c"));
    }

    @Test
    void theOperatorRunsEveryCodePathWithTheClusterWideChartsRbac() throws Exception {
      runEveryCodePathAs("wide", "pgconn-wide", "", "team-e", Map.of());
    }

    /**
     * Installs the chart, runs the real application with a token of the chart's ServiceAccount (so
     * it authenticates exactly as in the cluster, under exactly the chart's RBAC), walks every code
     * path, and reads from the audit log what the API server answered the operator.
     */
    private void runEveryCodePathAs(
        String release,
        String releaseNamespace,
        String values,
        String namespace,
        Map<String, Object> settings)
        throws Exception {
      install(release, releaseNamespace, values, namespace);
      String serviceAccount = release + "-pgconn-operator";
      String user = "system:serviceaccount:" + releaseNamespace + ":" + serviceAccount;
      Path kubeconfig = serviceAccounts().tokenKubeconfig(releaseNamespace, serviceAccount);
      EveryCodePathScenario scenario = new EveryCodePathScenario(admin, namespace);
      scenario.seed();
      Map<String, Object> properties = new java.util.HashMap<>(settings);
      properties.putAll(
          Map.of(
              "pgconn.leader-election",
              true,
              "pgconn.lease-namespace",
              releaseNamespace,
              "pgconn.identity",
              release,
              "pgconn.exit-on-leadership-loss",
              false));
      try (var app = environment.get(Operators.class).startAs(kubeconfig, properties)) {
        scenario.awaitConverged();
        scenario.changeAndAwaitRewrite();
        scenario.deleteAndAwaitCleanup();
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            e.getMessage() + "\nrefused by the chart's RBAC: " + refused(user), e);
      }

      // Requests made as the ServiceAccount: the application authenticated with the token.
      List<AuditLog.Request> requests =
          environment.get(AuditLog.class).requests().stream()
              .filter(r -> r.user().equals(user))
              .toList();
      assertFalse(requests.isEmpty(), "no request of " + user + " in the audit log");
      assertEquals(List.of(), refused(user), "the chart's RBAC refused the operator");
      Set<String> used = new TreeSet<>();
      for (AuditLog.Request r : requests) {
        if (r.resource().isEmpty()) continue;
        used.add(r.permission());
        // A server-side apply that creates its object (201) is authorized for create as well.
        if (r.verb().equals("patch") && r.code() == 201) {
          used.add(r.permission().replaceAll(":patch$", ":create"));
        }
      }
      // SelfSubjectRulesReview (JOSDK checks its Lease access) is open to every user.
      used.remove("authorization.k8s.io/selfsubjectrulesreviews:create");
      Set<String> granted = union(NAMESPACED_PERMISSIONS, LEASE_PERMISSIONS);
      Set<String> unused = new TreeSet<>(granted);
      unused.removeAll(used);
      // The rare paths may or may not be taken (a conflict is a race); everything else must be.
      unused.removeAll(GRANTED_FOR_RARE_PATHS);
      assertEquals(Set.of(), unused, "granted but never used (used: " + used + ")");
      Set<String> ungranted = new TreeSet<>(used);
      ungranted.removeAll(granted);
      assertEquals(Set.of(), ungranted, "used but not in the chart's rules");
    }

    private ServiceAccounts serviceAccounts() {
      return environment.get(ServiceAccounts.class);
    }

    /** The requests of this user the API server answered 403, as verb and URI. */
    private List<String> refused(String user) {
      return environment.get(AuditLog.class).requests().stream()
          .filter(r -> r.user().equals(user) && r.code() == 403)
          .map(r -> r.verb() + " " + r.uri())
          .distinct()
          .toList();
    }
  }

  // ---------------------------------------------------------------- requests the operator makes

  private static void watchSecrets(KubernetesClient client, String ns) {
    try (Watch w = client.secrets().inNamespace(ns).watch(noop())) {
      assertNotNull(w);
    }
  }

  /** As rollout.PodTemplateStamper does: server-side apply of a pod-template annotation. */
  private static void stampDeployment(KubernetesClient client, String ns, String value) {
    String body =
        YAML.asJson(
            Map.of(
                "apiVersion",
                "apps/v1",
                "kind",
                "Deployment",
                "metadata",
                Map.of("name", "web", "namespace", ns),
                "spec",
                Map.of(
                    "template",
                    Map.of("metadata", Map.of("annotations", Map.of("pgconn.io/test", value))))));
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("web")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("pgconn-operator")
                .withForce(true)
                .build(),
            body);
  }

  private static void patchPolicyStatus(KubernetesClient client, String ns, long generation) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.getMetadata().setName("app");
    policy.getMetadata().setNamespace(ns);
    PolicyStatus status = new PolicyStatus();
    status.setObservedGeneration(generation);
    policy.setStatus(status);
    client.resource(policy).patchStatus();
  }

  private static void createEvent(KubernetesClient client, String ns) {
    client
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withGenerateName("app.")
                .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("pgconn.io/v1alpha1")
                .withKind("PostgresConnectionPolicy")
                .withName("app")
                .withNamespace(ns)
                .endInvolvedObject()
                .withType("Normal")
                .withReason("Test")
                .withMessage("test")
                .withNewSource()
                .withComponent("pgconn-operator")
                .endSource()
                .build())
        .create();
  }

  private static void createLease(KubernetesClient client, String ns) {
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withGenerateName("pgconn-operator-")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("test")
            .endSpec()
            .build();
    client.resources(Lease.class).inNamespace(ns).resource(lease).create();
  }

  private static <T> Watcher<T> noop() {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {}

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  /**
   * Retries until the request succeeds: a fresh RoleBinding reaches the API server's RBAC cache
   * asynchronously. A 403 that persists fails with the server's message.
   */
  private static void allowed(String what, Executable request) {
    await(what)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              try {
                request.execute();
              } catch (KubernetesClientException e) {
                throw new AssertionError(what + ": HTTP " + e.getCode() + " " + e.getMessage(), e);
              } catch (Throwable t) {
                if (t instanceof AssertionError a) throw a;
                throw new AssertionError(what, t);
              }
            });
  }

  /** Checked only after the allowed requests passed, so the RBAC cache is already warm. */
  private static void forbidden(String what, Executable request) {
    KubernetesClientException e =
        assertThrows(KubernetesClientException.class, request, what + " should be forbidden");
    assertEquals(403, e.getCode(), what + ": " + e.getMessage());
  }

  // ---------------------------------------------------------------- rendering helpers

  private static List<HasMetadata> render(String release, String namespace, String values)
      throws IOException {
    return parse(release, namespace, false, values);
  }

  private static List<HasMetadata> renderWithCrds(String release, String namespace, String values)
      throws IOException {
    return parse(release, namespace, true, values);
  }

  private static List<HasMetadata> parse(
      String release, String namespace, boolean crds, String values) throws IOException {
    Helm.Result r = helm.run(templateArgs(release, namespace, crds, values));
    assertTrue(r.ok(), r.describe());
    Object parsed = YAML.unmarshal(r.stdout());
    List<?> items = parsed instanceof List<?> l ? l : List.of(parsed);
    List<HasMetadata> objects = new ArrayList<>();
    for (Object item : items) {
      if (item == null) continue;
      if (!(item instanceof HasMetadata h)) {
        return fail("not a Kubernetes object in helm output: " + item);
      }
      objects.add(h);
    }
    return objects;
  }

  private static List<String> templateArgs(
      String release, String namespace, boolean crds, String values) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "template",
                release,
                chart.toString(),
                "--namespace",
                namespace,
                "--kube-version",
                KUBE_VERSION,
                "-f",
                valuesFile(values).toString()));
    if (crds) args.add("--include-crds");
    return args;
  }

  private static Path valuesFile(String values) throws IOException {
    Path file = Files.createTempFile(scratch, "values-", ".yaml");
    Files.writeString(file, values);
    return file;
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertEquals(1, found.size(), "expected one " + type.getSimpleName() + ": " + names(objects));
    return found.get(0);
  }

  private static <T extends HasMetadata> T named(
      List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + type.getSimpleName() + " " + name + " in " + names(objects)));
  }

  private static List<String> names(List<HasMetadata> objects) {
    return objects.stream()
        .map(
            o ->
                o.getKind()
                    + "/"
                    + (o.getMetadata().getNamespace() == null
                        ? ""
                        : o.getMetadata().getNamespace() + "/")
                    + o.getMetadata().getName())
        .toList();
  }

  private static Container operatorContainer(List<HasMetadata> objects) {
    List<Container> containers =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + ": " + c.getEnv()));
  }

  private static void assertBindsOnly(List<Subject> subjects, String namespace, String sa) {
    assertEquals(1, subjects.size(), "subjects: " + subjects);
    Subject s = subjects.get(0);
    assertEquals("ServiceAccount", s.getKind());
    assertEquals(sa, s.getName());
    assertEquals(namespace, s.getNamespace());
  }

  private static String appVersion() throws IOException {
    Map<?, ?> chartYaml = YAML.unmarshal(Files.readString(chart.resolve("Chart.yaml")), Map.class);
    return String.valueOf(chartYaml.get("appVersion"));
  }

  /** Flattens rules into group/resource:verb (plus [resourceNames]) for exact comparison. */
  private static Set<String> permissions(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule rule : rules) {
      String names =
          rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
              ? ""
              : "[" + String.join(",", rule.getResourceNames()) + "]";
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            out.add(group + "/" + resource + ":" + verb + names);
          }
        }
      }
    }
    return out;
  }

  private static Set<String> permissions(String group, List<String> resources, String... verbs) {
    Set<String> out = new TreeSet<>();
    for (String resource : resources) {
      for (String verb : verbs) {
        out.add(group + "/" + resource + ":" + verb);
      }
    }
    return out;
  }

  @SafeVarargs
  private static Set<String> union(Collection<String>... sets) {
    Set<String> out = new TreeSet<>();
    for (Collection<String> s : sets) out.addAll(s);
    return out;
  }

  private static List<String> concat(String first, String... rest) {
    List<String> out = new ArrayList<>(List.of(first));
    out.addAll(List.of(rest));
    return out;
  }
}
