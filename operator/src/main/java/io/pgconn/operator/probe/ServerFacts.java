package io.pgconn.operator.probe;

/**
 * What a probe read from the server. A null Integer means "could not be seen" (for example
 * pg_stat_activity rows hidden from an unprivileged role), never zero.
 */
public record ServerFacts(
    String version,
    int maxConnections,
    int superuserReservedConnections,
    int reservedConnections,
    int roleConnectionLimit,
    int databaseConnectionLimit,
    Integer inUse) {

  public int reservedTotal() {
    return superuserReservedConnections + reservedConnections;
  }
}
