package io.pgconn.operator.url;

import java.util.Locale;

/** The client dialects a target secret can be written in (spec.target.outputs[].format). */
public enum OutputFormat {
  PRISMA("prisma"),
  LIBPQ("libpq"),
  JDBC("jdbc"),
  PGX("pgx"),
  NODE_POSTGRES("node-postgres"),
  /** Prisma 7 with {@code @prisma/adapter-pg}: node-postgres' URL and pool variables. */
  PRISMA_ADAPTER_PG("prisma-adapter-pg"),
  ENV("env");

  private final String spelling;

  OutputFormat(String spelling) {
    this.spelling = spelling;
  }

  /** The spelling used in the CRD and on the command line. */
  public String spelling() {
    return spelling;
  }

  /**
   * @throws IllegalArgumentException for anything but the CRD spellings (case-insensitive).
   */
  public static OutputFormat parse(String value) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (OutputFormat f : values()) {
        if (f.spelling.equals(v) || f.name().toLowerCase(Locale.ROOT).equals(v)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown output format; expected prisma, prisma-adapter-pg, libpq, jdbc, pgx,"
            + " node-postgres or env");
  }
}
