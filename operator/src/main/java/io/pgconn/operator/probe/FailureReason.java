package io.pgconn.operator.probe;

/**
 * Why a connection failed, each with what a user should change. The names are stable: they
 * appear as condition reasons and in status.lastProbe.result.
 */
public enum FailureReason {
  TooManyConnections("the server has no free connection slots",
      "lower the pool sizes of its clients, add a pooler, or raise max_connections"),
  ReservedSlotsOnly("only reserved connection slots are left",
      "free connections (lower pool sizes) or raise max_connections"),
  RoleConnectionLimit("the role's CONNECTION LIMIT is reached",
      "lower the pool sizes of this role's clients or ALTER ROLE ... CONNECTION LIMIT"),
  DatabaseConnectionLimit("the database's CONNECTION LIMIT is reached",
      "lower the pool sizes or ALTER DATABASE ... CONNECTION LIMIT"),
  AuthenticationFailed("the server rejected the password",
      "put the current password in the source Secret"),
  AuthorizationFailed("the server refused this role or client address (role missing, NOLOGIN or no"
      + " pg_hba.conf entry)", "check the role exists with LOGIN and pg_hba.conf allows this address"
      + " and encryption"),
  DatabaseNotFound("the database does not exist", "fix the database name in the URL or create it"),
  DatabaseNotAccepting("the database is not accepting connections",
      "ALTER DATABASE ... ALLOW_CONNECTIONS true, or wait for maintenance to end"),
  SslNotSupported("the server does not support SSL but the URL requires it",
      "enable ssl on the server, or lower sslMode (not recommended off a private network)"),
  SslFailure("the TLS handshake or certificate check failed",
      "use sslMode require for self-signed servers, or give verify-full a CA bundle"),
  UnknownHost("the host name does not resolve", "fix the host in the URL"),
  ConnectionRefused("nothing accepts connections at that address",
      "check host and port, and that the server is running"),
  ConnectTimeout("the server did not answer in time",
      "check network policies and firewalls, or raise connectTimeoutSeconds"),
  ConnectionReset("the server closed the connection unexpectedly",
      "check the server log; a pooler or proxy may be dropping connections"),
  Unsupported("this address cannot be probed", "see the message"),
  ProbeFailed("the probe failed", "see the message");

  private final String what;
  private final String remedy;

  FailureReason(String what, String remedy) {
    this.what = what;
    this.remedy = remedy;
  }

  public String what() { return what; }

  public String remedy() { return remedy; }
}
