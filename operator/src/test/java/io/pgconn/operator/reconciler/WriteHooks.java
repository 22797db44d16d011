package io.pgconn.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered with the real application (see {@code OperatorApp.start(..., beans)}), it runs the
 * test's action right after one write of one policy, on the operator's reconcile thread, before the
 * operator's next write: no sleeps, no timing luck.
 *
 * <p>{@link #crashAfter} stops that policy dead there. The reconcile thread ends with an {@link
 * Error} that neither the reconciler nor JOSDK catches (JOSDK catches Exceptions), so this operator
 * instance never finishes that reconcile: no further write, no status patch, no retry, and the
 * policy stays marked as being processed, so no later event runs it again. For the cluster that is
 * the process killed at that instant; the test then closes the instance and starts a fresh one.
 */
final class WriteHooks implements PolicyObserver {

  /** What kills the reconcile thread. */
  static final class Crash extends Error {
    Crash(String message) {
      super(message, null, false, false);
    }
  }

  private record Point(String namespace, String name, WriteStep step) {}

  private final Map<Point, Runnable> actions = new ConcurrentHashMap<>();
  private final Set<String> dead = ConcurrentHashMap.newKeySet();
  private final Map<String, List<WriteStep>> written = new ConcurrentHashMap<>();

  /** Runs {@code action} once, right after the policy's next write of this kind. */
  void after(String namespace, String name, WriteStep step, Runnable action) {
    actions.put(new Point(namespace, name, step), action);
  }

  /** Kills the operator for this policy right after its next write of this kind. */
  void crashAfter(String namespace, String name, WriteStep step) {
    after(
        namespace,
        name,
        step,
        () -> {
          dead.add(namespace + "/" + name);
          throw new Crash("crashed on purpose after " + step + " of " + namespace + "/" + name);
        });
  }

  boolean crashed(String namespace, String name) {
    return dead.contains(namespace + "/" + name);
  }

  /** Every write of the policy reported so far, in order. */
  List<WriteStep> writes(String namespace, String name) {
    List<WriteStep> steps = written.get(namespace + "/" + name);
    if (steps == null) return List.of();
    synchronized (steps) {
      return List.copyOf(steps);
    }
  }

  @Override
  public void wrote(String namespace, String name, WriteStep step) {
    String policy = namespace + "/" + name;
    if (dead.contains(policy)) {
      // Cannot happen while the policy is stuck as being processed; if it did, the crash leaked.
      throw new Crash("a dead operator wrote " + step + " of " + policy);
    }
    List<WriteStep> steps = written.computeIfAbsent(policy, p -> new ArrayList<>());
    synchronized (steps) {
      steps.add(step);
    }
    Runnable action = actions.remove(new Point(namespace, name, step));
    if (action != null) action.run();
  }
}
