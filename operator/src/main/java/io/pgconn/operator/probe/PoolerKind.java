package io.pgconn.operator.probe;

import io.pgconn.operator.url.HostPort;
import java.util.Locale;

/**
 * What a host name and port say about the pooler in front of the server, and so whether Prisma 6
 * and earlier need {@code pgbouncer=true} (it turns off the named prepared statements a
 * transaction-mode pooler without prepared-statement support breaks on). The rule per provider:
 *
 * <ul>
 *   <li>Supabase's Supavisor on 6543 (transaction mode): needed;
 *   <li>Supabase's Supavisor on 5432 (session mode): not needed, one server connection per client;
 *   <li>Neon's {@code -pooler} host: not needed, its PgBouncer (>= 1.21) has
 *       max_prepared_statements set, so named prepared statements survive transaction mode;
 *   <li>any other {@code -pooler} host or port 6543: a transaction-mode pooler of unknown version,
 *       so needed unless it is PgBouncer >= 1.21 with max_prepared_statements > 0, which a URL does
 *       not tell.
 * </ul>
 */
enum PoolerKind {
  NONE(false, false, null),
  SUPABASE_TRANSACTION(true, false, "Supabase's Supavisor in transaction mode (port 6543)"),
  SUPABASE_SESSION(false, false, "Supabase's Supavisor in session mode (pooler.supabase.com)"),
  NEON_POOLER(
      true,
      true,
      "Neon's pooler (-pooler host: PgBouncer in transaction mode, prepared statements supported)"),
  OTHER_TRANSACTION(true, false, "a transaction-mode pooler (-pooler host or port 6543)");

  /** Statements and session state do not outlive a transaction (migrations need a direct URL). */
  final boolean transactionMode;

  /** Named prepared statements work through it, so pgbouncer=true / prepareThreshold=0 are moot. */
  final boolean preparedStatements;

  final String description;

  PoolerKind(boolean transactionMode, boolean preparedStatements, String description) {
    this.transactionMode = transactionMode;
    this.preparedStatements = preparedStatements;
    this.description = description;
  }

  /** Whether Prisma's Rust engine (Prisma 6 and earlier) needs pgbouncer=true behind it. */
  boolean prismaNeedsPgbouncerFlag() {
    return transactionMode && !preparedStatements;
  }

  static PoolerKind of(HostPort h) {
    String host = h.host().toLowerCase(Locale.ROOT);
    int port = h.portOrDefault();
    if (host.endsWith(".neon.tech") && host.contains("-pooler.")) {
      return NEON_POOLER;
    }
    if (host.endsWith(".pooler.supabase.com")) {
      return port == 6543 ? SUPABASE_TRANSACTION : SUPABASE_SESSION;
    }
    if (port == 6543 || host.contains("-pooler")) {
      return OTHER_TRANSACTION;
    }
    return NONE;
  }
}
