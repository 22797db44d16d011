package io.pgconn.operator.budget;

/** The server's connection limits as read by a probe; -1 means "no limit" for role and database. */
public record ServerLimits(
    int maxConnections,
    int reservedConnections,
    int roleConnectionLimit,
    int databaseConnectionLimit) {

  /** Slots a non-superuser client can ever get: the tightest of the three limits. */
  public int usableSlots() {
    int slots = Math.max(0, maxConnections - reservedConnections);
    if (roleConnectionLimit >= 0) slots = Math.min(slots, roleConnectionLimit);
    if (databaseConnectionLimit >= 0) slots = Math.min(slots, databaseConnectionLimit);
    return slots;
  }
}
