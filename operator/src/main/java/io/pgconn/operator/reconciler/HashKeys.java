package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Each policy's key for {@link ContentHash}, derived from its namespace's key: 32 random bytes in
 * the Secret {@value #NAMESPACE_KEY_NAME}, labelled as managed so the target's label-filtered
 * informer holds it and a reconcile reads it from that cache, not from the API server. A policy's
 * key is HMAC-SHA256 of its name under that key: policies never share a key, and a policy deleted
 * and applied again (a GitOps prune and re-add) gets the same key back, so its hashes do not change
 * and its workloads do not restart.
 *
 * <p>One Secret per namespace, not one per policy: a policy's first reconcile costs no write of its
 * own, and the key lives with what it protects (whoever can read it can read the targets of that
 * namespace, passwords included). The operator creates it once, never rotates it, and while it runs
 * puts it back with the same key if someone deletes it. A policy that has a key Secret of its own
 * ({@code <policy>-hash-key}, written by versions before this one) keeps it, so an upgrade changes
 * no hash. A Secret named {@value #NAMESPACE_KEY_NAME} that is not the operator's is never read for
 * its key nor written: the namespace's policies fail with {@code HashKeySecretConflict}.
 */
final class HashKeys {

  static final String KEY = "key";
  static final String NAMESPACE_KEY_NAME = "pgconn-hash-key";

  /** Marks the namespace's key Secret; with the managed-by label, what makes it the operator's. */
  static final String ROLE_LABEL = "pgconn.io/hash-key";

  static final String ROLE = "namespace";

  private static final String HMAC = "HmacSHA256";
  private static final byte[] DERIVATION =
      "pgconn.io/policy-hash-key/v1\0".getBytes(StandardCharsets.UTF_8);

  /** What this process knows of a namespace's key, and whether its informer has shown it yet. */
  private record Known(byte[] key, boolean seen) {}

  private final SecretLookup cached;
  private final SecretLookup fresh;
  private final KubernetesClient client;
  private final SecureRandom random;
  private final PolicyObserver observer;
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  HashKeys(
      SecretLookup cached,
      SecretLookup fresh,
      KubernetesClient client,
      SecureRandom random,
      PolicyObserver observer) {
    this.cached = cached;
    this.fresh = fresh;
    this.client = client;
    this.random = random;
    this.observer = observer;
  }

  /** The policy's hasher, creating its namespace's key when there is none. */
  ContentHash forPolicy(PostgresConnectionPolicy policy, PolicyView view) throws PolicyFailure {
    view.requireValidGeneratedNames();
    Optional<ContentHash> own = ownKey(policy, view);
    if (own.isPresent()) return own.get();
    byte[] namespaceKey = namespaceKey(view);
    return ContentHash.keyed(derive(namespaceKey, view.name()));
  }

  /** A key Secret of the policy's own, as versions before the namespace key wrote one. */
  private Optional<ContentHash> ownKey(PostgresConnectionPolicy policy, PolicyView view) {
    return cached
        .get(new SecretId(view.namespace(), view.hashKeySecretName()))
        .filter(s -> ManagedSecrets.ownedBy(s, policy))
        .flatMap(s -> keyIn(s).map(ContentHash::keyed));
  }

  private byte[] namespaceKey(PolicyView view) throws PolicyFailure {
    SecretId id = new SecretId(view.namespace(), NAMESPACE_KEY_NAME);
    Optional<Secret> found = cached.get(id);
    if (found.isPresent()) {
      byte[] key = readOurs(id, found.get());
      known.put(id.namespace(), new Known(key, true));
      return key;
    }
    synchronized (this) {
      Known was = known.get(id.namespace());
      // Created or read a moment ago, and the informer has not shown it yet.
      if (was != null && !was.seen()) return was.key();
      // Unknown (a new namespace) or deleted since the informer showed it: create it, with the
      // key in use if there is one, so no hash changes. A create never overwrites a Secret.
      byte[] key = was != null ? was.key() : randomKey();
      try {
        client.secrets().inNamespace(id.namespace()).resource(secret(id, key)).create();
        observer.wrote(view.namespace(), view.name(), WriteStep.HASH_KEY_CREATED);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e;
        // Only its refusal needs a read: one request per namespace, not one per policy.
        key = readOurs(id, fresh.get(id).orElseThrow(() -> e));
      }
      known.put(id.namespace(), new Known(key, false));
      return key;
    }
  }

  private byte[] randomKey() {
    byte[] key = new byte[ContentHash.KEY_BYTES];
    random.nextBytes(key);
    return key;
  }

  private static Secret secret(SecretId id, byte[] key) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(id.name())
        .withNamespace(id.namespace())
        .withLabels(
            new TreeMap<>(
                Map.of(
                    ManagedSecrets.MANAGED_BY_LABEL, ManagedSecrets.MANAGED_BY, ROLE_LABEL, ROLE)))
        .endMetadata()
        .withType("Opaque")
        // As the per-policy keys were stored: the base64 text of the key is the value.
        .withData(
            ManagedSecrets.encode(
                new TreeMap<>(Map.of(KEY, Base64.getEncoder().encodeToString(key)))))
        .build();
  }

  /** The key in the namespace's key Secret, if the operator wrote it (its labels, no owner). */
  private static byte[] readOurs(SecretId id, Secret s) throws PolicyFailure {
    Map<String, String> labels = s.getMetadata().getLabels();
    boolean ours =
        labels != null
            && ManagedSecrets.MANAGED_BY.equals(labels.get(ManagedSecrets.MANAGED_BY_LABEL))
            && ROLE.equals(labels.get(ROLE_LABEL))
            && ManagedSecrets.owningPolicy(s).isEmpty();
    if (!ours) {
      throw new PolicyFailure(
          PolicyFailure.Reason.HASH_KEY_SECRET_CONFLICT,
          "Secret "
              + id
              + " exists and is not the operator's; the operator keeps the key of the content"
              + " hashes it publishes for this namespace's policies in a Secret of that name and"
              + " will neither read nor overwrite this one: rename or delete it");
    }
    return keyIn(s).orElseThrow(() -> unreadable(id));
  }

  private static Optional<byte[]> keyIn(Secret s) {
    try {
      byte[] key = Base64.getDecoder().decode(ManagedSecrets.value(s, KEY).orElse("").trim());
      return key.length == ContentHash.KEY_BYTES ? Optional.of(key) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The policy's own key: HMAC-SHA256 of its name under the namespace's key. */
  static byte[] derive(byte[] namespaceKey, String policyName) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(namespaceKey, HMAC));
      mac.update(DERIVATION);
      return mac.doFinal(policyName.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks " + HMAC, e);
    }
  }

  private static PolicyFailure unreadable(SecretId id) {
    return new PolicyFailure(
        PolicyFailure.Reason.HASH_KEY_UNREADABLE,
        "Secret "
            + id
            + " does not hold a "
            + ContentHash.KEY_BYTES
            + "-byte base64 key under '"
            + KEY
            + "'; delete it and the operator writes a key again (with a new key, the consumers of"
            + " every policy in this namespace restart once)");
  }
}
