package io.pgconn.operator.budget;

/**
 * How many nodes a DaemonSet's pools are budgeted for. A DaemonSet runs one pod per node, and nodes
 * come and go (the cluster autoscaler, upgrades, spot instances): counting exactly
 * desiredNumberScheduled would re-size every pool on the server, and restart every workload that
 * uses one, each time a node joins. So the node count is rounded up to the next step of a fixed
 * ladder, each step 25 % and at least 2 nodes above the one before: 0, 2, 4, 6, 8, 10, 13, 17, 22,
 * 28, 35, 44, 55, 69, ... Node counts that move between two steps change nothing; the pools are
 * sized for at most a quarter (or one node) more than run. A fleet that doubles crosses at most
 * four steps.
 *
 * <p>Steps rather than "the last count plus a margin" keep the result a function of the current
 * count alone: an operator restart, or another replica taking over, gets the same number, and so
 * restarts nothing.
 */
public final class NodeHeadroom {

  public static final int MIN_STEP = 2;
  public static final int STEP_PERCENT = 25;

  private NodeHeadroom() {}

  /** The smallest step of the ladder at or above {@code scheduledNodes}. */
  public static int budgeted(int scheduledNodes) {
    if (scheduledNodes < 0) throw new IllegalArgumentException("negative node count");
    long step = 0;
    while (step < scheduledNodes) {
      // Integer ceiling of 125 %: 10 -> 13 (12.5 rounded up), exactly.
      step = Math.max(step + MIN_STEP, (step * (100 + STEP_PERCENT) + 99) / 100);
    }
    return (int) Math.min(step, Integer.MAX_VALUE);
  }
}
