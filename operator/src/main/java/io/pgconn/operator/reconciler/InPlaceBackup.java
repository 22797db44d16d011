package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the backup Secret of an in place policy remembers: the value every key the operator writes
 * had before it first wrote it (or that the key was absent), the content it last set out to write,
 * and how often another writer reverted it. Plain values: read from and written to the Secret by
 * {@link InPlaceRewriter}.
 *
 * @param originals each written key's value before the operator wrote it
 * @param absent the written keys the source did not have before
 * @param writtenHash the hash of the content recorded as written (recorded before the write)
 * @param writtenKeys the keys of that content
 * @param writtenHashes the hash of each key's value in that content, to tell per key whether the
 *     source still holds what the operator wrote (absent in backups of earlier versions)
 * @param seenAt the source's resourceVersion when this backup last accounted for it (recorded a
 *     write, adopted a change, counted a revert): a source still at that version changed since in
 *     no way this backup does not know
 * @param lastRevert when another writer last put the original back, or null
 */
record InPlaceBackup(
    String source,
    SortedMap<String, String> originals,
    SortedSet<String> absent,
    String writtenHash,
    SortedSet<String> writtenKeys,
    SortedMap<String, String> writtenHashes,
    String seenAt,
    int reverts,
    long generation,
    Instant lastRevert) {

  InPlaceBackup {
    originals = Collections.unmodifiableSortedMap(new TreeMap<>(originals));
    absent = Collections.unmodifiableSortedSet(new TreeSet<>(absent));
    writtenKeys = Collections.unmodifiableSortedSet(new TreeSet<>(writtenKeys));
    writtenHashes = Collections.unmodifiableSortedMap(new TreeMap<>(writtenHashes));
  }

  /** The first backup: the source key's original, nothing written yet. */
  static InPlaceBackup first(
      String source, String key, String original, long generation, Secret sourceSecret) {
    return new InPlaceBackup(
        source,
        new TreeMap<>(Map.of(key, original)),
        new TreeSet<>(),
        null,
        new TreeSet<>(),
        new TreeMap<>(),
        version(sourceSecret),
        0,
        generation,
        null);
  }

  static InPlaceBackup of(Secret secret, String defaultSource) {
    return InPlaceBackupFormat.read(secret, defaultSource);
  }

  Map<String, String> annotations() {
    return InPlaceBackupFormat.annotations(this);
  }

  Optional<String> original(String key) {
    return Optional.ofNullable(originals.get(key));
  }

  boolean knows(String key) {
    return originals.containsKey(key) || absent.contains(key);
  }

  /**
   * Whether the operator recorded a write of {@code key} whose value may still be in the source.
   */
  boolean wrote(String key) {
    return writtenHashes.isEmpty() ? writtenHash != null : writtenHashes.containsKey(key);
  }

  /** Whether the source holds all of the content recorded as written. */
  boolean holdsWritten(Secret sourceSecret) {
    if (writtenHash == null || writtenKeys.isEmpty()) return false;
    SortedMap<String, String> values = new TreeMap<>();
    for (String key : writtenKeys) {
      Optional<String> value = ManagedSecrets.value(sourceSecret, key);
      if (value.isEmpty()) return false;
      values.put(key, value.get());
    }
    return writtenHash.equals(ContentHash.unkeyed(values));
  }

  /** Whether the source is at the version this backup last accounted for. */
  boolean seen(Secret sourceSecret) {
    return seenAt != null && seenAt.equals(version(sourceSecret));
  }

  /**
   * The backup after adopting what someone else wrote: each known key that holds neither what the
   * operator wrote nor its original got a new value from another writer (a rotated password, a new
   * host), and that value (or its absence) is the key's original from now on; the operator's own
   * output never is. Empty when no key changed. Backups of earlier versions know per key only the
   * source key.
   */
  Optional<InPlaceBackup> adopting(Secret sourceSecret, String key, long generation) {
    SortedSet<String> keys = new TreeSet<>(Set.of(key));
    if (!writtenHashes.isEmpty()) {
      keys.addAll(originals.keySet());
      keys.addAll(absent);
    }
    SortedMap<String, String> nextOriginals = new TreeMap<>(originals);
    SortedSet<String> nextAbsent = new TreeSet<>(absent);
    SortedMap<String, String> nextWritten = new TreeMap<>(writtenHashes);
    boolean changed = false;
    for (String k : keys) {
      Optional<String> now = ManagedSecrets.value(sourceSecret, k);
      // Without per-key hashes (an earlier version's backup) only the whole content can tell.
      boolean ours =
          writtenHashes.isEmpty()
              ? holdsWritten(sourceSecret)
              : now.map(v -> hash(k, v)).filter(h -> h.equals(writtenHashes.get(k))).isPresent();
      boolean asBefore = now.equals(original(k)) || (now.isEmpty() && !originals.containsKey(k));
      if (ours || asBefore) continue;
      changed = true;
      nextWritten.remove(k);
      if (now.isPresent()) {
        nextOriginals.put(k, now.get());
        nextAbsent.remove(k);
      } else {
        nextOriginals.remove(k);
        nextAbsent.add(k);
      }
    }
    if (!changed) return Optional.empty();
    return Optional.of(
        new InPlaceBackup(
            source,
            nextOriginals,
            nextAbsent,
            writtenHash,
            writtenKeys,
            nextWritten,
            version(sourceSecret),
            0,
            generation,
            null));
  }

  /** Whether this content is recorded as what is written. */
  boolean recorded(SortedMap<String, String> content) {
    return ContentHash.unkeyed(content).equals(writtenHash)
        && writtenKeys.equals(content.keySet())
        && writtenHashes.keySet().equals(content.keySet());
  }

  /** Before a write: the keys not seen before, as they are in the source, and what is written. */
  InPlaceBackup recording(Secret sourceSecret, SortedMap<String, String> content) {
    SortedMap<String, String> nextOriginals = new TreeMap<>(originals);
    SortedSet<String> nextAbsent = new TreeSet<>(absent);
    SortedMap<String, String> hashes = new TreeMap<>();
    for (Map.Entry<String, String> entry : content.entrySet()) {
      String key = entry.getKey();
      hashes.put(key, hash(key, entry.getValue()));
      if (knows(key)) continue;
      ManagedSecrets.value(sourceSecret, key)
          .ifPresentOrElse(v -> nextOriginals.put(key, v), () -> nextAbsent.add(key));
    }
    return new InPlaceBackup(
        source,
        nextOriginals,
        nextAbsent,
        // Internal and unkeyed on purpose: see ContentHash.unkeyed.
        ContentHash.unkeyed(content),
        new TreeSet<>(content.keySet()),
        hashes,
        version(sourceSecret),
        reverts,
        generation,
        lastRevert);
  }

  /**
   * What the source should hold: the content, and every other key the operator ever wrote as it was
   * before (an output removed from the policy gives its key back at once). Keys that were absent
   * and are no longer written are left out, which removes them.
   */
  SortedMap<String, String> desired(SortedMap<String, String> content) {
    SortedMap<String, String> all = new TreeMap<>(originals);
    all.putAll(content);
    return all;
  }

  InPlaceBackup withRevert(int count, long generation, Instant at, Secret sourceSecret) {
    return new InPlaceBackup(
        source,
        originals,
        absent,
        writtenHash,
        writtenKeys,
        writtenHashes,
        version(sourceSecret),
        count,
        generation,
        at);
  }

  private static String hash(String key, String value) {
    return ContentHash.unkeyed(new TreeMap<>(Map.of(key, value)));
  }

  static String version(Secret secret) {
    return Objects.requireNonNullElse(secret.getMetadata().getResourceVersion(), "");
  }
}
