package io.pgconn.operator.budget;

import java.util.List;

/**
 * One policy as the allocator sees it.
 *
 * @param id "namespace/name"; the tie-breaker that makes every result independent of input order
 * @param server where the policy's URL leads; policies with the same key share one budget
 * @param user the role the URL logs in as (its rolconnlimit is a shared cap for that role)
 * @param database the database the URL names (its datconnlimit is a shared cap for it)
 * @param reserve slots this policy keeps free for admins, migrations and unlisted clients; it is
 *     taken from the server and from the policy's role and database limits
 * @param limits what this policy's own probe read, or null when it could not probe; probes of the
 *     same server are combined conservatively
 * @param previousLimit the limit last written (status.pool.connectionLimit), or null: small raises
 *     are not worth a restart of every pod, see {@link RaiseStep}
 * @param runningLimit the highest limit any of the policy's pods may run now: the limit of the last
 *     content every workload rolled to, or, while a rollout is under way (or never happens: paused,
 *     opted out, {@code restart: Never}, held), the highest of that and every limit written since.
 *     Null when nothing was written yet. Never below {@code previousLimit}. A raise of any policy
 *     is bounded by what its peers run, not only by what they will run, see {@link ServerShares}
 * @param raiseWaiting the previous limit was held below the target while peers rolled ({@link
 *     PoolDecision#raiseWaiting}): the rest of that raise was decided already, so {@link
 *     RaiseStep}'s hysteresis does not stop it
 * @param probeConnection the operator's own connection this policy's probes hold on the server (one
 *     per endpoints, database, role and sslmode: policies naming the same one share it), or null
 *     when the operator holds none for it. Each distinct one takes a slot from every limit it
 *     counts against, like a pod's pool does
 */
public record BudgetPolicy(
    String id,
    ServerKey server,
    String user,
    String database,
    int reserve,
    PoolSizing sizing,
    List<Consumer> consumers,
    ServerLimits limits,
    Integer previousLimit,
    Integer runningLimit,
    boolean raiseWaiting,
    String probeConnection) {

  public BudgetPolicy {
    if (id == null || id.isBlank()) throw new IllegalArgumentException("id is required");
    if (server == null || sizing == null)
      throw new IllegalArgumentException("server and sizing are required");
    if (reserve < 0) throw new IllegalArgumentException("negative reserve");
    user = user == null ? "" : user;
    database = database == null ? "" : database;
    consumers = List.copyOf(consumers);
    // Pods roll towards the content last written: they may run at least that.
    if (previousLimit != null && (runningLimit == null || runningLimit < previousLimit)) {
      runningLimit = previousLimit;
    }
  }

  /** A policy for which the operator holds no probe connection. */
  public BudgetPolicy(
      String id,
      ServerKey server,
      String user,
      String database,
      int reserve,
      PoolSizing sizing,
      List<Consumer> consumers,
      ServerLimits limits,
      Integer previousLimit,
      Integer runningLimit,
      boolean raiseWaiting) {
    this(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        previousLimit,
        runningLimit,
        raiseWaiting,
        null);
  }

  /** A policy whose pods all run the limit last written (every rollout finished). */
  public BudgetPolicy(
      String id,
      ServerKey server,
      String user,
      String database,
      int reserve,
      PoolSizing sizing,
      List<Consumer> consumers,
      ServerLimits limits,
      Integer previousLimit) {
    this(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        previousLimit,
        previousLimit,
        false);
  }

  /** Pods that can hold a pool at once; a policy with no listed workload counts as one pod. */
  public int pods() {
    return Math.max(1, consumers.stream().mapToInt(Consumer::pods).sum());
  }

  public BudgetPolicy withConsumers(List<Consumer> newConsumers) {
    return new BudgetPolicy(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        newConsumers,
        limits,
        previousLimit,
        runningLimit,
        raiseWaiting,
        probeConnection);
  }

  /** The same policy with {@code limit} written (as a full target) and rolled out to every pod. */
  public BudgetPolicy withPreviousLimit(Integer limit) {
    return new BudgetPolicy(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        limit,
        limit,
        false,
        probeConnection);
  }

  /** The same policy with {@code decision} written; its pods may still run {@code running}. */
  public BudgetPolicy withWritten(PoolDecision decision, Integer running) {
    return new BudgetPolicy(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        decision.connectionLimit(),
        running,
        decision.raiseWaiting(),
        probeConnection);
  }

  public BudgetPolicy withRunningLimit(Integer limit) {
    return new BudgetPolicy(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        previousLimit,
        limit,
        raiseWaiting,
        probeConnection);
  }

  public BudgetPolicy withRaiseWaiting(boolean waiting) {
    return new BudgetPolicy(
        id,
        server,
        user,
        database,
        reserve,
        sizing,
        consumers,
        limits,
        previousLimit,
        runningLimit,
        waiting,
        probeConnection);
  }

  /** What the pods may run now, 0 when nothing was written yet. */
  int running() {
    return runningLimit == null ? 0 : runningLimit;
  }
}
