package io.pgconn.operator.url;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The Secret keys one output writes under: its {@code key} and, for the formats that write several
 * entries, the names derived from its {@code keyPrefix} (jdbc, env) or its key (node-postgres).
 * {@link #possible()} is every key the output may ever write, whatever the source holds and whether
 * pooled or not, so that whether two outputs collide never depends on the input: a policy that
 * works today keeps working when a password appears or the pool is switched off.
 *
 * @param key the Secret key of the output's main value; null only for ENV, which has none
 * @param keyPrefix null for the format's default (jdbc {@value #JDBC_DEFAULT_PREFIX}, env empty)
 */
public record OutputKeys(OutputFormat format, String key, String keyPrefix) {

  public static final String JDBC_DEFAULT_PREFIX = "SPRING_DATASOURCE_";

  /**
   * @throws IllegalArgumentException when the format needs a key and has none, or a prefix is given
   *     to a format that derives no names from one
   */
  public OutputKeys {
    Objects.requireNonNull(format, "format");
    if (key == null && format != OutputFormat.ENV) {
      throw new IllegalArgumentException(
          "format "
              + format.spelling()
              + " needs a key: it names the Secret key the connection string is written to");
    }
    if (keyPrefix != null && format != OutputFormat.JDBC && format != OutputFormat.ENV) {
      throw new IllegalArgumentException(
          "keyPrefix applies to the jdbc and env formats only; format "
              + format.spelling()
              + (namedAfterKey(format) ? " names its extra keys after key" : " writes key alone"));
    }
  }

  /** The default names: key, and the format's default prefix. */
  public static OutputKeys of(OutputFormat format, String key) {
    return new OutputKeys(format, key, null);
  }

  /** The prefix of the derived names, with the format's default applied. */
  public String prefix() {
    if (keyPrefix != null) return keyPrefix;
    return format == OutputFormat.JDBC ? JDBC_DEFAULT_PREFIX : "";
  }

  /** The name of one derived entry: the prefix, or for node-postgres the key, and the suffix. */
  String derived(String suffix) {
    return (namedAfterKey(format) ? key : prefix()) + suffix;
  }

  /** The formats whose extra keys are their key plus a suffix (node-postgres' pool variables). */
  static boolean namedAfterKey(OutputFormat format) {
    return format == OutputFormat.NODE_POSTGRES || format == OutputFormat.PRISMA_ADAPTER_PG;
  }

  /** Every key this output may write. */
  public SortedSet<String> possible() {
    SortedSet<String> keys = new TreeSet<>();
    if (format != OutputFormat.ENV) keys.add(key);
    switch (format) {
      case JDBC -> JdbcWriter.SUFFIXES.forEach(s -> keys.add(derived(s)));
      case NODE_POSTGRES, PRISMA_ADAPTER_PG ->
          NodePostgresWriter.SUFFIXES.forEach(s -> keys.add(derived(s)));
      case ENV -> EnvWriter.variables().forEach(v -> keys.add(derived(v)));
      default -> {}
    }
    return Collections.unmodifiableSortedSet(keys);
  }

  /** How a message names the output: its key, or for env its prefix. */
  public String describe() {
    return format == OutputFormat.ENV
        ? "env" + (prefix().isEmpty() ? "" : ", keyPrefix " + prefix())
        : format.spelling() + ", key " + key;
  }

  /**
   * The first key two of these outputs may both write, as a message that names both (as {@code
   * field[index]}), the key, and how to fix it; empty when every key has one writer.
   */
  public static Optional<String> collision(List<OutputKeys> outputs, String field) {
    List<SortedSet<String>> keys = new ArrayList<>();
    outputs.forEach(o -> keys.add(o.possible()));
    for (int i = 0; i < outputs.size(); i++) {
      for (int j = 0; j < i; j++) {
        SortedSet<String> both = new TreeSet<>(keys.get(i));
        both.retainAll(keys.get(j));
        if (!both.isEmpty()) {
          return Optional.of(
              message(
                  field + "[" + j + "]",
                  outputs.get(j),
                  field + "[" + i + "]",
                  outputs.get(i),
                  both.first()));
        }
      }
    }
    return Optional.empty();
  }

  private static String message(
      String firstName, OutputKeys first, String secondName, OutputKeys second, String key) {
    return firstName
        + " ("
        + first.describe()
        + ") and "
        + secondName
        + " ("
        + second.describe()
        + ") would both write the key "
        + key
        + ": "
        + remedy(first, second, key);
  }

  private static String remedy(OutputKeys first, OutputKeys second, String key) {
    boolean firstDerived = !key.equals(first.key);
    boolean secondDerived = !key.equals(second.key);
    if (!firstDerived && !secondDerived) {
      return "give each output its own key";
    }
    OutputKeys prefixed = secondDerived ? second : first;
    if (namedAfterKey(prefixed.format)) {
      return prefixed.format.spelling()
          + " writes "
          + key
          + " after its key "
          + prefixed.key
          + ", so rename one of the two keys";
    }
    return "set keyPrefix on one of them (e.g. keyPrefix: "
        + (prefixed.format == OutputFormat.JDBC ? "MIGRATION_DATASOURCE_" : "MIGRATION_")
        + "; "
        + prefixed.format.spelling()
        + " writes its extra keys as <keyPrefix>"
        + key.substring(prefixed.prefix().length())
        + (prefixed.keyPrefix != null
            ? ", and this one's keyPrefix is " + prefixed.keyPrefix
            : prefixed.prefix().isEmpty()
                ? ", keyPrefix empty by default"
                : ", keyPrefix " + prefixed.prefix() + " by default")
        + ")";
  }
}
