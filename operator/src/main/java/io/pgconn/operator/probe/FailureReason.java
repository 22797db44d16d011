package io.pgconn.operator.probe;

/**
 * Why a connection failed, each with what a user should change and, where Prisma has one, the error
 * code Prisma reports for the same failure (so a user can match an application's log line to the
 * operator's condition). The names are stable: they appear as condition reasons and in
 * status.lastProbe.result; add new ones, never rename.
 */
public enum FailureReason {
  TooManyConnections(
      null,
      "the server has no free connection slots (max_connections reached)",
      "lower the pool sizes of its clients, add a pooler, or raise max_connections"),
  /** Only superuser_reserved_connections are left (both the <= 15 and the 16+ wording). */
  ReservedSlotsOnly(
      null,
      "only the slots reserved for superusers are left",
      "free connections (lower pool sizes) or raise max_connections;"
          + " superuser_reserved_connections slots are for administrators only"),
  /** PostgreSQL 16+: only reserved_connections are left and the role lacks the privilege. */
  ReservedForPrivilegedRoles(
      null,
      "only the slots reserved for pg_use_reserved_connections are left",
      "free connections (lower pool sizes), raise max_connections, or GRANT"
          + " pg_use_reserved_connections to this role if it is an administrative one"),
  RoleConnectionLimit(
      null,
      "the role's CONNECTION LIMIT is reached",
      "lower the pool sizes of this role's clients or ALTER ROLE ... CONNECTION LIMIT"),
  DatabaseConnectionLimit(
      null,
      "the database's CONNECTION LIMIT is reached",
      "lower the pool sizes or ALTER DATABASE ... CONNECTION LIMIT"),
  AuthenticationFailed(
      "P1000",
      "the server rejected the password",
      "put the current password in the source Secret (with password authentication a missing"
          + " role fails the same way)"),
  /** 28000 "role ... does not exist": only seen where pg_hba.conf does not ask for a password. */
  RoleNotFound(
      "P1000", "the role does not exist", "fix the user name in the URL or CREATE ROLE ... LOGIN"),
  /** 28000 "role ... is not permitted to log in": the role exists but is NOLOGIN. */
  LoginNotPermitted(
      "P1000",
      "the role is not permitted to log in (NOLOGIN)",
      "ALTER ROLE ... LOGIN, or use a role that has LOGIN"),
  /** 28000 "no pg_hba.conf entry" or "pg_hba.conf rejects connection". */
  PgHbaRejected(
      "P1010",
      "pg_hba.conf has no line allowing this host, user, database and" + " encryption",
      "add a matching host/hostssl line to pg_hba.conf, or connect with the"
          + " encryption the server's lines expect"),
  /** Any other 28000 (invalid authorization specification). */
  AuthorizationFailed(
      "P1000",
      "the server refused this role or client address",
      "check the role exists with LOGIN and pg_hba.conf allows this address and encryption"),
  DatabaseNotFound(
      "P1003", "the database does not exist", "fix the database name in the URL or create it"),
  DatabaseNotAccepting(
      null,
      "the database is not accepting connections",
      "ALTER DATABASE ... ALLOW_CONNECTIONS true, or wait for maintenance to end"),
  SslNotSupported(
      "P1011",
      "the server does not support SSL but the URL requires it",
      "enable ssl on the server, or lower sslMode (not recommended off a private network)"),
  SslFailure(
      "P1011",
      "the TLS handshake or certificate check failed",
      "set spec.source.caSecretRef to the CA bundle that signed the server's certificate (for"
          + " verify-ca and verify-full; verify-full also needs a host name the certificate"
          + " names), or use sslMode require for self-signed servers"),
  UnknownHost("P1001", "the host name does not resolve", "fix the host in the URL"),
  ConnectionRefused(
      "P1001",
      "nothing accepts connections at that address",
      "check host and port, and that the server is running"),
  ConnectTimeout(
      "P1001",
      "the server did not answer in time",
      "check network policies and firewalls, or raise connectTimeoutSeconds"),
  ConnectionReset(
      "P1017",
      "the server closed the connection unexpectedly",
      "check the server log; a pooler or proxy may be dropping connections"),
  Unsupported(null, "this address cannot be probed", "see the message"),
  /** A host with characters no host name or address has (URL syntax, spaces, control bytes). */
  InvalidHost(
      "P1001",
      "the host is neither a host name nor an IP address",
      "write the host as a DNS name (letters, digits, '-', '_', '.') or an IP address, and"
          + " percent-encode nothing in it"),
  ProbeFailed(null, "the probe failed", "see the message");

  private final String prismaCode;
  private final String what;
  private final String remedy;

  FailureReason(String prismaCode, String what, String remedy) {
    this.prismaCode = prismaCode;
    this.what = what;
    this.remedy = remedy;
  }

  public String what() {
    return what;
  }

  public String remedy() {
    return remedy;
  }

  /** The error code Prisma reports for this failure (P1000, P1001...), or null when none. */
  public String prismaCode() {
    return prismaCode;
  }
}
