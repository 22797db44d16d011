package io.pgconn.operator.url;

/**
 * A connection string that cannot be read, or that a client would read differently from what its
 * author meant. The message is "<what is wrong> at position N: <how to fix>" and is built only from
 * fixed text, positions and known parameter names, never from the input itself, so it can be logged
 * and shown in a status without leaking a password.
 */
public class InvalidConnectionStringException extends Exception {

  private static final long serialVersionUID = 1L;

  public enum Reason {
    EMPTY,
    UNKNOWN_SCHEME,
    BAD_PORT,
    BAD_IPV6,
    HOST_PORT_MISMATCH,
    SECOND_QUESTION_MARK,
    MISSING_EQUALS,
    MISSPELLED_PARAMETER,
    BAD_PARAMETER_VALUE,
    BAD_PERCENT_ENCODING,
    NUL_CHARACTER,
    BAD_HOST,
    CONTROL_CHARACTER,
    UNTERMINATED_QUOTE,
    MALFORMED
  }

  private final Reason reason;
  private final int position;

  public InvalidConnectionStringException(Reason reason, int position, String what, String fix) {
    super(what + (position >= 0 ? " at position " + position : "") + ": " + fix);
    this.reason = reason;
    this.position = position;
  }

  public Reason reason() {
    return reason;
  }

  /** 0-based index into the input, or -1 when the problem has no single place. */
  public int position() {
    return position;
  }
}
