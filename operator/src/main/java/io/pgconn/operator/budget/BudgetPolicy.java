package io.pgconn.operator.budget;

import java.util.Collection;
import java.util.List;

/**
 * One policy as the allocator sees it.
 *
 * @param id "namespace/name"; the tie-breaker that makes every result independent of input order
 * @param server where the policy's URL leads; policies with the same key share one budget
 * @param user the role the URL logs in as (its rolconnlimit is a shared cap for that role)
 * @param database the database the URL names (its datconnlimit is a shared cap for it)
 * @param reserve slots this policy asks to keep free for admins, migrations and unlisted clients; a
 *     server, role or database keeps the largest reserve its policies ask for ({@link #reserveOf}),
 *     once
 * @param limits what this policy's own probe read, or null when it could not probe; probes of the
 *     same server are combined conservatively
 * @param written what the policy wrote last and what its pods may run
 * @param probeConnection the operator's own connection this policy's probes hold on the server (one
 *     per endpoint list: the probes of every role, database and password there take turns on it),
 *     or null when the operator holds none for it. Each distinct one takes a slot from every limit
 *     it may count against, like a pod's pool does
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
    Written written,
    String probeConnection) {

  /**
   * The slots a server, role or database keeps free for these policies: the largest reserve any of
   * them asks for. A reserve is for the server's admins, migrations and unlisted clients, who come
   * once whatever the number of tenants; summed per policy, twenty one-pod services with the
   * default reserve left nothing of a 40-slot server.
   */
  public static int reserveOf(Collection<BudgetPolicy> policies) {
    return policies.stream().mapToInt(BudgetPolicy::reserve).max().orElse(0);
  }

  /**
   * What a policy wrote last and what its pods may run.
   *
   * @param limit the limit last written (status.pool.connectionLimit), or null: small raises are
   *     not worth a restart of every pod, see {@link RaiseStep}
   * @param running the highest limit any of the policy's pods may run now: the limit of the last
   *     content every workload rolled to, or, while a rollout is under way (or never happens:
   *     paused, opted out, {@code restart: Never}, held), the highest of that and every limit
   *     written since. Null when nothing was written yet. Never below {@code limit}. A raise of any
   *     policy is bounded by what its peers run, not only by what they will run, see {@link
   *     ServerShares}
   * @param raiseWaiting the limit was held below the target while peers rolled ({@link
   *     PoolDecision#raiseWaiting}): the rest of that raise was decided already, so {@link
   *     RaiseStep}'s hysteresis does not stop it
   */
  public record Written(Integer limit, Integer running, boolean raiseWaiting) {

    /** Nothing written yet. */
    public static final Written NONE = new Written(null, null, false);

    public Written {
      // Pods roll towards the content last written: they may run at least that.
      if (limit != null && (running == null || running < limit)) {
        running = limit;
      }
    }

    /** {@code limit} written (null: nothing yet) and rolled out to every pod. */
    public static Written rolledOut(Integer limit) {
      return new Written(limit, limit, false);
    }
  }

  public BudgetPolicy {
    if (id == null || id.isBlank()) throw new IllegalArgumentException("id is required");
    if (server == null || sizing == null || written == null)
      throw new IllegalArgumentException("server, sizing and written are required");
    if (reserve < 0) throw new IllegalArgumentException("negative reserve");
    user = user == null ? "" : user;
    database = database == null ? "" : database;
    consumers = List.copyOf(consumers);
    // One instance per endpoint list: every division counts the distinct probe connections of a
    // server's policies in a hash set, and a thousand equal strings that are not the same instance
    // each cost a comparison of every character there (an endpoint list holds no credentials).
    probeConnection = probeConnection == null ? null : probeConnection.intern();
  }

  /** Pods that can hold a pool at once; a policy with no listed workload counts as one pod. */
  public int pods() {
    // A loop, not a stream: a division of a server's policies asks every one of them, often.
    int pods = 0;
    for (Consumer consumer : consumers) pods += consumer.pods();
    return Math.max(1, pods);
  }

  /** The limit last written, or null. */
  public Integer previousLimit() {
    return written.limit();
  }

  /** The highest limit the policy's pods may run now, or null. */
  public Integer runningLimit() {
    return written.running();
  }

  /** The last write held the limit below the target while peers rolled. */
  public boolean raiseWaiting() {
    return written.raiseWaiting();
  }

  /** The same policy with {@code limit} written (as a full target) and rolled out to every pod. */
  public BudgetPolicy withPreviousLimit(Integer limit) {
    return with(Written.rolledOut(limit));
  }

  /** The same policy with {@code decision} written; its pods may still run {@code running}. */
  public BudgetPolicy withWritten(PoolDecision decision, Integer running) {
    return with(new Written(decision.connectionLimit(), running, decision.raiseWaiting()));
  }

  public BudgetPolicy withRunningLimit(Integer limit) {
    return with(new Written(written.limit(), limit, written.raiseWaiting()));
  }

  public BudgetPolicy withRaiseWaiting(boolean waiting) {
    return with(new Written(written.limit(), written.running(), waiting));
  }

  private BudgetPolicy with(Written next) {
    return new BudgetPolicy(
        id, server, user, database, reserve, sizing, consumers, limits, next, probeConnection);
  }

  /** What the pods may run now, 0 when nothing was written yet. */
  int running() {
    return written.running() == null ? 0 : written.running();
  }
}
