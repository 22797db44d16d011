package io.pgconn.operator.reconciler;

import io.pgconn.operator.budget.ServerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Holds the first decision of policies that arrive together on a server until the arrivals stop.
 * Deciding each newcomer as it comes sized it on the peers seen so far: with a hundred policies
 * applied at once, every target was written about four times (a newcomer takes what is free, its
 * peers lower as each next one arrives, it is raised once they have). A newcomer is registered (its
 * peers count it) but decided only once no other newcomer has arrived on its server for {@link
 * #QUIET}, and never later than {@link #AT_MOST} after it was first seen, so a steady trickle of
 * newcomers cannot starve anyone. A lone newcomer waits {@link #QUIET} once.
 */
final class NewcomerSettle {

  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration AT_MOST = Duration.ofSeconds(15);

  private final Map<String, Instant> firstSeen = new HashMap<>();
  private final Map<ServerKey, Instant> lastArrival = new HashMap<>();

  /**
   * @return how long the newcomer {@code id} must still wait before its first decision, or empty
   *     when it may be decided now
   */
  synchronized Optional<Duration> hold(String id, ServerKey server, Instant now) {
    Instant first = firstSeen.get(id);
    if (first == null) {
      firstSeen.put(id, now);
      first = now;
      lastArrival.merge(server, now, (a, b) -> a.isAfter(b) ? a : b);
    }
    Instant quietAt = lastArrival.getOrDefault(server, first).plus(QUIET);
    Instant deadline = first.plus(AT_MOST);
    Instant until = quietAt.isBefore(deadline) ? quietAt : deadline;
    return now.isBefore(until) ? Optional.of(Duration.between(now, until)) : Optional.empty();
  }

  /** The newcomer got its first decision (or left): it is a newcomer no more. */
  synchronized void decided(String id) {
    firstSeen.remove(id);
  }
}
