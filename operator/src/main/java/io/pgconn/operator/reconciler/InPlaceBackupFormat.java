package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How an {@link InPlaceBackup} is kept in its Secret: the originals as the Secret's data, the rest
 * as annotations. Unknown or malformed annotations read as absent, so a backup written by an
 * earlier version still reads.
 *
 * <p>The Secret carries the operator's finalizer, which only {@link InPlaceRewriter#restore}
 * removes once the original is back: deletions that sweep up everything (the garbage collector
 * deleting a policy's dependents under foreground propagation, the namespace controller emptying a
 * deleted namespace) would otherwise delete the backup before the policy's own cleanup could use
 * it.
 */
final class InPlaceBackupFormat {

  static final String FINALIZER = "pgconn.io/original";

  /** A strategic merge patch that removes {@link #FINALIZER} and no other. */
  static final String RELEASE =
      "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + FINALIZER + "\"]}}";

  static final String SOURCE = "pgconn.io/source";
  static final String ABSENT_KEYS = "pgconn.io/absent-keys";
  static final String WRITTEN_HASH = "pgconn.io/written-hash";
  static final String WRITTEN_KEYS = "pgconn.io/written-keys";
  static final String WRITTEN_KEY_HASHES = "pgconn.io/written-key-hashes";
  static final String SEEN_AT = "pgconn.io/source-version";
  static final String REVERTS = "pgconn.io/reverts";
  static final String GENERATION = "pgconn.io/policy-generation";
  static final String LAST_REVERT = "pgconn.io/last-revert";

  private InPlaceBackupFormat() {}

  /** The backup Secret: owned by the policy, held by the finalizer. */
  static Secret secret(PostgresConnectionPolicy policy, String name, InPlaceBackup backup) {
    Secret secret = ManagedSecrets.owned(policy, name, backup.originals(), annotations(backup));
    secret.getMetadata().setFinalizers(List.of(FINALIZER));
    return secret;
  }

  static InPlaceBackup read(Secret secret, String defaultSource) {
    Map<String, String> notes =
        secret.getMetadata().getAnnotations() == null
            ? Map.of()
            : secret.getMetadata().getAnnotations();
    SortedMap<String, String> originals = new TreeMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .keySet()
          .forEach(k -> originals.put(k, ManagedSecrets.value(secret, k).orElse("")));
    }
    SortedMap<String, String> hashes = new TreeMap<>();
    for (String pair : keys(notes.get(WRITTEN_KEY_HASHES))) {
      int eq = pair.indexOf('=');
      if (eq > 0) hashes.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return new InPlaceBackup(
        notes.getOrDefault(SOURCE, defaultSource),
        originals,
        keys(notes.get(ABSENT_KEYS)),
        notes.get(WRITTEN_HASH),
        keys(notes.get(WRITTEN_KEYS)),
        hashes,
        notes.get(SEEN_AT),
        (int) number(notes.get(REVERTS)),
        number(notes.get(GENERATION)),
        instant(notes.get(LAST_REVERT)));
  }

  static Map<String, String> annotations(InPlaceBackup b) {
    Map<String, String> notes = new TreeMap<>();
    notes.put(SOURCE, b.source());
    if (!b.absent().isEmpty()) notes.put(ABSENT_KEYS, String.join(",", b.absent()));
    if (b.writtenHash() != null) notes.put(WRITTEN_HASH, b.writtenHash());
    if (!b.writtenKeys().isEmpty()) notes.put(WRITTEN_KEYS, String.join(",", b.writtenKeys()));
    if (!b.writtenHashes().isEmpty()) {
      SortedSet<String> pairs = new TreeSet<>();
      b.writtenHashes().forEach((k, h) -> pairs.add(k + "=" + h));
      notes.put(WRITTEN_KEY_HASHES, String.join(",", pairs));
    }
    if (b.seenAt() != null) notes.put(SEEN_AT, b.seenAt());
    notes.put(REVERTS, Integer.toString(b.reverts()));
    notes.put(GENERATION, Long.toString(b.generation()));
    if (b.lastRevert() != null) notes.put(LAST_REVERT, b.lastRevert().toString());
    return notes;
  }

  private static SortedSet<String> keys(String list) {
    SortedSet<String> keys = new TreeSet<>();
    if (list != null && !list.isBlank()) keys.addAll(Arrays.asList(list.split(",")));
    return keys;
  }

  private static long number(String text) {
    try {
      return text == null ? 0 : Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
