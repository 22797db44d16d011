package io.pgconn.operator.probe;

import java.util.Collections;
import java.util.Comparator;
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
 * @param sessions client sessions by application_name and role (pg_stat_activity's usename) as the
 *     server stores them, the probe's own session left out: visible to any role, whatever
 *     hiddenSessions says, so it is what the connection ledger reads
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
    Map<Client, Integer> sessions,
    ServerIdentity identity) {

  /**
   * Who holds sessions: application_name ("" when the client sent none) and role, as
   * pg_stat_activity shows them. A role is null only for sessions the server shows without one.
   */
  public record Client(String applicationName, String role) {

    static final Comparator<Client> ORDER =
        Comparator.comparing(Client::applicationName)
            .thenComparing(Client::role, Comparator.nullsFirst(Comparator.naturalOrder()));

    public Client {
      applicationName = applicationName == null ? "" : applicationName;
    }
  }

  public ServerFacts {
    TreeMap<Client, Integer> sorted = new TreeMap<>(Client.ORDER);
    if (sessions != null) sorted.putAll(sessions);
    sessions = Collections.unmodifiableMap(sorted);
  }

  /** Client connections by application_name, whatever their role (what the budget matches). */
  public Map<String, Integer> connectionsByApplication() {
    Map<String, Integer> byApplication = new TreeMap<>();
    sessions.forEach((client, n) -> byApplication.merge(client.applicationName(), n, Integer::sum));
    return Collections.unmodifiableMap(byApplication);
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
