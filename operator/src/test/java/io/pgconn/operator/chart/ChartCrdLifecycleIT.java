package io.pgconn.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's CRD through its whole life with the real helm binary against a real API server:
 * Helm's crds/ directory is install-only, so the CRD is a template; these tests show that install
 * creates it, that helm upgrade really changes it on the server, that crds.enabled=false leaves it
 * alone, that a CRD applied with kubectl is adopted as docs/install.md says, and that helm
 * uninstall keeps it (and so every policy) by default.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, crd = false, operator = false)
class ChartCrdLifecycleIT {

  private static final String CRD_FILE = "postgresconnectionpolicies.pgconn.io-v1.yml";
  private static final String CRD_NAME = "postgresconnectionpolicies.pgconn.io";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @TempDir static Path scratch;
  private static Helm helm;
  private static Path chart;

  private final TestCluster cluster;
  private final KubernetesClient admin;
  private final ClusterFixtures fixtures;

  ChartCrdLifecycleIT(TestCluster cluster, KubernetesClient admin, ClusterFixtures fixtures) {
    this.cluster = cluster;
    this.admin = admin;
    this.fixtures = fixtures;
  }

  @BeforeAll
  static void locateHelm() {
    helm = Helm.locate(scratch);
    chart = Helm.repoRoot().resolve("helm/pgconn-operator");
  }

  @Test
  void installCreatesUpgradeUpdatesUninstallKeepsAndAKubectlCrdIsAdopted() throws IOException {
    fixtures.namespace("shop");
    assertNull(crd(), "the CRD exists before the install");

    // Install creates it, Helm-owned and annotated to be kept.
    helm("install", "life", chart.toString(), "-n", "life", "--create-namespace");
    CustomResourceDefinition installed = awaitEstablished();
    assertEquals("keep", installed.getMetadata().getAnnotations().get("helm.sh/resource-policy"));
    assertEquals("life", installed.getMetadata().getAnnotations().get("meta.helm.sh/release-name"));
    assertEquals(List.of("pgconn"), installed.getSpec().getNames().getCategories());

    // Upgrade with a changed CRD: the server's CRD changes (a crds/ directory would not).
    Path variant = chartVariant("    - \"pgconn\"\n", "    - \"pgconn\"\n    - \"pgconn-next\"\n");
    helm("upgrade", "life", variant.toString(), "-n", "life");
    ClusterFixtures.await()
        .untilAsserted(
            () ->
                assertEquals(
                    List.of("pgconn", "pgconn-next"), crd().getSpec().getNames().getCategories()));

    // Uninstall: the release's objects go, the CRD and the policies stay.
    createPolicy("shop", "kept");
    helm("uninstall", "life", "-n", "life");
    ClusterFixtures.await()
        .until(
            () ->
                admin
                        .apps()
                        .deployments()
                        .inNamespace("life")
                        .withName("life-pgconn-operator")
                        .get()
                    == null);
    assertNotNull(crd(), "helm uninstall deleted the CRD");
    assertNotNull(policy("shop", "kept"), "helm uninstall deleted a policy (with the CRD)");

    // A CRD applied with kubectl has no Helm ownership: helm install refuses it...
    admin.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).delete();
    ClusterFixtures.await().until(() -> crd() == null);
    fixtures.installCrd();
    Helm.Result refused =
        helm.run(args("install", "again", chart.toString(), "-n", "again", "--create-namespace"));
    assertFalse(refused.ok(), refused.describe());
    assertTrue(refused.stderr().contains("ownership"), refused.describe());

    // ... until it is adopted with the label and annotations docs/install.md gives.
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(CRD_NAME)
        .edit(
            c -> {
              c.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "Helm"));
              c.getMetadata()
                  .setAnnotations(
                      Map.of(
                          "meta.helm.sh/release-name", "again",
                          "meta.helm.sh/release-namespace", "again"));
              return c;
            });
    helm("install", "again", chart.toString(), "-n", "again", "--create-namespace");
    CustomResourceDefinition adopted = awaitEstablished();
    assertEquals("keep", adopted.getMetadata().getAnnotations().get("helm.sh/resource-policy"));
    assertEquals("again", adopted.getMetadata().getLabels().get("app.kubernetes.io/instance"));
  }

  @Test
  void crdsDisabledInstallsNoCrd() throws IOException {
    helm(
        "install",
        "nocrd",
        chart.toString(),
        "-n",
        "nocrd",
        "--create-namespace",
        "--set",
        "crds.enabled=false");
    String manifest = helm("get", "manifest", "nocrd", "-n", "nocrd").stdout();
    assertTrue(manifest.contains("kind: Deployment"), manifest);
    assertFalse(manifest.contains("CustomResourceDefinition"), manifest);
    helm("uninstall", "nocrd", "-n", "nocrd");
  }

  private Helm.Result helm(String... args) {
    Helm.Result r = helm.run(args(args));
    assertTrue(r.ok(), r.describe());
    return r;
  }

  private List<String> args(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", cluster.kubeconfigFile().toString()));
    return all;
  }

  /** A copy of the chart whose CRD file has one edit, as the next version of the chart would. */
  private static Path chartVariant(String from, String to) throws IOException {
    Path copy = Files.createTempDirectory(scratch, "chart-");
    try (Stream<Path> files = Files.walk(chart)) {
      for (Path source : files.toList()) {
        Path target = copy.resolve(chart.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    Path crd = copy.resolve("files/crds").resolve(CRD_FILE);
    String text = Files.readString(crd);
    assertTrue(text.contains(from), "no '" + from + "' in " + crd);
    Files.writeString(crd, text.replaceFirst(java.util.regex.Pattern.quote(from), to));
    return copy;
  }

  private CustomResourceDefinition crd() {
    return admin.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
  }

  private CustomResourceDefinition awaitEstablished() {
    ClusterFixtures.await()
        .until(
            () -> {
              CustomResourceDefinition c = crd();
              return c != null
                  && c.getStatus() != null
                  && c.getStatus().getConditions().stream()
                      .anyMatch(
                          x -> x.getType().equals("Established") && x.getStatus().equals("True"));
            });
    return crd();
  }

  private void createPolicy(String namespace, String name) {
    String yaml =
        """
        apiVersion: pgconn.io/v1alpha1
        kind: PostgresConnectionPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          source:
            secretRef: {name: db}
        """
            .formatted(name, namespace);
    admin.resource(YAML.unmarshal(yaml, GenericKubernetesResource.class)).create();
  }

  private GenericKubernetesResource policy(String namespace, String name) {
    return admin
        .genericKubernetesResources("pgconn.io/v1alpha1", "PostgresConnectionPolicy")
        .inNamespace(namespace)
        .withName(name)
        .get();
  }
}
