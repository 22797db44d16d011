package io.pgconn.operator.url;

/**
 * The requested output cannot say what the policy asks without changing its meaning (e.g. Prisma
 * would silently downgrade verify-full to prefer). The message says what to change instead.
 */
public class UnsupportedSettingException extends Exception {

  private static final long serialVersionUID = 1L;

  public UnsupportedSettingException(String message) {
    super(message);
  }
}
