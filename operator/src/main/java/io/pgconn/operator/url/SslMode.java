package io.pgconn.operator.url;

import java.util.Locale;

/** libpq's sslmode values; the one vocabulary the operator uses, translated per client. */
public enum SslMode {
  DISABLE,
  ALLOW,
  PREFER,
  REQUIRE,
  VERIFY_CA,
  VERIFY_FULL;

  /** The spelling libpq, pgjdbc and Prisma use on the wire. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Accepts the libpq spellings (any case, '_' or '-') and node-postgres' {@code no-verify}, which
   * means exactly libpq's {@code require}: encrypt, do not verify.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static SslMode parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException("sslmode is null");
    }
    String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    if (v.equals("no-verify")) {
      return REQUIRE;
    }
    for (SslMode mode : values()) {
      if (mode.wire().equals(v)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown sslmode; expected disable, allow, prefer, require, verify-ca or verify-full");
  }
}
