package io.pgconn.operator.url;

/**
 * The policy asks for a weaker sslmode than its source without saying it means to. The message
 * names only the two modes and the fix, never anything else of the source.
 */
public class SslModeWeakenedException extends Exception {

  private static final long serialVersionUID = 1L;

  public SslModeWeakenedException(String message) {
    super(message);
  }
}
