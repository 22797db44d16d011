package io.pgconn.operator.probe;

/** The outcome of one troubleshooting check. */
public enum CheckStatus {
  Pass,
  Fail,
  /** The check could not be made (missing visibility, an earlier check failed...). */
  Unknown
}
