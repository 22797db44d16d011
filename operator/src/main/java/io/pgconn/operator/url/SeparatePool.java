package io.pgconn.operator.url;

import java.util.SortedMap;

/**
 * The pool settings a client reads outside its URL (HikariCP, node-postgres' Pool), taken out of
 * the URL's parameters, where Prisma's spelling carries them.
 *
 * @param connectionLimit connection_limit, or null
 * @param poolTimeoutMillis pool_timeout in milliseconds (Prisma counts seconds), or null
 */
record SeparatePool(String connectionLimit, String poolTimeoutMillis) {

  /** Removes connection_limit and pool_timeout from {@code parameters}. */
  static SeparatePool takeFrom(SortedMap<String, String> parameters) {
    String limit = parameters.remove("connection_limit");
    String timeout = parameters.remove("pool_timeout");
    return new SeparatePool(
        limit, timeout == null ? null : Long.toString(Long.parseLong(timeout) * 1000L));
  }
}
