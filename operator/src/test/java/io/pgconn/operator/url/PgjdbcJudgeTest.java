package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.postgresql.Driver;

/** pgjdbc's own URL parser decides whether our JDBC output means what we meant. */
class PgjdbcJudgeTest {

  @Provide
  Arbitrary<ConnectionString> tcpConnections() {
    return Generators.connectionStrings(Generators.tcpHost().list().ofMinSize(1).ofMaxSize(3));
  }

  @Property(tries = 300)
  void pgjdbcReadsBackHostsPortsDatabaseAndCredentials(
      @ForAll("tcpConnections") ConnectionString cs, @ForAll boolean pooled) throws Exception {
    RenderedOutput out =
        ConnectionStringRenderer.render(
            cs, OutputFormat.JDBC, "JDBC_URL", Generators.pool(), pooled);

    Properties parsed = Driver.parseURL(out.get("JDBC_URL"), new Properties());
    assertNotNull(parsed, () -> "pgjdbc rejected " + out.get("JDBC_URL"));
    assertEquals(expectedHosts(cs), Arrays.asList(parsed.getProperty("PGHOST").split(",")));
    assertEquals(
        cs.hosts().stream().map(h -> Integer.toString(h.portOrDefault())).toList(),
        Arrays.asList(parsed.getProperty("PGPORT").split(",")));
    // Like libpq, pgjdbc defaults the database to the user name.
    assertEquals(
        cs.database() != null ? cs.database() : cs.user(),
        emptyToNull(parsed.getProperty("PGDBNAME")));
    assertEquals(cs.user(), parsed.getProperty("user"));
    assertEquals(cs.password(), parsed.getProperty("password"));
    assertEquals("judge", parsed.getProperty("ApplicationName"));

    Properties spring = Driver.parseURL(out.get("SPRING_DATASOURCE_URL"), new Properties());
    assertNotNull(spring);
    assertFalse(spring.containsKey("password"), "the Spring URL carries no credentials");
    assertEquals(parsed.getProperty("PGHOST"), spring.getProperty("PGHOST"));
    assertEquals(cs.password(), out.get("SPRING_DATASOURCE_PASSWORD"));
  }

  /** pgjdbc keeps IPv6 brackets in PGHOST. */
  private static List<String> expectedHosts(ConnectionString cs) {
    return cs.hosts().stream().map(h -> h.isIpv6() ? "[" + h.host() + "]" : h.host()).toList();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** A verify-full source's certificates and negotiation reach pgjdbc, and its mode is kept. */
  @net.jqwik.api.Example
  void pgjdbcReadsTheSourcesSslParameters() throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse(
            "postgresql://app:pw@db.example/app"
                + "?sslmode=verify-full&sslrootcert=/etc/ca/root.pem&sslcert=/etc/tls/client.crt"
                + "&sslkey=/etc/tls/client.key&sslnegotiation=direct");
    SslMode mode = TlsFloor.effective(cs, SslMode.REQUIRE, false);
    RenderedOutput out =
        ConnectionStringRenderer.render(
            cs,
            OutputFormat.JDBC,
            "JDBC_URL",
            new PoolSettings(5, null, null, null, mode, "judge", false),
            true);
    for (String key : List.of("JDBC_URL", "SPRING_DATASOURCE_URL")) {
      Properties parsed = Driver.parseURL(out.get(key), new Properties());
      assertNotNull(parsed, out.get(key));
      assertEquals("verify-full", parsed.getProperty("sslmode"), key);
      assertEquals("/etc/ca/root.pem", parsed.getProperty("sslrootcert"), key);
      assertEquals("/etc/tls/client.crt", parsed.getProperty("sslcert"), key);
      assertEquals("/etc/tls/client.key", parsed.getProperty("sslkey"), key);
      assertEquals("direct", parsed.getProperty("sslNegotiation"), key);
    }
  }
}
