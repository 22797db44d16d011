package io.pgconn.operator.probe;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Maps what pgjdbc throws (SQLSTATE, the server's message, the cause chain) to a FailureReason, and
 * picks the remedy for the case at hand (pg_hba.conf: with or without encryption).
 */
final class FailureClassifier {

  private FailureClassifier() {}

  static FailureReason classify(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String text = String.valueOf(e.getMessage());
    switch (state) {
      case "53300":
        if (text.contains("too many connections for role"))
          return FailureReason.RoleConnectionLimit;
        if (text.contains("too many connections for database")) {
          return FailureReason.DatabaseConnectionLimit;
        }
        if (text.contains("pg_use_reserved_connections")) {
          return FailureReason.ReservedForPrivilegedRoles;
        }
        // <= 15: "reserved for non-replication superuser connections";
        // 16+: "reserved for roles with the SUPERUSER attribute".
        if (text.contains("reserved")) return FailureReason.ReservedSlotsOnly;
        return FailureReason.TooManyConnections;
      case "28P01":
        return FailureReason.AuthenticationFailed;
      case "28000":
        if (text.contains("pg_hba.conf")) return FailureReason.PgHbaRejected;
        if (text.contains("is not permitted to log in")) return FailureReason.LoginNotPermitted;
        if (text.contains("does not exist")) return FailureReason.RoleNotFound;
        return FailureReason.AuthorizationFailed;
      case "3D000":
        return FailureReason.DatabaseNotFound;
      case "55000":
        return FailureReason.DatabaseNotAccepting;
      default:
        break;
    }
    if (text.contains("does not support SSL")) return FailureReason.SslNotSupported;
    if (text.contains("SSL root certificate")
        || text.contains("could not be verified by hostnameverifier")) {
      return FailureReason.SslFailure;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UnknownHostException) return FailureReason.UnknownHost;
      if (c instanceof ConnectException) return FailureReason.ConnectionRefused;
      if (c instanceof SocketTimeoutException) return FailureReason.ConnectTimeout;
      if (c instanceof SSLException || c instanceof CertificateException) {
        return FailureReason.SslFailure;
      }
      if (c instanceof EOFException) return FailureReason.ConnectionReset;
      if (c instanceof SocketException
          && String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
        return FailureReason.ConnectionReset;
      }
    }
    if (text.contains("timed out") || e instanceof SQLTransientConnectionException) {
      return FailureReason.ConnectTimeout;
    }
    if (state.startsWith("08")) return FailureReason.ConnectionReset;
    return FailureReason.ProbeFailed;
  }

  /** The reason's remedy, made specific where the server's words say more. */
  static String remedy(FailureReason reason, String serverText) {
    String text = String.valueOf(serverText);
    if (reason == FailureReason.PgHbaRejected && text.contains("rejects connection")) {
      return "a reject line in pg_hba.conf matches this host, user, database and encryption:"
          + " remove or move that line, or connect as a role the server admits from here";
    }
    if (reason == FailureReason.PgHbaRejected) {
      if (text.contains("no encryption")) {
        return "the connection was not encrypted and no pg_hba.conf line accepts it unencrypted:"
            + " connect with sslmode=require (the server probably has only hostssl lines), or add a"
            + " host/hostnossl line for this address, user and database";
      }
      if (text.contains("SSL encryption")) {
        return "the connection was encrypted with TLS and no pg_hba.conf line accepts it: add a"
            + " host or hostssl line for this address, user and database (hostnossl lines never"
            + " match TLS connections)";
      }
      if (text.contains("GSS encryption")) {
        return "the connection used GSSAPI encryption and no pg_hba.conf line accepts it: add a"
            + " host or hostgssenc line, or connect with gssencmode=disable";
      }
    }
    return reason.remedy();
  }

  /** Which encryption the rejected connection used, from pg_hba.conf's message; null if unsaid. */
  static String hbaEncryption(String serverText) {
    String text = String.valueOf(serverText);
    if (text.contains("no encryption")) return "without encryption";
    if (text.contains("SSL encryption")) return "with SSL encryption";
    if (text.contains("GSS encryption")) return "with GSS encryption";
    return null;
  }
}
