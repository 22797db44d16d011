package io.pgconn.operator.url;

/**
 * What spec.pool asks of every output. A null field is "not set": the source's value (or the
 * client's default) stays. {@code pgbouncer=false} likewise means "not requested", not "remove".
 */
public record PoolSettings(
    Integer connectionLimit,
    Integer poolTimeoutSeconds,
    Integer connectTimeoutSeconds,
    Integer socketTimeoutSeconds,
    SslMode sslMode,
    String applicationName,
    boolean pgbouncer) {

  public static final PoolSettings NONE =
      new PoolSettings(null, null, null, null, null, null, false);

  public PoolSettings {
    if (connectionLimit != null && connectionLimit < 1) {
      throw new IllegalArgumentException("connectionLimit must be >= 1");
    }
    requireNotNegative(poolTimeoutSeconds, "poolTimeoutSeconds");
    requireNotNegative(connectTimeoutSeconds, "connectTimeoutSeconds");
    requireNotNegative(socketTimeoutSeconds, "socketTimeoutSeconds");
  }

  private static void requireNotNegative(Integer value, String name) {
    if (value != null && value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0");
    }
  }
}
