package io.pgconn.operator.probe;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a probe read from the server. A null Integer means "could not be seen" (for example
 * pg_stat_activity rows hidden from an unprivileged role), never zero.
 *
 * @param inUse client sessions (pg_stat_activity rows of backend_type 'client backend': parallel
 *     and autovacuum workers and WAL senders have slots of their own, outside max_connections)
 * @param idleInTransaction sessions this role can see that have been idle in a transaction longer
 *     than the probe's threshold (60 s by default); null when not read
 * @param hiddenSessions client sessions of other roles whose state this role cannot see (it is
 *     neither a member of their role nor of pg_read_all_stats); 0 when everything is visible
 * @param identity what the server says about itself, or null when it could not be read (a server
 *     that only speaks the protocol, a role denied even the basic functions)
 */
public record ServerFacts(
    String version,
    int maxConnections,
    int superuserReservedConnections,
    int reservedConnections,
    int roleConnectionLimit,
    int databaseConnectionLimit,
    Integer inUse,
    Integer idleInTransaction,
    int hiddenSessions,
    Map<String, Integer> connectionsByApplication,
    ServerIdentity identity) {

  public ServerFacts {
    connectionsByApplication =
        connectionsByApplication == null
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(connectionsByApplication));
  }

  public int reservedTotal() {
    return superuserReservedConnections + reservedConnections;
  }

  /** Slots ordinary roles can use: max_connections less both reserved pools. */
  public int usableConnections() {
    return maxConnections - reservedTotal();
  }

  /** Whether every session's state was visible, so idleInTransaction is a full count. */
  public boolean sessionStatesVisible() {
    return idleInTransaction != null && hiddenSessions == 0;
  }
}
