package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.DeletionPolicy;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deleting a policy must not take its application down unless the policy says so. With
 * deletionPolicy Retain (the default) the target Secret outlives the policy, however the policy is
 * deleted: normally, or with foreground propagation (Argo CD's prune) where the garbage collector
 * deletes the policy's dependents before the operator's cleanup runs. With Delete it goes with the
 * policy. Runs on the full control plane, since only kube-controller-manager's garbage collector
 * deletes dependents; a dependent it deleted (a ConfigMap the test gives the policy) proves it has
 * acted.
 */
@OperatorEnvironment(controlPlane = ControlPlane.FULL, postgres = 16, maxConnections = 100)
class TargetLifecycleIT {

  static final String PASSWORD = "Lifecycle-Canary-Pa55";

  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  TargetLifecycleIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole("app", PASSWORD, null);
  }

  @Test
  void retainIsTheDefaultAndTheTargetOutlivesItsDeletedPolicy() {
    String ns = "retain";
    Map<String, String> content = reconciled(ns, "app", null);
    Secret target = secret(ns, "app-connection").orElseThrow();
    assertThat(owners(target)).as("a retained target has no owner").isEmpty();
    assertThat(target.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "pgconn-operator")
        .containsEntry("pgconn.io/policy", "app");

    policies(ns).withName("app").delete();
    await().until(() -> k8s.policy(ns, "app") == null);
    // The garbage collector has dealt with the policy's dependents.
    awaitCollected(ns, "app");

    assertRetained(ns, "app-connection", content);
  }

  @Test
  void retainHoldsWhenTheGarbageCollectorDeletesDependentsBeforeTheOperatorRuns(
      Operators operators) {
    String ns = "foreground";
    Map<String, String> content = reconciled(ns, "app", null);
    operators.stop();
    try {
      policies(ns).withName("app").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      awaitCollected(ns, "app");
      assertThat(secret(ns, "app-connection"))
          .as("the GC acted; the target is still there")
          .isPresent();
    } finally {
      operators.start();
    }
    await().until(() -> k8s.policy(ns, "app") == null);
    assertRetained(ns, "app-connection", content);
  }

  @Test
  void deleteTakesTheTargetWithThePolicyInBothPropagations() {
    String ns = "delete";
    reconciled(ns, "bg", DeletionPolicy.Delete);
    reconciled(ns, "fg", DeletionPolicy.Delete);
    for (String name : List.of("bg", "fg")) {
      assertThat(owners(secret(ns, name + "-connection").orElseThrow()))
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getKind()).isEqualTo("PostgresConnectionPolicy");
                assertThat(o.getUid()).isEqualTo(k8s.policy(ns, name).getMetadata().getUid());
              });
    }
    policies(ns).withName("bg").delete();
    policies(ns).withName("fg").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
    awaitGone(ns, "bg-connection");
    awaitGone(ns, "fg-connection");
    await().until(() -> k8s.policy(ns, "bg") == null && k8s.policy(ns, "fg") == null);
  }

  /** The owner reference follows the spec, and changing it rewrites no content. */
  @Test
  void changingTheDeletionPolicyOfALivePolicyAddsAndRemovesTheOwnerReference() {
    String ns = "switch";
    Map<String, String> content = reconciled(ns, "app", DeletionPolicy.Retain);
    String hash = k8s.status(ns, "app").getSecret().getContentHash();

    setDeletionPolicy(ns, "app", DeletionPolicy.Delete);
    await().until(() -> owners(secret(ns, "app-connection").orElseThrow()).size() == 1);
    setDeletionPolicy(ns, "app", DeletionPolicy.Retain);
    await().until(() -> owners(secret(ns, "app-connection").orElseThrow()).isEmpty());
    awaitObserved(ns, "app");

    assertThat(data(ns, "app-connection")).isEqualTo(content);
    assertThat(k8s.status(ns, "app").getSecret().getContentHash()).isEqualTo(hash);

    // Retain again: deleting it now keeps the target.
    policies(ns).withName("app").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
    awaitCollected(ns, "app");
    await().until(() -> k8s.policy(ns, "app") == null);
    assertRetained(ns, "app-connection", content);
  }

  /**
   * The spec says Retain only since the operator stopped, so the target still carries the owner
   * reference Delete put there; the policy is deleted before the operator is back. Its cleanup runs
   * before the garbage collector may act (background deletion waits for the finalizer) and removes
   * the reference.
   */
  @Test
  void retainSetWhileTheOperatorIsDownStillKeepsTheTarget(Operators operators) {
    String ns = "late-retain";
    Map<String, String> content = reconciled(ns, "app", DeletionPolicy.Delete);
    assertThat(owners(secret(ns, "app-connection").orElseThrow())).hasSize(1);
    retainSetWhileDownThenDeleted(operators, ns, content);
  }

  /**
   * A finalizer only where the deletion needs the operator: Retain (the default) leaves everything
   * to the garbage collector, so such a policy goes at once, operator or not; Delete's owner
   * reference may have to be removed first (Retain set later), so that policy carries it.
   */
  @Test
  void onlyAPolicyWhoseDeletionNeedsTheOperatorCarriesItsFinalizer(Operators operators) {
    String ns = "finalizers";
    Map<String, String> content = reconciled(ns, "kept", null);
    reconciled(ns, "owned", DeletionPolicy.Delete);
    assertThat(k8s.policy(ns, "kept").getMetadata().getFinalizers()).isEmpty();
    assertThat(k8s.policy(ns, "owned").getMetadata().getFinalizers())
        .containsExactly(PolicyReconciler.FINALIZER);

    operators.stop();
    try {
      policies(ns).withName("kept").delete();
      await().until(() -> k8s.policy(ns, "kept") == null);
      awaitCollected(ns, "kept");
    } finally {
      operators.start();
    }
    assertRetained(ns, "kept-connection", content);
  }

  /**
   * Written with Retain (no finalizer), then switched to Delete: the finalizer comes before the
   * owner reference, so Retain set again while the operator is down, then a deletion, still keeps
   * the target.
   */
  @Test
  void aPolicySwitchedToDeleteGetsItsFinalizerBeforeTheOwnerReference(Operators operators) {
    String ns = "late-delete";
    Map<String, String> content = reconciled(ns, "app", DeletionPolicy.Retain);
    assertThat(k8s.policy(ns, "app").getMetadata().getFinalizers()).isEmpty();
    setDeletionPolicy(ns, "app", DeletionPolicy.Delete);
    await().until(() -> owners(secret(ns, "app-connection").orElseThrow()).size() == 1);
    assertThat(k8s.policy(ns, "app").getMetadata().getFinalizers())
        .containsExactly(PolicyReconciler.FINALIZER);
    retainSetWhileDownThenDeleted(operators, ns, content);
  }

  /**
   * A retained target is recognised by the operator's labels: a policy of its name adopts it again
   * (and owns it with Delete); another policy naming it does not, nor is a Secret that merely
   * carries the managed-by label adopted.
   */
  @Test
  void aRetainedTargetIsAdoptedByAPolicyOfItsNameAndByNoOther() {
    String ns = "adopt";
    Map<String, String> content = reconciled(ns, "app", null);
    policies(ns).withName("app").delete();
    await().until(() -> k8s.policy(ns, "app") == null);
    awaitCollected(ns, "app");

    k8s.create(policy(ns, "other", DeletionPolicy.Retain, 5, "app-connection"));
    await().until(() -> k8s.reason(ns, "other").equals("TargetOwnedByAnotherPolicy"));
    assertThat(k8s.condition(ns, "other", "Ready").orElseThrow().getMessage())
        .contains("PostgresConnectionPolicy app");
    assertThat(data(ns, "app-connection")).isEqualTo(content);

    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("labelled")
                .withNamespace(ns)
                .addToLabels("app.kubernetes.io/managed-by", "pgconn-operator")
                .endMetadata()
                .addToStringData("precious", "keep")
                .build())
        .create();
    k8s.create(policy(ns, "third", DeletionPolicy.Retain, 5, "labelled"));
    await().until(() -> k8s.reason(ns, "third").equals("TargetSecretConflict"));
    assertThat(data(ns, "labelled")).isEqualTo(Map.of("precious", "keep"));

    // The policy of its name comes back with another pool size and Delete: it adopts and owns it.
    k8s.create(policy(ns, "app", DeletionPolicy.Delete, 6, null));
    await().until(() -> k8s.reason(ns, "app").equals("Reconciled"));
    await()
        .until(() -> data(ns, "app-connection").get("DATABASE_URL").contains("connection_limit=6"));
    assertThat(owners(secret(ns, "app-connection").orElseThrow()))
        .extracting(OwnerReference::getUid)
        .containsExactly(k8s.policy(ns, "app").getMetadata().getUid());
    assertThat(k8s.reason(ns, "other")).isEqualTo("TargetOwnedByAnotherPolicy");
  }

  /** A policy reading a fixed pool of 5 from {@code <name>}'s own source Secret, reconciled. */
  private Map<String, String> reconciled(String ns, String name, DeletionPolicy deletion) {
    k8s.namespace(ns);
    k8s.secret(ns, name + "-db", Map.of("DATABASE_URL", postgres.url("app", PASSWORD, "postgres")));
    k8s.create(policy(ns, name, deletion, 5, null));
    await().until(() -> k8s.reason(ns, name).equals("Reconciled"));
    // The operator's own Secrets need not include a dependent (a retained target has no owner,
    // and the hash key is the namespace's): the test gives the policy one.
    k8s.dependent(ns, name);
    return data(ns, name + "-connection");
  }

  /** The garbage collector has dealt with the policy's dependents: its ConfigMap is gone. */
  private void awaitCollected(String ns, String policy) {
    await().atMost(Duration.ofSeconds(90)).until(() -> k8s.dependentGone(ns, policy));
  }

  private PostgresConnectionPolicy policy(
      String ns, String name, DeletionPolicy deletion, int limit, String target) {
    String source = name.equals("other") || name.equals("third") ? "app-db" : name + "-db";
    if (secret(ns, source).isEmpty()) {
      k8s.secret(ns, source, Map.of("DATABASE_URL", postgres.url("app", PASSWORD, "postgres")));
    }
    return Policies.policy(
        ns,
        name,
        source,
        spec -> {
          spec.getPool().setConnectionLimit(limit);
          spec.getPool().setSslMode("disable");
          if (deletion != null) spec.getTarget().setDeletionPolicy(deletion);
          if (target != null) spec.getTarget().setSecretName(target);
        });
  }

  /**
   * With the operator down, app's spec is set to Retain and app deleted; once the operator is back
   * and app gone (the garbage collector has acted: its dependent is gone), the target is kept.
   */
  private void retainSetWhileDownThenDeleted(
      Operators operators, String ns, Map<String, String> content) {
    operators.stop();
    try {
      setDeletionPolicy(ns, "app", DeletionPolicy.Retain);
      policies(ns).withName("app").delete();
    } finally {
      operators.start();
    }
    await().until(() -> k8s.policy(ns, "app") == null);
    awaitCollected(ns, "app");
    assertRetained(ns, "app-connection", content);
  }

  private void setDeletionPolicy(String ns, String name, DeletionPolicy deletion) {
    policies(ns)
        .withName(name)
        .edit(
            p -> {
              p.getSpec().getTarget().setDeletionPolicy(deletion);
              return p;
            });
  }

  private void awaitObserved(String ns, String name) {
    await()
        .until(
            () -> {
              PostgresConnectionPolicy p = k8s.policy(ns, name);
              return p.getStatus() != null
                  && p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())
                  && k8s.reason(ns, name).equals("Reconciled");
            });
  }

  private void assertRetained(String ns, String name, Map<String, String> content) {
    Secret retained = secret(ns, name).orElseThrow(() -> new AssertionError(name + " is gone"));
    assertThat(retained.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(owners(retained)).isEmpty();
    assertThat(data(ns, name)).as("its last content, every key").isEqualTo(content);
  }

  private void awaitGone(String ns, String secret) {
    await().atMost(Duration.ofSeconds(90)).until(() -> secret(ns, secret).isEmpty());
  }

  private Optional<Secret> secret(String ns, String name) {
    return Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get());
  }

  private Map<String, String> data(String ns, String name) {
    Secret secret = secret(ns, name).orElseThrow();
    Map<String, String> values = new java.util.TreeMap<>();
    secret
        .getData()
        .keySet()
        .forEach(k -> values.put(k, k8s.secretValue(ns, name, k).orElseThrow()));
    return values;
  }

  private static List<OwnerReference> owners(Secret secret) {
    var refs = secret.getMetadata().getOwnerReferences();
    return refs == null ? List.of() : refs;
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          PostgresConnectionPolicy,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<PostgresConnectionPolicy>,
          io.fabric8.kubernetes.client.dsl.Resource<PostgresConnectionPolicy>>
      policies(String ns) {
    return client.resources(PostgresConnectionPolicy.class).inNamespace(ns);
  }
}
