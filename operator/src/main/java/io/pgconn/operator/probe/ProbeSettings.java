package io.pgconn.operator.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * How probes treat the servers they connect to.
 *
 * @param idleTimeout how long a probe pool's one connection may stay idle before it is closed (and
 *     the pool with it). HikariCP silently replaces an idleTimeout below 10 s with its 10-minute
 *     default, so anything shorter is rejected here instead.
 * @param idleInTransactionThreshold how long a session must have been idle in a transaction to be
 *     counted in {@link ServerFacts#idleInTransaction()}
 */
public record ProbeSettings(Duration idleTimeout, Duration idleInTransactionThreshold) {

  /** HikariCP's smallest idleTimeout; below it HikariCP falls back to 10 minutes. */
  public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_IN_TRANSACTION = Duration.ofSeconds(60);

  public ProbeSettings {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(idleInTransactionThreshold, "idleInTransactionThreshold");
    if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0) {
      throw new IllegalArgumentException(
          "idleTimeout must be at least 10 s (HikariCP's minimum;"
              + " below it HikariCP would keep idle connections for 10 minutes)");
    }
    if (idleInTransactionThreshold.isNegative()) {
      throw new IllegalArgumentException("idleInTransactionThreshold must not be negative");
    }
  }

  public static ProbeSettings defaults() {
    return new ProbeSettings(DEFAULT_IDLE_TIMEOUT, DEFAULT_IDLE_IN_TRANSACTION);
  }

  public ProbeSettings withIdleTimeout(Duration timeout) {
    return new ProbeSettings(timeout, idleInTransactionThreshold);
  }

  public ProbeSettings withIdleInTransactionThreshold(Duration threshold) {
    return new ProbeSettings(idleTimeout, threshold);
  }
}
