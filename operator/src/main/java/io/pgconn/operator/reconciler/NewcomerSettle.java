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
 * newcomers cannot starve anyone. A lone newcomer waits {@link #QUIET} once. A newcomer whose pool
 * has one size (a fixed limit, or min equal to max) is not held: its peers decide only whether it
 * is admitted, not its size ({@link PoolSizer}); it still counts as an arrival for those held.
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

  /** A newcomer: when it was first seen, and the server it waits on. */
  private record Newcomer(Instant firstSeen, ServerKey server) {}

  /**
   * A server's last arrival: when it came, and which newcomer it was while that one waits (null
   * once released or gone).
   */
  private record Arrival(Instant at, String latest) {}

  private final Map<String, Newcomer> newcomers = new HashMap<>();
  private final Map<ServerKey, Arrival> arrivals = new HashMap<>();
  private final Map<ServerKey, Set<String>> waiting = new HashMap<>();

  synchronized Hold hold(String id, ServerKey server, Instant now) {
    Newcomer known = newcomers.get(id);
    Instant first = known == null ? now : known.firstSeen();
    if (known == null) {
      Arrival last = arrivals.get(server);
      if (last == null || !last.at().isAfter(now)) arrivals.put(server, new Arrival(now, id));
    }
    newcomers.put(id, new Newcomer(first, server));
    if (known != null && !known.server().equals(server)) leave(id, known.server());
    waiting.computeIfAbsent(server, k -> new TreeSet<>()).add(id);
    Arrival last = arrivals.get(server);
    Instant quietAt = (last == null ? first : last.at()).plus(QUIET);
    Instant deadline = first.plus(AT_MOST);
    if (!now.isBefore(quietAt)) {
      // The arrivals stopped: every newcomer held here may be decided now.
      Set<String> release = waiting.remove(server);
      if (last != null) arrivals.put(server, new Arrival(last.at(), null));
      release.remove(id);
      return Hold.decide(release);
    }
    if (!now.isBefore(deadline)) return Hold.decide(Set.of());
    boolean isLatest = last != null && id.equals(last.latest());
    Instant until = isLatest && quietAt.isBefore(deadline) ? quietAt : deadline;
    return new Hold(Optional.of(Duration.between(now, until)), Set.of());
  }

  /** Whether {@code id} is held here, waiting for the arrivals on its server to stop. */
  synchronized boolean waits(String id) {
    return newcomers.containsKey(id);
  }

  /**
   * A newcomer decided without waiting (the size of its pool cannot depend on its peers) still
   * arrived: the newcomers held on its server wait for it as for any arrival, and their latest
   * still looks again and releases them.
   */
  synchronized void passedThrough(ServerKey server, Instant now) {
    Arrival last = arrivals.get(server);
    if (!waiting.containsKey(server) || last == null || last.at().isAfter(now)) return;
    arrivals.put(server, new Arrival(now, last.latest()));
  }

  /** The newcomer got its first decision (or left): it is a newcomer no more. */
  synchronized void decided(String id) {
    Newcomer gone = newcomers.remove(id);
    if (gone != null) leave(id, gone.server());
  }

  private void leave(String id, ServerKey server) {
    Set<String> held = waiting.get(server);
    if (held != null) {
      held.remove(id);
      if (held.isEmpty()) waiting.remove(server);
    }
    Arrival last = arrivals.get(server);
    if (last != null && id.equals(last.latest())) {
      arrivals.put(server, new Arrival(last.at(), null));
    }
  }
}
