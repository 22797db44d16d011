package io.pgconn.operator.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Passwords written carelessly (a raw '&' in a JDBC URL, a leading '/' in a URI) are parsed the way
 * the driver parses them, and no part of them reaches a warning or an error message.
 */
class PasswordCanaryTest {

  private static final String TAIL = "Canary7Tail";

  /**
   * pgjdbc splits the query on every '&', so "password=ab&Canary7Tail" is the password "ab" and a
   * parameter named like the rest of the password. Its name must not be echoed in a warning.
   */
  @Test
  void aRawAmpersandInAJdbcPasswordNeverReachesAWarning() throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse(
            "jdbc:postgresql://db.example.com:5432/app?user=app&password=ab&" + TAIL + "=x9");
    assertThat(cs.password()).isEqualTo("ab");
    assertThat(
            ConnectionStringRenderer.render(
                    cs, OutputFormat.LIBPQ, "DATABASE_URL", PoolSettings.NONE, true)
                .warnings())
        .isNotEmpty();
    for (OutputFormat format : OutputFormat.values()) {
      RenderedOutput out =
          ConnectionStringRenderer.render(cs, format, "DATABASE_URL", PoolSettings.NONE, true);
      assertThat(out.warnings())
          .as(format.name())
          .allSatisfy(w -> assertThat(w).doesNotContain(TAIL).doesNotContain("x9"));
    }
  }

  /** A known parameter is still named: it is not a secret and the user needs to know which. */
  @Test
  void aKnownDroppedParameterIsStillNamed() throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse(
            "postgresql://app:pw@db.example.com:5432/app?connection_limit=4&schema=s");
    RenderedOutput out =
        ConnectionStringRenderer.render(
            cs, OutputFormat.LIBPQ, "DATABASE_URL", PoolSettings.NONE, true);
    assertThat(out.warnings()).anySatisfy(w -> assertThat(w).contains("'schema'"));
  }

  /**
   * libpq looks for the '@' of the user info only up to the first '/', so
   * "postgresql://app:/Canary7Tail@db/app" is host "app", an empty port, and database
   * "Canary7Tail@db/app" (psql: could not translate host name "app"). The parser reads it the same
   * way, refuses it, and says why without showing the password.
   */
  @Test
  void aPasswordStartingWithSlashIsReadAsLibpqReadsItAndRefusedWithoutEchoingIt() {
    String url = "postgresql://app:/" + TAIL + "@db.example.com:5432/app";
    assertThatThrownBy(() -> ConnectionStringParser.parse(url))
        .isInstanceOf(InvalidConnectionStringException.class)
        .hasMessageContaining("%2F")
        .hasMessageNotContaining(TAIL)
        .satisfies(e -> assertThat(String.valueOf(e)).doesNotContain(TAIL));
  }

  /** Encoded, the same password is fine. */
  @Test
  void anEncodedLeadingSlashIsThePassword() throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse("postgresql://app:%2F" + TAIL + "@db.example.com:5432/app");
    assertThat(cs.password()).isEqualTo("/" + TAIL);
    assertThat(cs.hosts().get(0).host()).isEqualTo("db.example.com");
    assertThat(cs.database()).isEqualTo("app");
  }
}
