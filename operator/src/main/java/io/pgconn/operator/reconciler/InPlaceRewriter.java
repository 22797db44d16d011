package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.kube.OperatorIdentity;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * In place mode: the app already reads the source Secret, so the operator rewrites its keys
 * there. The original value is saved first in a Secret the policy owns (the backup), so nothing
 * is lost and deleting the policy restores it. A new value written by someone else (a rotated
 * password) becomes the new base; a writer that keeps restoring the original (a GitOps tool, a
 * secrets syncer) is detected and the operator stops fighting it.
 */
final class InPlaceRewriter {

  static final String WRITTEN_HASH = "pgconn.io/written-hash";
  static final String WRITTEN_KEYS = "pgconn.io/written-keys";
  static final String REVERTS = "pgconn.io/reverts";
  static final String GENERATION = "pgconn.io/policy-generation";
  static final int REVERTS_BEFORE_GIVING_UP = 3;

  private final KubernetesClient client;

  InPlaceRewriter(KubernetesClient client) {
    this.client = client;
  }

  /** The base connection string to render from, saving or updating the backup as needed. */
  String resolveBase(PostgresConnectionPolicy policy, PolicyView view, Secret source)
      throws PolicyFailure {
    String key = view.source().getKey();
    String current = InputResolver.value(source, view.source());
    Optional<Secret> backup = read(view.namespace(), view.backupSecretName());
    if (backup.isPresent() && !ManagedSecrets.ownedBy(backup.get(), policy)) {
      throw new PolicyFailure(ConditionType.SECRET_SYNCED, "BackupSecretConflict",
          "Secret " + view.namespace() + "/" + view.backupSecretName() + " exists and is not"
              + " this policy's backup of the original, so in place mode will not overwrite it:"
              + " rename or delete that Secret, or give the policy another name");
    }
    if (backup.isEmpty()) {
      save(policy, view, current, Map.of());
      return current;
    }
    Map<String, String> notes = annotations(backup.get());
    String original = ManagedSecrets.value(backup.get(), key).orElse(current);
    String writtenHash = notes.get(WRITTEN_HASH);
    if (writtenHash != null && writtenHash.equals(currentHash(source, notes.get(WRITTEN_KEYS)))) {
      return original;
    }
    if (!current.equals(original)) {
      // Someone else wrote a new value: a rotated password. It is the new base.
      save(policy, view, current, Map.of());
      return current;
    }
    if (writtenHash == null) {
      return original;
    }
    int reverts = sameGeneration(notes, view) ? parse(notes.get(REVERTS)) + 1 : 1;
    Map<String, String> kept = new HashMap<>(notes);
    kept.put(REVERTS, Integer.toString(reverts));
    kept.put(GENERATION, Long.toString(view.generation()));
    saveBackup(policy, view.backupSecretName(), single(key, original), kept);
    if (reverts >= REVERTS_BEFORE_GIVING_UP) {
      throw new PolicyFailure(ConditionType.SECRET_SYNCED, "ConflictingWriter",
          "another writer restored the original value of key " + key + " in Secret "
              + view.source().getName() + " " + reverts + " times after the operator rewrote it;"
              + " the operator stopped rewriting it. Let that writer ignore the key (Argo CD"
              + " ignoreDifferences, Flux/External Secrets: stop templating it) or set"
              + " spec.target.secretName to a separate Secret; changing the policy resumes.");
    }
    return original;
  }

  /** Writes the rendered keys into the source Secret and remembers what was written. */
  void write(PostgresConnectionPolicy policy, PolicyView view, Secret source, RenderedContent content) {
    if (!ManagedSecrets.holds(source, content.data())) {
      apply(view, content.data());
    }
    Secret backup = read(view.namespace(), view.backupSecretName()).orElseThrow();
    Map<String, String> notes = new HashMap<>(annotations(backup));
    String keys = String.join(",", content.data().keySet());
    if (content.hash().equals(notes.get(WRITTEN_HASH)) && keys.equals(notes.get(WRITTEN_KEYS))) {
      return;
    }
    notes.put(WRITTEN_HASH, content.hash());
    notes.put(WRITTEN_KEYS, keys);
    String key = view.source().getKey();
    saveBackup(policy, view.backupSecretName(),
        single(key, ManagedSecrets.value(backup, key).orElse("")), notes);
  }

  /** The original value saved in this policy's backup, if there is one. */
  Optional<String> savedOriginal(PostgresConnectionPolicy policy, PolicyView view) {
    return ownBackup(policy, view).flatMap(b -> ManagedSecrets.value(b, view.source().getKey()));
  }

  /** Puts the saved original back (the policy is going away); a foreign Secret stays as it is. */
  void restore(PostgresConnectionPolicy policy, PolicyView view) {
    ownBackup(policy, view).ifPresent(backup -> {
      String key = view.source().getKey();
      ManagedSecrets.value(backup, key).ifPresent(original -> {
        // Applying only the original key releases every other key this field manager wrote.
        apply(view, single(key, original));
      });
      client.secrets().inNamespace(view.namespace()).withName(view.backupSecretName()).delete();
    });
  }

  private Optional<Secret> ownBackup(PostgresConnectionPolicy policy, PolicyView view) {
    return read(view.namespace(), view.backupSecretName())
        .filter(backup -> ManagedSecrets.ownedBy(backup, policy));
  }

  private void apply(PolicyView view, SortedMap<String, String> data) {
    Secret patch = new SecretBuilder().withNewMetadata().withName(view.source().getName())
        .withNamespace(view.namespace()).endMetadata()
        .withData(ManagedSecrets.encode(data)).build();
    client.secrets().inNamespace(view.namespace()).resource(patch)
        .fieldManager(OperatorIdentity.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  private void saveBackup(PostgresConnectionPolicy policy, String name,
      SortedMap<String, String> content, Map<String, String> annotations) {
    client.secrets().inNamespace(policy.getMetadata().getNamespace())
        .resource(ManagedSecrets.owned(policy, name, content, annotations))
        .fieldManager(OperatorIdentity.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  private void save(PostgresConnectionPolicy policy, PolicyView view, String original,
      Map<String, String> notes) {
    Map<String, String> annotations = new HashMap<>(notes);
    annotations.put(REVERTS, "0");
    annotations.put(GENERATION, Long.toString(view.generation()));
    saveBackup(policy, view.backupSecretName(), single(view.source().getKey(), original),
        annotations);
  }

  private Optional<Secret> read(String namespace, String name) {
    // Read fresh, not from a cache: a stale read here would look like a revert.
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  private static String currentHash(Secret source, String keys) {
    if (keys == null || keys.isEmpty()) return null;
    SortedMap<String, String> values = new TreeMap<>();
    for (String key : Arrays.asList(keys.split(","))) {
      Optional<String> value = ManagedSecrets.value(source, key);
      if (value.isEmpty()) return null;
      values.put(key, value.get());
    }
    return ContentHash.of(values);
  }

  private static boolean sameGeneration(Map<String, String> notes, PolicyView view) {
    return Long.toString(view.generation()).equals(notes.get(GENERATION));
  }

  private static int parse(String number) {
    try {
      return number == null ? 0 : Integer.parseInt(number);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Map<String, String> annotations(Secret secret) {
    return secret.getMetadata().getAnnotations() == null ? Map.of()
        : secret.getMetadata().getAnnotations();
  }

  private static SortedMap<String, String> single(String key, String value) {
    SortedMap<String, String> map = new TreeMap<>();
    map.put(key, value);
    return map;
  }
}
