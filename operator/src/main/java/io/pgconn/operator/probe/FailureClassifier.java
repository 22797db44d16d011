package io.pgconn.operator.probe;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/** Maps what pgjdbc throws (SQLSTATE, server message, cause) to a FailureReason. */
final class FailureClassifier {

  private FailureClassifier() {}

  static FailureReason classify(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String text = String.valueOf(e.getMessage());
    switch (state) {
      case "53300":
        if (text.contains("for role")) return FailureReason.RoleConnectionLimit;
        if (text.contains("for database")) return FailureReason.DatabaseConnectionLimit;
        if (text.contains("reserved")) return FailureReason.ReservedSlotsOnly;
        return FailureReason.TooManyConnections;
      case "28P01":
        return FailureReason.AuthenticationFailed;
      case "28000":
        return FailureReason.AuthorizationFailed;
      case "3D000":
        return FailureReason.DatabaseNotFound;
      case "55000":
        return FailureReason.DatabaseNotAccepting;
      default:
        break;
    }
    if (text.contains("does not support SSL")) return FailureReason.SslNotSupported;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UnknownHostException) return FailureReason.UnknownHost;
      if (c instanceof ConnectException) return FailureReason.ConnectionRefused;
      if (c instanceof SocketTimeoutException) return FailureReason.ConnectTimeout;
      if (c instanceof SSLException) return FailureReason.SslFailure;
      if (c instanceof EOFException) return FailureReason.ConnectionReset;
    }
    if ("08001".equals(state) && text.contains("timed out")) return FailureReason.ConnectTimeout;
    if (state.startsWith("08")) return FailureReason.ConnectionReset;
    return FailureReason.ProbeFailed;
  }
}
