package io.pgconn.operator.reconciler;

import io.pgconn.operator.budget.ServerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds the first decision of policies that arrive together on a server until the arrivals stop.
 * Deciding each newcomer as it comes sized it on the peers seen so far: with a hundred policies
 * applied at once, every target was written about four times (a newcomer takes what is free, its
 * peers lower as each next one arrives, it is raised once they have). A newcomer is registered (its
 * peers count it) but decided only once no other newcomer has arrived on its server for {@link
 * #QUIET}, and never later than {@link #AT_MOST} after it was first seen, so a steady trickle of
 * newcomers cannot starve anyone. A lone newcomer waits {@link #QUIET} once.
 *
 * <p>Only a server's latest newcomer looks again when the arrivals may have stopped; the others
 * look again at their own limit, and the latest releases them when it finds the arrivals stopped.
 * Each newcomer looking every second made a burst of a thousand cost a reconcile per newcomer per
 * second while it lasted, each taking the budget index's lock. Should the latest leave first (its
 * policy deleted, or failing before it is sized), the others are decided at their limit.
 */
final class NewcomerSettle {

  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration AT_MOST = Duration.ofSeconds(15);

  /**
   * What a newcomer's reconcile does: wait (and look again after {@code lookAgainIn}), or be
   * decided now and wake the newcomers in {@code release}, held on its server until the arrivals
   * stopped.
   */
  record Hold(Optional<Duration> lookAgainIn, Set<String> release) {

    static Hold decide(Set<String> release) {
      return new Hold(Optional.empty(), release);
    }
  }

  private final Map<String, Instant> firstSeen = new HashMap<>();
  private final Map<String, ServerKey> serverOf = new HashMap<>();
  private final Map<ServerKey, Instant> lastArrival = new HashMap<>();
  private final Map<ServerKey, String> latest = new HashMap<>();
  private final Map<ServerKey, Set<String>> waiting = new HashMap<>();

  synchronized Hold hold(String id, ServerKey server, Instant now) {
    Instant first = firstSeen.get(id);
    if (first == null) {
      firstSeen.put(id, now);
      first = now;
      if (!lastArrival.containsKey(server) || !lastArrival.get(server).isAfter(now)) {
        lastArrival.put(server, now);
        latest.put(server, id);
      }
    }
    ServerKey before = serverOf.put(id, server);
    if (before != null && !before.equals(server)) leave(id, before);
    waiting.computeIfAbsent(server, k -> new TreeSet<>()).add(id);
    Instant quietAt = lastArrival.getOrDefault(server, first).plus(QUIET);
    Instant deadline = first.plus(AT_MOST);
    if (!now.isBefore(quietAt)) {
      // The arrivals stopped: every newcomer held here may be decided now.
      Set<String> release = waiting.remove(server);
      latest.remove(server);
      release.remove(id);
      return Hold.decide(release);
    }
    if (!now.isBefore(deadline)) return Hold.decide(Set.of());
    Instant until =
        id.equals(latest.get(server)) && quietAt.isBefore(deadline) ? quietAt : deadline;
    return new Hold(Optional.of(Duration.between(now, until)), Set.of());
  }

  /** The newcomer got its first decision (or left): it is a newcomer no more. */
  synchronized void decided(String id) {
    firstSeen.remove(id);
    ServerKey server = serverOf.remove(id);
    if (server != null) leave(id, server);
  }

  private void leave(String id, ServerKey server) {
    Set<String> held = waiting.get(server);
    if (held != null) {
      held.remove(id);
      if (held.isEmpty()) waiting.remove(server);
    }
    latest.remove(server, id);
  }
}
