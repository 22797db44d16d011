package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
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
 * @param lastRevert when another writer last put the original back, or null
 */
record InPlaceBackup(
    String source,
    SortedMap<String, String> originals,
    SortedSet<String> absent,
    String writtenHash,
    SortedSet<String> writtenKeys,
    int reverts,
    long generation,
    Instant lastRevert) {

  static final String SOURCE = "pgconn.io/source";
  static final String ABSENT_KEYS = "pgconn.io/absent-keys";
  static final String WRITTEN_HASH = "pgconn.io/written-hash";
  static final String WRITTEN_KEYS = "pgconn.io/written-keys";
  static final String REVERTS = "pgconn.io/reverts";
  static final String GENERATION = "pgconn.io/policy-generation";
  static final String LAST_REVERT = "pgconn.io/last-revert";

  InPlaceBackup {
    originals = Collections.unmodifiableSortedMap(new TreeMap<>(originals));
    absent = Collections.unmodifiableSortedSet(new TreeSet<>(absent));
    writtenKeys = Collections.unmodifiableSortedSet(new TreeSet<>(writtenKeys));
  }

  /** The first backup: the source key's original, nothing written yet. */
  static InPlaceBackup first(String source, String key, String original, long generation) {
    return new InPlaceBackup(
        source,
        new TreeMap<>(Map.of(key, original)),
        new TreeSet<>(),
        null,
        new TreeSet<>(),
        0,
        generation,
        null);
  }

  static InPlaceBackup of(Secret secret, String defaultSource) {
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
    return new InPlaceBackup(
        notes.getOrDefault(SOURCE, defaultSource),
        originals,
        keys(notes.get(ABSENT_KEYS)),
        notes.get(WRITTEN_HASH),
        keys(notes.get(WRITTEN_KEYS)),
        (int) number(notes.get(REVERTS)),
        number(notes.get(GENERATION)),
        instant(notes.get(LAST_REVERT)));
  }

  Map<String, String> annotations() {
    Map<String, String> notes = new TreeMap<>();
    notes.put(SOURCE, source);
    if (!absent.isEmpty()) notes.put(ABSENT_KEYS, String.join(",", absent));
    if (writtenHash != null) notes.put(WRITTEN_HASH, writtenHash);
    if (!writtenKeys.isEmpty()) notes.put(WRITTEN_KEYS, String.join(",", writtenKeys));
    notes.put(REVERTS, Integer.toString(reverts));
    notes.put(GENERATION, Long.toString(generation));
    if (lastRevert != null) notes.put(LAST_REVERT, lastRevert.toString());
    return notes;
  }

  Optional<String> original(String key) {
    return Optional.ofNullable(originals.get(key));
  }

  boolean knows(String key) {
    return originals.containsKey(key) || absent.contains(key);
  }

  /** A rotation adopted: the source key's new value is the original from now on. */
  InPlaceBackup withOriginal(String key, String value, long generation) {
    SortedMap<String, String> next = new TreeMap<>(originals);
    next.put(key, value);
    return new InPlaceBackup(source, next, absent, writtenHash, writtenKeys, 0, generation, null);
  }

  /** Before a write: the keys not seen before, as they are in the source, and what is written. */
  InPlaceBackup recording(Secret sourceSecret, RenderedContent content) {
    SortedMap<String, String> nextOriginals = new TreeMap<>(originals);
    SortedSet<String> nextAbsent = new TreeSet<>(absent);
    for (String key : content.data().keySet()) {
      if (knows(key)) continue;
      ManagedSecrets.value(sourceSecret, key)
          .ifPresentOrElse(v -> nextOriginals.put(key, v), () -> nextAbsent.add(key));
    }
    return new InPlaceBackup(
        source,
        nextOriginals,
        nextAbsent,
        // Internal and unkeyed on purpose: see ContentHash.unkeyed.
        ContentHash.unkeyed(content.data()),
        new TreeSet<>(content.data().keySet()),
        reverts,
        generation,
        lastRevert);
  }

  InPlaceBackup withRevert(int count, long generation, Instant at) {
    return new InPlaceBackup(
        source, originals, absent, writtenHash, writtenKeys, count, generation, at);
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
