package io.pgconn.operator.probe;

import java.util.Objects;

/** One line of the troubleshooting checklist; the message never contains a password. */
public record CheckResult(String name, CheckStatus status, String message) {

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
  }

  static CheckResult pass(String name, String message) {
    return new CheckResult(name, CheckStatus.Pass, message);
  }

  static CheckResult fail(String name, String message) {
    return new CheckResult(name, CheckStatus.Fail, message);
  }

  static CheckResult unknown(String name, String message) {
    return new CheckResult(name, CheckStatus.Unknown, message);
  }
}
