package io.pgconn.operator.rollout;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.kube.OperatorIdentity;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.TestCluster;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One Deployment whose pods read the target Secrets of two policies (issue 10, item 9): each policy
 * stamps the pod template under its own annotation key and its own field manager, so the Deployment
 * restarts once per real content change of either policy and never because the two undo each other.
 * On a real kube-apiserver (audited for Deployments), a real PostgreSQL 16 and the real
 * application. Without controllers the stamped Deployment never completes its rollout, so both
 * policies keep rechecking it every couple of seconds: a ping-pong shows up at once.
 */
@OperatorEnvironment(
    audit = Audit.SECRETS_AND_DEPLOYMENTS,
    postgres = 16,
    ssl = true,
    maxConnections = 60,
    namespaces = {SharedWorkloadIT.NS, "ssa"},
    deleteOnExistingCluster = {SharedWorkloadIT.NS, "ssa"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedWorkloadIT {

  static final String NS = "shared";
  static final String CANARY = "Canary-Sh4red@/%?#&= é";
  static final String ROTATED = "Canary-R0tated-Sh4red@/%?";
  static final String DB = "shop";
  static final String ORDERS = "orders";
  static final String BILLING = "billing";
  static final String API = "api";

  /** Reconciles of each policy watched, after it settled, before counting restarts. */
  static final int RECONCILES = 5;

  private final AuditLog audit;
  private final TestCluster controlPlane;
  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  SharedWorkloadIT(
      AuditLog audit,
      TestCluster controlPlane,
      LocalPostgres postgres,
      KubernetesClient client,
      ClusterFixtures k8s) {
    this.audit = audit;
    this.controlPlane = controlPlane;
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void rolesAndDatabase(LocalPostgres postgres) {
    for (String role : List.of(ORDERS, BILLING)) {
      postgres.createRole(role + "_app", CANARY, null);
    }
    postgres.createDatabase(DB, ORDERS + "_app", null);
  }

  /**
   * Why one field manager per policy: server-side apply removes the fields a manager owned and no
   * longer applies, so two policies applying their own keys under one shared manager would each
   * delete the other's key.
   */
  @Test
  @Order(1)
  void oneSharedFieldManagerWouldDeleteTheOtherPolicysKey() {
    client
        .apps()
        .deployments()
        .inNamespace("ssa")
        .resource(twoSecretDeployment("ssa", "web"))
        .create();
    applyTemplateAnnotation("ssa", "web", "shared-manager", "example.com/a", "1");
    applyTemplateAnnotation("ssa", "web", "shared-manager", "example.com/b", "2");
    assertThat(templateAnnotations("ssa", "web"))
        .containsEntry("example.com/b", "2")
        .doesNotContainKey("example.com/a");

    applyTemplateAnnotation("ssa", "web", "manager/a", "example.com/a", "1");
    applyTemplateAnnotation("ssa", "web", "manager/b", "example.com/b", "2");
    applyTemplateAnnotation("ssa", "web", "manager/a", "example.com/a", "3");
    assertThat(templateAnnotations("ssa", "web"))
        .containsEntry("example.com/a", "3")
        .containsEntry("example.com/b", "2");

    // The operator's stamper does the latter: each policy's key under its own manager.
    PodTemplateStamper stamper = new PodTemplateStamper(client);
    WorkloadKey web = new WorkloadKey(WorkloadKind.Deployment, "ssa", "web");
    stamper.stamp(web, ORDERS, "sha256:o1");
    stamper.stamp(web, BILLING, "sha256:b1");
    stamper.stamp(web, ORDERS, "sha256:o2");
    assertThat(templateAnnotations("ssa", "web"))
        .containsEntry(PodTemplateStamps.key(ORDERS), "sha256:o2")
        .containsEntry(PodTemplateStamps.key(BILLING), "sha256:b1");
  }

  @Test
  @Order(2)
  void aDeploymentReadingTwoPoliciesSecretsRestartsOncePerRealChange() {
    k8s.secret(
        NS, ORDERS + "-db", Map.of("DATABASE_URL", postgres.url(ORDERS + "_app", CANARY, DB)));
    k8s.secret(
        NS, BILLING + "-db", Map.of("DATABASE_URL", postgres.url(BILLING + "_app", CANARY, DB)));
    client.apps().deployments().inNamespace(NS).resource(twoSecretDeployment(NS, API)).create();
    // One policy lists the Deployment by name, the other discovers it: both selection paths.
    k8s.create(
        policy(
            ORDERS,
            spec ->
                spec.getWorkloads()
                    .setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, API)))));
    k8s.create(policy(BILLING, spec -> spec.getWorkloads().setDiscover(true)));

    await().until(() -> k8s.ready(NS, ORDERS) && k8s.ready(NS, BILLING));
    await().until(() -> stampedInStatus(ORDERS) && stampedInStatus(BILLING));
    String ordersHash = contentHash(ORDERS);
    String billingHash = contentHash(BILLING);

    // Several reconciles of both, some woken by a touched source whose content is unchanged.
    watchReconciles(
        () -> {
          k8s.touchSecret(NS, ORDERS + "-db");
          k8s.touchSecret(NS, BILLING + "-db");
        });
    assertThat(contentHash(ORDERS)).isEqualTo(ordersHash);
    assertThat(contentHash(BILLING)).isEqualTo(billingHash);
    // Created at generation 1; one restart per policy for its first content.
    assertThat(generation()).as("generation of the shared Deployment").isEqualTo(3);
    assertThat(templateAnnotations(NS, API))
        .containsEntry(PodTemplateStamps.key(ORDERS), ordersHash)
        .containsEntry(PodTemplateStamps.key(BILLING), billingHash)
        .doesNotContainKey(PodTemplateStamps.LEGACY_KEY);
    assertThat(operatorPatches(OperatorIdentity.policyFieldManager(ORDERS))).isEqualTo(1);
    assertThat(operatorPatches(OperatorIdentity.policyFieldManager(BILLING))).isEqualTo(1);

    // A real change of one policy's source: that policy restarts the Deployment once more.
    postgres.execute(
        "ALTER ROLE " + ORDERS + "_app PASSWORD " + LocalPostgres.quoteLiteral(ROTATED));
    k8s.replaceSecret(
        NS, ORDERS + "-db", Map.of("DATABASE_URL", postgres.url(ORDERS + "_app", ROTATED, DB)));
    await().until(() -> !ordersHash.equals(contentHash(ORDERS)));
    String rotatedHash = contentHash(ORDERS);
    await()
        .until(
            () ->
                rotatedHash.equals(
                    templateAnnotations(NS, API).get(PodTemplateStamps.key(ORDERS))));
    watchReconciles(() -> k8s.touchSecret(NS, BILLING + "-db"), BILLING);
    assertThat(contentHash(ORDERS)).isEqualTo(rotatedHash);
    assertThat(generation()).as("generation of the shared Deployment").isEqualTo(4);
    assertThat(templateAnnotations(NS, API))
        .containsEntry(PodTemplateStamps.key(ORDERS), rotatedHash)
        .containsEntry(PodTemplateStamps.key(BILLING), billingHash);
    assertThat(operatorPatches(OperatorIdentity.policyFieldManager(ORDERS))).isEqualTo(2);
    assertThat(operatorPatches(OperatorIdentity.policyFieldManager(BILLING))).isEqualTo(1);
  }

  /**
   * Upgrading from the single annotation: a workload stamped by an earlier operator with the
   * content it runs now counts as stamped, so the upgrade restarts nothing.
   */
  @Test
  @Order(3)
  void aWorkloadStampedBeforeTheUpgradeIsNotRestarted() {
    k8s.secret(NS, "legacy-db", Map.of("DATABASE_URL", postgres.url(BILLING + "_app", CANARY, DB)));
    k8s.create(
        policy(
            "legacy",
            spec ->
                spec.getWorkloads()
                    .setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "old")))));
    await().until(() -> !contentHash("legacy").isEmpty());
    String hash = contentHash("legacy");
    // What the previous version left: the one annotation, carrying the current content.
    Deployment old =
        new DeploymentBuilder(deployment(NS, "old", "legacy-connection"))
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToAnnotations(PodTemplateStamps.LEGACY_KEY, hash)
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(NS).resource(old).create();
    long generation =
        client
            .apps()
            .deployments()
            .inNamespace(NS)
            .withName("old")
            .get()
            .getMetadata()
            .getGeneration();

    k8s.touchSecret(NS, "legacy-db");
    await()
        .until(
            () ->
                workload("legacy", "old") != null
                    && hash.equals(workload("legacy", "old").contentHash()));
    watchReconciles(() -> k8s.touchSecret(NS, "legacy-db"), "legacy");
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("old")
                .get()
                .getMetadata()
                .getGeneration())
        .isEqualTo(generation);
    assertThat(templateAnnotations(NS, "old")).doesNotContainKey(PodTemplateStamps.key("legacy"));
  }

  /** A Deployment whose pods read both policies' target Secrets (envFrom, one prefix each). */
  private Deployment twoSecretDeployment(String ns, String name) {
    return deployment(ns, name, ORDERS + "-connection", BILLING + "-connection");
  }

  private Deployment deployment(String ns, String name, String... secrets) {
    var container =
        new io.fabric8.kubernetes.api.model.ContainerBuilder()
            .withName("app")
            .withImage("example/app:1");
    for (String secret : secrets) {
      container
          .addNewEnvFrom()
          .withPrefix(secret.replace('-', '_').toUpperCase() + "_")
          .withNewSecretRef()
          .withName(secret)
          .endSecretRef()
          .endEnvFrom();
    }
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addToContainers(container.build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private void applyTemplateAnnotation(
      String ns, String name, String manager, String key, String value) {
    Deployment apply =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewMetadata()
            .addToAnnotations(key, value)
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(apply)
        .fieldManager(manager)
        .forceConflicts()
        .serverSideApply();
  }

  private Map<String, String> templateAnnotations(String ns, String name) {
    Map<String, String> annotations =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName(name)
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private long generation() {
    return client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(API)
        .get()
        .getMetadata()
        .getGeneration();
  }

  /** The patches of the shared Deployment made under this field manager, from the audit log. */
  private long operatorPatches(String manager) {
    Assumptions.assumeTrue(controlPlane.local(), "the audit log needs the local control plane");
    String uri = "/apis/apps/v1/namespaces/" + NS + "/deployments/" + API + "?";
    String param = "fieldManager=" + manager;
    return audit.requests().stream()
        .filter(r -> r.verb().equals("patch") && r.uri().startsWith(uri))
        .filter(
            r ->
                List.of(r.uri().substring(uri.length()).split("&")).stream()
                    .map(
                        p -> java.net.URLDecoder.decode(p, java.nio.charset.StandardCharsets.UTF_8))
                    .anyMatch(param::equals))
        .count();
  }

  /**
   * Runs {@code between} (which touches the listed policies' sources) and waits, after each run,
   * until every listed policy has reconciled from its touched source, RECONCILES times.
   */
  private void watchReconciles(Runnable between, String... policies) {
    List<String> names = policies.length == 0 ? List.of(ORDERS, BILLING) : List.of(policies);
    for (int i = 0; i < RECONCILES; i++) {
      between.run();
      Map<String, String> touched = new java.util.HashMap<>();
      names.forEach(
          n ->
              touched.put(
                  n,
                  k8s.resourceVersion(
                      NS, k8s.policy(NS, n).getSpec().getSource().getSecretRef().getName())));
      await().until(() -> names.stream().allMatch(n -> touched.get(n).equals(observed(n))));
    }
  }

  private String observed(String name) {
    var status = k8s.policy(NS, name).getStatus();
    return status == null ? "" : String.valueOf(status.getObservedSourceVersion());
  }

  private static PostgresConnectionPolicy policy(String name, Consumer<PolicySpec> customize) {
    return Policies.policy(
        NS,
        name,
        name + "-db",
        spec -> {
          // A fixed pool size: the content changes only when the source does.
          spec.getPool().setConnectionLimit(4);
          customize.accept(spec);
        });
  }

  private String contentHash(String name) {
    var status = k8s.policy(NS, name).getStatus();
    return status == null
            || status.getSecret() == null
            || status.getSecret().getContentHash() == null
        ? ""
        : status.getSecret().getContentHash();
  }

  private WorkloadStatus workload(String policy, String name) {
    var status = k8s.policy(NS, policy).getStatus();
    if (status == null || status.getWorkloads() == null) return null;
    return status.getWorkloads().stream()
        .filter(w -> name.equals(w.name()))
        .findFirst()
        .orElse(null);
  }

  /** The policy reports the Deployment restarted (or up to date) for its current content. */
  private boolean stampedInStatus(String name) {
    WorkloadStatus w = workload(name, API);
    return w != null
        && !contentHash(name).isEmpty()
        && contentHash(name).equals(w.contentHash())
        && List.of("Restarting", "UpToDate").contains(w.state());
  }
}
