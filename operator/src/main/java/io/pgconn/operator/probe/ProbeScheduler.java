package io.pgconn.operator.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs probes off the caller's thread, so a server that never answers cannot hold a reconcile
 * thread (and with it every other policy) for its connect timeout.
 *
 * <ul>
 *   <li>Probes are keyed by what decides their outcome: endpoints, database, user, a salted hash of
 *       the password, sslmode and connect timeout. One probe per key is in flight at a time; every
 *       caller asking for the same key meanwhile shares its result (single flight), so N policies
 *       of one app on one server cost one probe.
 *   <li>At most {@code threads} probes run at once, and at most one per server (endpoint list): a
 *       silent server ties up one worker, never all of them, and the probes of other servers go on
 *       beside it.
 *   <li>Every probe has a hard deadline: past it, its callers get a {@link
 *       FailureReason#ConnectTimeout} result even if the driver is still waiting (its worker stays
 *       taken until the driver gives up, which its own timeouts bound).
 * </ul>
 *
 * <p>Callers never wait: {@link #latest} answers from memory and {@link #request} only queues.
 */
public final class ProbeScheduler implements AutoCloseable {

  public static final int DEFAULT_THREADS = 4;

  /** Past the target's connect timeout: what the driver's own timeouts may add, plus a margin. */
  static final Duration DEADLINE_MARGIN = Duration.ofSeconds(20);

  /** Results not asked for in this long are dropped (rotated passwords leave old keys behind). */
  static final Duration FORGET_AFTER = Duration.ofHours(48);

  private static final Logger LOG = LoggerFactory.getLogger(ProbeScheduler.class);
  private static final AtomicInteger SCHEDULERS = new AtomicInteger();

  /** What decides a probe's outcome: the target, its password only as a salted hash. */
  record Key(ProbeTarget target, String credentialsHash) {

    List<ProbeTarget.Endpoint> endpoints() {
      return target.endpoints();
    }

    /** The target's, which shows neither the password nor its hash. */
    @Override
    public String toString() {
      return target.toString();
    }
  }

  /** The last result for a target and whether it is young enough to act on. */
  public record Latest(ProbeResult result, Instant completedAt, boolean fresh) {}

  private final class Entry {
    final Key key;
    ProbeTarget target;
    ProbeResult result;
    Instant completedAt;
    Instant lastAsked;
    boolean queued;
    boolean running;
    List<Runnable> waiting = new ArrayList<>();

    Entry(Key key) {
      this.key = key;
    }
  }

  private final ServerProbe probe;
  private final Clock clock;
  private final int threads;
  private final CredentialsFingerprint fingerprint = new CredentialsFingerprint();
  private final ExecutorService workers;
  private final ScheduledExecutorService deadlines;
  private final Map<Key, Entry> entries = new HashMap<>();

  /** Queued keys per server; a server is in {@link #ready} when it has queued keys and is idle. */
  private final Map<List<ProbeTarget.Endpoint>, Deque<Entry>> queued = new HashMap<>();

  private final Deque<List<ProbeTarget.Endpoint>> ready = new ArrayDeque<>();
  private final Set<List<ProbeTarget.Endpoint>> busyServers = new HashSet<>();
  private int running;
  private int peakRunning;
  private long started;
  private boolean closed;

  public ProbeScheduler(ServerProbe probe, Clock clock) {
    this(probe, clock, DEFAULT_THREADS);
  }

  public ProbeScheduler(ServerProbe probe, Clock clock, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("probe threads must be at least 1");
    }
    this.probe = probe;
    this.clock = clock;
    this.threads = threads;
    int n = SCHEDULERS.incrementAndGet();
    AtomicInteger workerNumbers = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            threads,
            r ->
                ProbeThreads.daemon(
                    r, "pgconn-probe-" + n + "-" + workerNumbers.incrementAndGet()));
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            r -> ProbeThreads.daemon(r, "pgconn-probe-deadline-" + n));
  }

  /**
   * The last completed result for this target, fresh when it completed within {@code okMaxAge} (a
   * success) or {@code failedMaxAge} (a failure). Never waits.
   */
  public synchronized Optional<Latest> latest(
      ProbeTarget target, Duration okMaxAge, Duration failedMaxAge) {
    Entry entry = entries.get(key(target));
    if (entry == null || entry.result == null) {
      return Optional.empty();
    }
    entry.lastAsked = clock.instant();
    Duration maxAge = entry.result.ok() ? okMaxAge : failedMaxAge;
    boolean fresh = Duration.between(entry.completedAt, clock.instant()).compareTo(maxAge) <= 0;
    return Optional.of(new Latest(entry.result, entry.completedAt, fresh));
  }

  /**
   * Asks for a probe of this target and returns at once. {@code onDone} runs (on a probe thread;
   * keep it short) when the probe in flight for this target, or the one started now, completes.
   *
   * @return true when this call started a probe, false when it joined one already queued or running
   */
  public boolean request(ProbeTarget target, Runnable onDone) {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("probe scheduler is closed");
      }
      forgetOld();
      Key key = key(target);
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      entry.lastAsked = clock.instant();
      if (onDone != null) {
        entry.waiting.add(onDone);
      }
      if (entry.queued || entry.running) {
        return false;
      }
      entry.target = target;
      entry.queued = true;
      Deque<Entry> perServer = queued.computeIfAbsent(key.endpoints(), k -> new ArrayDeque<>());
      perServer.add(entry);
      if (perServer.size() == 1 && !busyServers.contains(key.endpoints())) {
        ready.add(key.endpoints());
      }
    }
    dispatch();
    return true;
  }

  /** Drops what is known about this target (its policy went away). */
  public synchronized void forget(ProbeTarget target) {
    Entry entry = entries.get(key(target));
    if (entry != null && !entry.queued && !entry.running) {
      entries.remove(entry.key);
    }
  }

  /** Probes running right now. */
  public synchronized int running() {
    return running;
  }

  /** The most probes that ever ran at once: never above the thread count. */
  public synchronized int peakRunning() {
    return peakRunning;
  }

  /** Probes started since this scheduler was made (joined requests start none). */
  public synchronized long started() {
    return started;
  }

  public int threads() {
    return threads;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    deadlines.shutdownNow();
    workers.shutdownNow();
  }

  private void dispatch() {
    List<Entry> toRun = new ArrayList<>();
    synchronized (this) {
      while (!closed && running < threads && !ready.isEmpty()) {
        List<ProbeTarget.Endpoint> server = ready.poll();
        Deque<Entry> perServer = queued.get(server);
        Entry entry = perServer.poll();
        if (perServer.isEmpty()) {
          queued.remove(server);
        }
        entry.queued = false;
        entry.running = true;
        busyServers.add(server);
        running++;
        started++;
        peakRunning = Math.max(peakRunning, running);
        toRun.add(entry);
      }
    }
    for (Entry entry : toRun) {
      workers.execute(() -> run(entry));
    }
  }

  private void run(Entry entry) {
    ProbeTarget target = entry.target;
    Duration deadline =
        Duration.ofSeconds(Math.max(1, target.connectTimeoutSeconds())).plus(DEADLINE_MARGIN);
    Instant start = clock.instant();
    AtomicBoolean answered = new AtomicBoolean();
    ScheduledFuture<?> overdue =
        deadlines.schedule(
            () ->
                publish(
                    entry,
                    answered,
                    ProbeResult.failure(
                        start,
                        deadline.toMillis(),
                        FailureReason.ConnectTimeout,
                        FailureReason.ConnectTimeout.what()
                            + ": the probe did not finish within "
                            + deadline.toSeconds()
                            + " s. Fix: "
                            + FailureReason.ConnectTimeout.remedy()
                            + ".")),
            deadline.toMillis(),
            TimeUnit.MILLISECONDS);
    ProbeResult result;
    try {
      result = probe.probe(target);
    } catch (RuntimeException e) {
      // A bug must not leave callers waiting forever; the message names only the class.
      LOG.warn("probe of {} failed unexpectedly: {}", entry.key, e.getClass().getName());
      result =
          ProbeResult.failure(
              start,
              0,
              FailureReason.ProbeFailed,
              FailureReason.ProbeFailed.what() + ": " + e.getClass().getSimpleName());
    }
    overdue.cancel(false);
    publish(entry, answered, result);
    synchronized (this) {
      entry.running = false;
      running--;
      List<ProbeTarget.Endpoint> server = entry.key.endpoints();
      busyServers.remove(server);
      if (!entry.waiting.isEmpty() && !closed) {
        // Asked for after this run had answered (at its deadline): they get a probe of their own.
        entry.queued = true;
        queued.computeIfAbsent(server, k -> new ArrayDeque<>()).add(entry);
      }
      if (queued.containsKey(server)) {
        ready.add(server);
      }
    }
    dispatch();
  }

  /** Records a result and runs the callbacks waiting for it, once per run (deadline or result). */
  private void publish(Entry entry, AtomicBoolean answered, ProbeResult result) {
    if (!answered.compareAndSet(false, true)) {
      return; // the deadline answered already; the driver's late answer changes nothing
    }
    List<Runnable> callbacks;
    synchronized (this) {
      entry.result = result;
      entry.completedAt = clock.instant();
      callbacks = entry.waiting;
      entry.waiting = new ArrayList<>();
    }
    for (Runnable callback : callbacks) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        LOG.warn("probe callback failed: {}", e.toString());
      }
    }
  }

  private void forgetOld() {
    Instant cutoff = clock.instant().minus(FORGET_AFTER);
    entries.values().removeIf(e -> !e.queued && !e.running && e.lastAsked.isBefore(cutoff));
  }

  private Key key(ProbeTarget target) {
    return new Key(target.withoutPassword(), fingerprint.of(target.password()));
  }
}
