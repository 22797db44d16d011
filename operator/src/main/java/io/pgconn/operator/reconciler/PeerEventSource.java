package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the policies that share a server with one whose sizing inputs changed, coalesced: they are
 * woken once no further wake came for {@link #QUIET} (and at the latest {@link #AT_MOST} after the
 * first). When policies arrive in a burst (a GitOps sync of a hundred services), each arrival moves
 * every peer's share; woken at each one, a peer rewrites its Secret (and restarts its pods) once
 * per arrival, while woken once after the burst it decides on the whole set. A newcomer's own
 * decision is not delayed: it takes what its peers leave free until they have lowered.
 */
final class PeerEventSource
    extends AbstractEventSource<PostgresConnectionPolicy, PostgresConnectionPolicy> {

  static final String NAME = "budget-peers";
  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration AT_MOST = Duration.ofSeconds(10);

  private final Set<ResourceID> pending = new LinkedHashSet<>();
  private ScheduledExecutorService timer;
  private ScheduledFuture<?> flush;
  private long firstWakeNanos;

  PeerEventSource() {
    super(PostgresConnectionPolicy.class, NAME);
  }

  void wake(Collection<ResourceID> policies) {
    if (policies.isEmpty()) return;
    synchronized (pending) {
      if (!isRunning() || timer == null) return;
      long now = System.nanoTime();
      if (pending.isEmpty()) firstWakeNanos = now;
      pending.addAll(policies);
      long latest = firstWakeNanos + AT_MOST.toNanos() - now;
      long delay = Math.max(0, Math.min(QUIET.toNanos(), latest));
      if (flush != null) flush.cancel(false);
      flush = timer.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
    }
  }

  private void flush() {
    Set<ResourceID> due;
    synchronized (pending) {
      due = new LinkedHashSet<>(pending);
      pending.clear();
      flush = null;
    }
    if (!isRunning()) return;
    due.forEach(policy -> getEventHandler().handleEvent(new Event(policy)));
  }

  @Override
  public void start() throws OperatorException {
    synchronized (pending) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "pgconn-peer-wakes");
                t.setDaemon(true);
                return t;
              });
    }
    super.start();
  }

  @Override
  public void stop() throws OperatorException {
    super.stop();
    synchronized (pending) {
      pending.clear();
      if (timer != null) timer.shutdownNow();
      timer = null;
      flush = null;
    }
  }

  @Override
  public Set<PostgresConnectionPolicy> getSecondaryResources(PostgresConnectionPolicy primary) {
    return Set.of();
  }
}
