package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whoever can read a policy, a Deployment or the events of a namespace sees the content hash, but
 * cannot test password guesses with it: no published hash equals the unkeyed sha256 of the target
 * Secret's content, each policy's key derives from its namespace's key, kept in a Secret of the
 * operator's in that namespace, and a foreign Secret of the key's name is neither read nor written.
 * The key outlives a policy (deleted and applied again, it restarts nothing) and a deletion of its
 * Secret; a policy's own key from an earlier version is kept. Real API server, real PostgreSQL, the
 * real application.
 */
@OperatorEnvironment(postgres = 16, ssl = true, maxConnections = 100)
class PublishedHashIT {

  static final String CANARY = "canary-hash-Pw-91d2";

  /** The URL every test's source Secret db holds. */
  private final String sourceUrl;

  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  PublishedHashIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.sourceUrl = postgres.url("team_h", CANARY, "postgres");
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole("team_h", CANARY, null);
  }

  @Test
  void noPublishedHashIsTheUnkeyedHashOfTheContentAndASecondReconcileChangesNothing() {
    String ns = "hashes";
    shopStamped(ns);

    String unkeyed = ContentHash.unkeyed(targetContent(ns, "shop-connection"));
    PostgresConnectionPolicy policy = k8s.policy(ns, "shop");
    List<String> published = new ArrayList<>();
    published.add(policy.getStatus().getSecret().getContentHash());
    policy.getStatus().getWorkloads().stream()
        .map(WorkloadStatus::contentHash)
        .forEach(published::add);
    published.add(stamped(ns, "shop"));
    List<String> eventHashes =
        client.v1().events().inNamespace(ns).list().getItems().stream()
            .map(e -> String.valueOf(e.getMessage()))
            .filter(m -> m.contains("sha256:"))
            .toList();
    assertThat(eventHashes).isNotEmpty();
    assertThat(published).hasSize(3).allSatisfy(h -> assertThat(h).startsWith("hmac-sha256:"));
    assertThat(published).allSatisfy(h -> assertThat(h).isEqualTo(published.get(0)));
    String unkeyedHex = unkeyed.substring(unkeyed.indexOf(':') + 1);
    assertThat(published).allSatisfy(h -> assertThat(h).doesNotContain(unkeyedHex));
    assertThat(eventHashes)
        .allSatisfy(m -> assertThat(m).doesNotContain(unkeyedHex).doesNotContain(CANARY));

    Secret key = client.secrets().inNamespace(ns).withName(HashKeys.NAMESPACE_KEY_NAME).get();
    assertThat(key).isNotNull();
    assertThat(key.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(key.getMetadata().getLabels())
        .containsEntry(ManagedSecrets.MANAGED_BY_LABEL, ManagedSecrets.MANAGED_BY)
        .containsEntry(HashKeys.ROLE_LABEL, HashKeys.ROLE);
    String keyValue = key.getData().get(HashKeys.KEY);
    assertThat(statusJson(ns, "shop")).doesNotContain(keyValue);
    // The policy's key is its own, derived from the namespace's; no Secret of the policy's own.
    byte[] namespaceKey =
        Base64.getDecoder()
            .decode(k8s.secretValue(ns, HashKeys.NAMESPACE_KEY_NAME, HashKeys.KEY).orElseThrow());
    byte[] policyKey = HashKeys.derive(namespaceKey, "shop");
    assertThat(ContentHash.keyed(policyKey).of(targetContent(ns, "shop-connection")))
        .isEqualTo(published.get(0));
    assertThat(client.secrets().inNamespace(ns).withName("shop-hash-key").get()).isNull();

    // A second reconcile (woken through its source) writes nothing and restarts nothing.
    String targetVersion = k8s.resourceVersion(ns, "shop-connection");
    String keyVersion = k8s.resourceVersion(ns, HashKeys.NAMESPACE_KEY_NAME);
    long deploymentGeneration = deployment(ns).getMetadata().getGeneration();
    touch(ns);
    assertThat(k8s.policy(ns, "shop").getStatus().getSecret().getContentHash())
        .isEqualTo(published.get(0));
    assertThat(stamped(ns, "shop")).isEqualTo(published.get(0));
    assertThat(k8s.resourceVersion(ns, "shop-connection")).isEqualTo(targetVersion);
    assertThat(k8s.resourceVersion(ns, HashKeys.NAMESPACE_KEY_NAME)).isEqualTo(keyVersion);
    assertThat(deployment(ns).getMetadata().getGeneration()).isEqualTo(deploymentGeneration);
  }

  /**
   * A GitOps prune and re-add: the policy deleted (its target retained) and applied again gets the
   * same key, so the same hash, and its workload is not restarted. With a random key per policy, as
   * before, the pod template was stamped anew: one restart for nothing.
   */
  @Test
  void aPolicyDeletedAndAppliedAgainKeepsItsHashAndRestartsNothing() {
    String ns = "reapplied";
    shopStamped(ns);
    String hash = stamped(ns, "shop");
    long generation = deployment(ns).getMetadata().getGeneration();

    client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName("shop").delete();
    await().until(() -> k8s.policy(ns, "shop") == null);
    k8s.create(shop(ns));
    await()
        .until(
            () ->
                k8s.reason(ns, "shop").equals("Reconciled")
                    && k8s.policy(ns, "shop").getStatus().getSecret() != null);

    assertThat(k8s.policy(ns, "shop").getStatus().getSecret().getContentHash()).isEqualTo(hash);
    assertThat(stamped(ns, "shop")).isEqualTo(hash);
    assertThat(deployment(ns).getMetadata().getGeneration()).isEqualTo(generation);
  }

  /**
   * Someone deletes the namespace's key Secret: the operator puts it back with the key in use, so
   * no hash changes and nothing restarts, now or after the operator's next start.
   */
  @Test
  void theNamespaceKeyDeletedWhileTheOperatorRunsComesBackWithTheSameKey(Operators operators) {
    String ns = "key-deleted";
    shopStamped(ns);
    String hash = stamped(ns, "shop");
    String key = k8s.secretValue(ns, HashKeys.NAMESPACE_KEY_NAME, HashKeys.KEY).orElseThrow();
    long generation = deployment(ns).getMetadata().getGeneration();

    client.secrets().inNamespace(ns).withName(HashKeys.NAMESPACE_KEY_NAME).delete();
    await()
        .until(
            () ->
                client.secrets().inNamespace(ns).withName(HashKeys.NAMESPACE_KEY_NAME).get()
                    == null);
    touch(ns);
    await()
        .until(
            () ->
                k8s.secretValue(ns, HashKeys.NAMESPACE_KEY_NAME, HashKeys.KEY)
                    .filter(key::equals)
                    .isPresent());
    operators.stop();
    operators.start();
    touch(ns);

    assertThat(k8s.policy(ns, "shop").getStatus().getSecret().getContentHash()).isEqualTo(hash);
    assertThat(stamped(ns, "shop")).isEqualTo(hash);
    assertThat(deployment(ns).getMetadata().getGeneration()).isEqualTo(generation);
  }

  /**
   * The upgrade from versions that kept a key per policy ({@code <policy>-hash-key}, owned by the
   * policy): the policy keeps that key, so its hashes do not change and nothing restarts, and no
   * namespace key is written for it.
   */
  @Test
  void aKeyOfThePolicysOwnFromAnEarlierVersionIsKept(Operators operators) {
    String ns = "own-key";
    shopInputs(ns);
    byte[] own = new byte[ContentHash.KEY_BYTES];
    java.util.Arrays.fill(own, (byte) 7);
    operators.stop();
    try {
      k8s.create(shop(ns));
      PostgresConnectionPolicy policy = k8s.policy(ns, "shop");
      Secret earlier =
          ManagedSecrets.owned(
              policy,
              "shop-hash-key",
              new TreeMap<>(Map.of(HashKeys.KEY, Base64.getEncoder().encodeToString(own))),
              Map.of());
      client.secrets().inNamespace(ns).resource(earlier).create();
    } finally {
      operators.start();
    }
    await()
        .until(
            () ->
                k8s.reason(ns, "shop").equals("Reconciled")
                    && k8s.policy(ns, "shop").getStatus().getSecret() != null);

    assertThat(k8s.policy(ns, "shop").getStatus().getSecret().getContentHash())
        .isEqualTo(ContentHash.keyed(own).of(targetContent(ns, "shop-connection")));
    assertThat(client.secrets().inNamespace(ns).withName(HashKeys.NAMESPACE_KEY_NAME).get())
        .isNull();
  }

  /**
   * The upgrade: a pod template stamped by an earlier version with the unkeyed sha256 of the very
   * content the policy writes now is restamped with the keyed hash once (one rollout), then never
   * again.
   */
  @Test
  void aWorkloadStampedWithTheOldUnkeyedHashIsRestampedOnceThenLeftAlone() {
    String ns = "upgrade";
    shopStamped(ns);
    String keyed = stamped(ns, "shop");

    // What an earlier version left on the pod template for the same content.
    String unkeyed = ContentHash.unkeyed(targetContent(ns, "shop-connection"));
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("web")
        .edit(
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getMetadata()
                  .getAnnotations()
                  .put(PodTemplateStamps.KEY_PREFIX + "shop", unkeyed);
              return d;
            });
    long oldStamp = deployment(ns).getMetadata().getGeneration();
    touch(ns);
    await().until(() -> keyed.equals(stamped(ns, "shop")));
    long restamped = deployment(ns).getMetadata().getGeneration();
    assertThat(restamped).isEqualTo(oldStamp + 1);

    touch(ns);
    assertThat(stamped(ns, "shop")).isEqualTo(keyed);
    assertThat(deployment(ns).getMetadata().getGeneration()).isEqualTo(restamped);
  }

  /** The namespace, the source db and the Deployment web that reads shop-connection. */
  private void shopInputs(String ns) {
    k8s.namespace(ns);
    k8s.secret(ns, "db", Map.of("DATABASE_URL", sourceUrl));
    k8s.deployment(ns, "web", "shop-connection");
  }

  /** shop with its inputs, reconciled and web stamped. */
  private void shopStamped(String ns) {
    shopInputs(ns);
    k8s.create(shop(ns));
    await().until(() -> k8s.reason(ns, "shop").equals("Reconciled") && stamped(ns, "shop") != null);
  }

  /** Wakes the policy through its source and waits until it reconciled that version. */
  private void touch(String ns) {
    client
        .secrets()
        .inNamespace(ns)
        .withName("db")
        .edit(
            s -> {
              s.getMetadata().setAnnotations(Map.of("touched", String.valueOf(System.nanoTime())));
              return s;
            });
    String version = k8s.resourceVersion(ns, "db");
    await()
        .until(() -> version.equals(k8s.policy(ns, "shop").getStatus().getObservedSourceVersion()));
  }

  @Test
  void aForeignSecretNamedLikeTheKeyIsNeitherReadNorWritten() {
    String ns = "foreign-key";
    k8s.namespace(ns);
    k8s.secret(ns, "db", Map.of("DATABASE_URL", sourceUrl));
    String name = HashKeys.NAMESPACE_KEY_NAME;
    k8s.secret(ns, name, Map.of("key", "not-the-operators"));
    String version = k8s.resourceVersion(ns, name);
    k8s.create(shop(ns));
    await().until(() -> k8s.reason(ns, "shop").equals("HashKeySecretConflict"));

    assertThat(k8s.resourceVersion(ns, name)).isEqualTo(version);
    assertThat(k8s.secretValue(ns, name, "key")).contains("not-the-operators");
    assertThat(client.secrets().inNamespace(ns).withName("shop-connection").get()).isNull();
    assertThat(k8s.condition(ns, "shop", "Ready").orElseThrow().getMessage())
        .contains(name)
        .doesNotContain("not-the-operators");

    // Nor may a policy make the key's Secret its target.
    k8s.create(
        Policies.policy(
            ns,
            "squatter",
            "db",
            spec -> {
              spec.getPool().setConnectionLimit(5);
              spec.getTarget().setSecretName(name);
            }));
    await().until(() -> k8s.reason(ns, "squatter").equals("InvalidSpec"));
    assertThat(k8s.resourceVersion(ns, name)).isEqualTo(version);
  }

  private SortedMap<String, String> targetContent(String ns, String name) {
    Secret target = client.secrets().inNamespace(ns).withName(name).get();
    SortedMap<String, String> content = new TreeMap<>();
    target.getData().keySet().forEach(k -> content.put(k, ManagedSecrets.value(target, k).get()));
    return content;
  }

  private Deployment deployment(String ns) {
    return k8s.getDeployment(ns, "web").orElseThrow();
  }

  private String stamped(String ns, String policy) {
    return ClusterFixtures.annotation(deployment(ns), PodTemplateStamps.KEY_PREFIX + policy);
  }

  private String statusJson(String ns, String name) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(
        k8s.policy(ns, name).getStatus());
  }

  /** The policy every test creates: a fixed pool for the Deployment web, read from db. */
  private static PostgresConnectionPolicy shop(String ns) {
    return Policies.policy(
        ns,
        "shop",
        "db",
        spec -> {
          spec.getPool().setConnectionLimit(5);
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "web")));
        });
  }
}
