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
 */
public record BudgetPolicy(String id, ServerKey server, String user, String database, int reserve,
    PoolSizing sizing, List<Consumer> consumers, ServerLimits limits, Integer previousLimit) {

  public BudgetPolicy {
    if (id == null || id.isBlank()) throw new IllegalArgumentException("id is required");
    if (server == null || sizing == null) throw new IllegalArgumentException("server and sizing are required");
    if (reserve < 0) throw new IllegalArgumentException("negative reserve");
    user = user == null ? "" : user;
    database = database == null ? "" : database;
    consumers = List.copyOf(consumers);
  }

  /** Pods that can hold a pool at once; a policy with no listed workload counts as one pod. */
  public int pods() {
    return Math.max(1, consumers.stream().mapToInt(Consumer::pods).sum());
  }

  public BudgetPolicy withConsumers(List<Consumer> newConsumers) {
    return new BudgetPolicy(id, server, user, database, reserve, sizing, newConsumers, limits,
        previousLimit);
  }

  public BudgetPolicy withPreviousLimit(Integer limit) {
    return new BudgetPolicy(id, server, user, database, reserve, sizing, consumers, limits, limit);
  }
}
