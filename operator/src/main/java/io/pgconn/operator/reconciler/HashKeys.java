package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Each policy's key for {@link ContentHash}: 32 random bytes in a Secret the policy owns ({@code
 * <policy>-hash-key}), labelled as managed so the target's label-filtered informer holds it and a
 * reconcile reads it from that cache, not from the API server.
 *
 * <p>The operator creates the key once and never rotates it: a new key changes every published hash
 * and so restarts every consumer once. That happens only when the key Secret is missing (the
 * policy's first reconcile, or someone deleted it). A Secret of that name the policy does not own
 * is never read for its key nor written: the policy fails with {@code HashKeySecretConflict}.
 */
final class HashKeys {

  static final String KEY = "key";

  private final SecretLookup cached;
  private final SecretLookup fresh;
  private final KubernetesClient client;
  private final SecureRandom random;
  private final PolicyObserver observer;

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

  /** The policy's hasher, creating its key when there is none. */
  ContentHash forPolicy(PostgresConnectionPolicy policy, PolicyView view) throws PolicyFailure {
    view.requireValidGeneratedNames();
    SecretId id = new SecretId(view.namespace(), view.hashKeySecretName());
    Optional<Secret> found = cached.get(id);
    if (found.isPresent()) {
      return from(policy, id, found.get())
          .orElseThrow(() -> unreadable(id)); // owned but not a key: someone edited it
    }
    // Not in the label-filtered cache: most often a new policy's key, not created yet; else a
    // foreign Secret (never in that cache) or one the cache has not seen yet. So create first: a
    // create never overwrites, and only its refusal needs a read (one request per new policy, not
    // two).
    byte[] key = new byte[ContentHash.KEY_BYTES];
    random.nextBytes(key);
    Secret secret =
        ManagedSecrets.owned(
            policy,
            id.name(),
            new TreeMap<>(Map.of(KEY, Base64.getEncoder().encodeToString(key))),
            Map.of());
    try {
      // Create, not apply: a create never overwrites a Secret, foreign or the policy's own.
      client.secrets().inNamespace(id.namespace()).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      Secret existing = fresh.get(id).orElseThrow(() -> e);
      return from(policy, id, existing)
          .orElseThrow(() -> unreadable(id)); // owned but not a key: someone edited it
    }
    observer.wrote(view.namespace(), view.name(), WriteStep.HASH_KEY_CREATED);
    return ContentHash.keyed(key);
  }

  private static Optional<ContentHash> from(PostgresConnectionPolicy policy, SecretId id, Secret s)
      throws PolicyFailure {
    if (!ManagedSecrets.ownedBy(s, policy)) {
      throw new PolicyFailure(
          PolicyFailure.Reason.HASH_KEY_SECRET_CONFLICT,
          "Secret "
              + id
              + " exists and is not owned by this policy; the operator keeps the key of its"
              + " published content hashes in a Secret of that name and will neither read nor"
              + " overwrite this one: rename or delete it");
    }
    try {
      byte[] key = Base64.getDecoder().decode(ManagedSecrets.value(s, KEY).orElse("").trim());
      return key.length == ContentHash.KEY_BYTES
          ? Optional.of(ContentHash.keyed(key))
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
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
            + "'; delete it and the operator creates a new key (consumers restart once)");
  }
}
