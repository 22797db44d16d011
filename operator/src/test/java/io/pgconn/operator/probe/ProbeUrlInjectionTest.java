package io.pgconn.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/**
 * What pgjdbc itself reads from the probe's URL and properties: every value must arrive as the
 * target says, whatever characters a host or name holds. Read with pgjdbc's own {@link
 * Driver#parseURL}, the function every connect goes through.
 */
class ProbeUrlInjectionTest {

  private static Properties driverView(ProbeTarget target) {
    Properties parsed =
        Driver.parseURL(ServerProbe.jdbcUrl(target), ServerProbe.properties(target));
    assertThat(parsed).as("pgjdbc accepts the probe's URL").isNotNull();
    return parsed;
  }

  private static ProbeTarget target(String host, String database, String user) {
    return new ProbeTarget(
        List.of(new ProbeTarget.Endpoint(host, 5432)), database, user, "pw", "verify-full", 5);
  }

  @Test
  void aHostCannotSetTheUserOrTheDatabase() {
    Properties parsed = driverView(target("127.0.0.1/template1?user=postgres", "app", "app"));
    assertThat(parsed.getProperty("user")).isEqualTo("app");
    assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("app");
  }

  @Test
  void aHostCannotWeakenTls() {
    Properties parsed =
        driverView(target("db.example:5432/app?sslmode=disable&foo=", "app", "app"));
    assertThat(parsed.getProperty("sslmode")).isEqualTo("verify-full");
    assertThat(parsed.getProperty("foo")).isNull();
    assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("app");
  }

  @Test
  void aDatabaseNameCannotSetProperties() {
    Properties parsed =
        driverView(target("db.example", "app?sslmode=disable&user=postgres", "app"));
    assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("app?sslmode=disable&user=postgres");
    assertThat(parsed.getProperty("sslmode")).isEqualTo("verify-full");
    assertThat(parsed.getProperty("user")).isEqualTo("app");
  }

  @Test
  void theUrlCarriesNothingOfTheTarget() {
    ProbeTarget t =
        new ProbeTarget(
            List.of(
                new ProbeTarget.Endpoint("db.example", 6543),
                new ProbeTarget.Endpoint("2001:db8::1", 5433)),
            "shop",
            "app",
            "pw",
            "require",
            5);
    assertThat(ServerProbe.jdbcUrl(t)).isEqualTo("jdbc:postgresql://");
    Properties parsed = driverView(t);
    assertThat(parsed.getProperty("PGHOST")).isEqualTo("db.example,[2001:db8::1]");
    assertThat(parsed.getProperty("PGPORT")).isEqualTo("6543,5433");
    assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("shop");
  }

  @Test
  void theProbeRefusesAHostWithUrlSyntaxWithoutConnecting() {
    try (ServerProbe probe = new ServerProbe(java.time.Clock.systemUTC())) {
      ProbeResult result = probe.probe(target("127.0.0.1/template1?user=postgres", "app", "app"));
      assertThat(result.ok()).isFalse();
      assertThat(result.failure()).isEqualTo(FailureReason.InvalidHost);
      assertThat(result.message()).contains("host").doesNotContain("template1");
    }
  }
}
