package io.pgconn.operator.probe;

/**
 * What a server says about itself, read by any role: how the budget tells one server from another
 * whatever the spelling of its host (two DNS names, a name and its address, a Service and a pod
 * name all reach one server and must share one budget), and why a host nobody's probe can log in to
 * is nobody's budget.
 *
 * <p>The key errs towards one budget for two servers, never two budgets for one server: the first
 * only shrinks pools (each server is sized as if it were the smaller, shared by both), the second
 * would let their sum exceed what the server has. So the key holds what is stable across aliases
 * and restarts, and no more than needed to tell instances apart:
 *
 * <ul>
 *   <li>the system identifier, fixed at initdb and kept across restarts. Physical standbys share it
 *       with their primary (as does a cluster restored from a copy of another's data directory), so
 *       a standby is told from its primary by {@code pg_is_in_recovery()} and from other standbys
 *       by its start time (a standby's restart thus moves its policies to a new key, see {@code
 *       reconciler.PoolSizer});
 *   <li>the port the server itself listens on ({@code current_setting('port')}, not the URL's,
 *       which a Service or a proxy may change): two instances on one host differ in it;
 *   <li>where a provider revoked {@code pg_control_system()} from PUBLIC, the postmaster's start
 *       time instead of the system identifier: one server reports one start time through any alias,
 *       but a restart changes it.
 * </ul>
 *
 * @param systemIdentifier {@code pg_control_system().system_identifier}, or null when this role may
 *     not read it
 * @param port the port the server listens on
 * @param standby {@code pg_is_in_recovery()}
 * @param startedAt {@code pg_postmaster_start_time()} as seconds since the epoch (with its
 *     microseconds), independent of the session's time zone and date style
 */
public record ServerIdentity(String systemIdentifier, int port, boolean standby, String startedAt) {

  /** What budgets are keyed by: equal for every alias of one server. */
  public String key() {
    if (systemIdentifier == null) {
      return "started " + startedAt + " port " + port + (standby ? " standby" : "");
    }
    return "system "
        + systemIdentifier
        + " port "
        + port
        + (standby ? " standby started " + startedAt : "");
  }
}
