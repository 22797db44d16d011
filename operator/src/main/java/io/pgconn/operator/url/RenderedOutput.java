package io.pgconn.operator.url;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Secret entries for one output (key -> value; single-value formats hold just {@code {key: url}})
 * and human-readable warnings about what could not be expressed. Warnings never contain values.
 */
public record RenderedOutput(SortedMap<String, String> entries, List<String> warnings) {

  public RenderedOutput {
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    warnings = List.copyOf(warnings);
  }

  /** The value under {@code key}, e.g. the URL of a single-value format. */
  public String get(String key) {
    return entries.get(key);
  }

  /** Entries hold secrets, so printing this record shows only the keys. */
  @Override
  public String toString() {
    return "RenderedOutput[keys=" + entries.keySet() + ", warnings=" + warnings + "]";
  }
}
