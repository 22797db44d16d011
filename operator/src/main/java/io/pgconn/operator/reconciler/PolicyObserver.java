package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.probe.ProbeResult;
import java.util.List;

/**
 * What the reconciler reports as it works, for metrics (and, through {@link #wrote}, for the tests
 * that crash it between two writes). Label values are a policy's namespace and name, reasons and
 * kinds: never anything from a connection string.
 */
public interface PolicyObserver {

  PolicyObserver NONE = new PolicyObserver() {};

  default void probed(String namespace, String name, ProbeResult result) {}

  /**
   * What sizing decided for one policy: its per-pod limit, the pods that share it, and the server's
   * limits as the last probe read them (null when no probe has succeeded).
   */
  record Sizing(
      int connectionLimit,
      int consumers,
      Integer serverMaxConnections,
      Integer serverReservedConnections,
      Integer serverInUse) {

    /** max_connections minus the reserved slots: what clients can hold; null when not probed. */
    public Integer serverUsableConnections() {
      if (serverMaxConnections == null) return null;
      return serverMaxConnections
          - (serverReservedConnections == null ? 0 : serverReservedConnections);
    }
  }

  default void sized(String namespace, String name, Sizing sizing) {}

  default void restarted(String namespace, String name, String workloadKind) {}

  /** The policy's Ready condition after a reconcile: whether it is True. */
  default void readiness(String namespace, String name, boolean ready) {}

  /**
   * What needs a person, after every reconcile (with {@link #readiness}).
   *
   * @param conflictingWriter a condition is False because something else writes or owns a Secret
   *     the policy needs (ConflictingWriter, TargetOwnedByAnotherPolicy, ...)
   * @param rolloutHeld the rollout sequence holds a workload back: one overran its progress
   *     deadline (ProgressDeadlineExceeded) and the later ones wait behind it (SequenceHeld). The
   *     holds of a failing policy are not counted here: Ready=False says it already
   */
  record Attention(boolean conflictingWriter, boolean rolloutHeld) {}

  default void attention(String namespace, String name, Attention attention) {}

  /**
   * The connection ledger's lines that get series, after every reconcile that had one: the policy's
   * own consumer, every consumer over its allotment and every one no policy budgets, at most {@code
   * LedgerStatus.MAX_CONSUMERS}. A consumer missing from the list has no series any more.
   */
  default void ledger(String namespace, String name, List<ConsumerStatus> consumers) {}

  default void forgotten(String namespace, String name) {}

  /**
   * A write the reconciler made, right after the API server acknowledged it, on the reconcile
   * thread. Nothing in the application needs it; the crash tests stop the operator here, between
   * two writes, and race a rotation against the next one.
   */
  default void wrote(String namespace, String name, WriteStep step) {}

  /**
   * A version of the policy is about to enter the operator's cache, on the informer's thread, which
   * waits for this to return. Nothing in the application needs it; a test holds it there to make
   * the cache lag behind the API server, as it does under load.
   */
  default void caching(String namespace, String name) {}

  /** Tells every one of {@code observers}, in order. */
  static PolicyObserver all(List<? extends PolicyObserver> observers) {
    List<PolicyObserver> each = List.copyOf(observers);
    return new PolicyObserver() {
      @Override
      public void probed(String namespace, String name, ProbeResult result) {
        each.forEach(o -> o.probed(namespace, name, result));
      }

      @Override
      public void sized(String namespace, String name, Sizing sizing) {
        each.forEach(o -> o.sized(namespace, name, sizing));
      }

      @Override
      public void restarted(String namespace, String name, String workloadKind) {
        each.forEach(o -> o.restarted(namespace, name, workloadKind));
      }

      @Override
      public void readiness(String namespace, String name, boolean ready) {
        each.forEach(o -> o.readiness(namespace, name, ready));
      }

      @Override
      public void attention(String namespace, String name, Attention attention) {
        each.forEach(o -> o.attention(namespace, name, attention));
      }

      @Override
      public void ledger(String namespace, String name, List<ConsumerStatus> consumers) {
        each.forEach(o -> o.ledger(namespace, name, consumers));
      }

      @Override
      public void forgotten(String namespace, String name) {
        each.forEach(o -> o.forgotten(namespace, name));
      }

      @Override
      public void wrote(String namespace, String name, WriteStep step) {
        each.forEach(o -> o.wrote(namespace, name, step));
      }

      @Override
      public void caching(String namespace, String name) {
        each.forEach(o -> o.caching(namespace, name));
      }
    };
  }
}
