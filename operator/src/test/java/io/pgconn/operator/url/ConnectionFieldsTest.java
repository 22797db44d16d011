package io.pgconn.operator.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgconn.operator.url.ConnectionFields.Field;
import io.pgconn.operator.url.ConnectionFields.InvalidFieldException;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/**
 * Discrete values (CloudNativePG's keys, an RDS secret's JSON) become one URL that every parser
 * reads back as the same values, whatever characters they hold.
 */
class ConnectionFieldsTest {

  private static final String CANARY = Generators.CANARY;

  private static ConnectionFields fields(String host, String port, String db, String user) {
    return new ConnectionFields(host, port, db, user, CANARY + "@:/?#%", null, null);
  }

  @Test
  void cloudNativePgKeysBecomeAnEncodedUri() throws Exception {
    ConnectionFields f =
        new ConnectionFields("shop-db-rw", "5432", "app", "app", "p@ss:w/rd?#%é", null, null);
    assertThat(f.toUrl())
        .isEqualTo("postgresql://app:p%40ss%3Aw%2Frd%3F%23%25%C3%A9@shop-db-rw:5432/app");
    ConnectionString cs = f.toConnectionString();
    assertThat(cs.password()).isEqualTo("p@ss:w/rd?#%é");
    assertThat(cs.hosts()).containsExactly(new HostPort("shop-db-rw", 5432));
  }

  @Test
  void ipv6HostsAreBracketedWhetherOrNotTheSecretBracketsThem() throws Exception {
    for (String host : List.of("2001:db8::1", "[2001:db8::1]")) {
      ConnectionFields f = fields(host, "6432", "app", "app");
      assertThat(f.toUrl()).contains("@[2001:db8::1]:6432/app");
      assertThat(f.toConnectionString().hosts()).containsExactly(new HostPort("2001:db8::1", 6432));
    }
  }

  @Test
  void aUnixSocketDirectoryGoesToTheHostParameter() throws Exception {
    ConnectionString cs = fields("/var/run/postgresql", null, "app", "app").toConnectionString();
    assertThat(cs.hosts()).containsExactly(new HostPort("/var/run/postgresql", null));
  }

  @Test
  void trailingNewlinesOfHostAndPortAreIgnoredButNotInThePassword() throws Exception {
    ConnectionFields f =
        new ConnectionFields("db.example.com\n", " 5433\n", "app", "app", " pw \n", null, null);
    ConnectionString cs = f.toConnectionString();
    assertThat(cs.hosts()).containsExactly(new HostPort("db.example.com", 5433));
    assertThat(cs.password()).isEqualTo(" pw \n");
  }

  @Test
  void sslmodeAndOptionsBecomeParameters() throws Exception {
    ConnectionFields f =
        new ConnectionFields("db", "5432", "app", "app", "pw", "verify-full", "-c search_path=a&b");
    ConnectionString cs = f.toConnectionString();
    assertThat(cs.parameters())
        .containsEntry("sslmode", "verify-full")
        .containsEntry("options", "-c search_path=a&b");
  }

  @Test
  void anEmptyDatabaseIsTheClientsDefault() throws Exception {
    assertThat(fields("db", "5432", "", "app").toConnectionString().database()).isNull();
  }

  @Test
  void badValuesNameTheFieldAndNeverTheValue() {
    record Case(ConnectionFields f, Field field) {}
    List<Case> cases =
        List.of(
            new Case(fields("db/" + CANARY, "5432", "app", "app"), Field.HOST),
            new Case(fields("db?sslmode=disable", "5432", "app", "app"), Field.HOST),
            new Case(fields(" ", "5432", "app", "app"), Field.HOST),
            new Case(fields("db", "5432x" + CANARY, "app", "app"), Field.PORT),
            new Case(fields("db", "70000", "app", "app"), Field.PORT),
            new Case(fields("db", "5432", "app", "app\n"), Field.USER),
            new Case(fields("db", "5432", "a\tpp", "app"), Field.DBNAME),
            new Case(
                new ConnectionFields("db", "5432", "app", "app", CANARY + "\0", null, null),
                Field.PASSWORD),
            new Case(
                new ConnectionFields("db", "5432", "app", "app", CANARY, CANARY, null),
                Field.SSLMODE));
    for (Case c : cases) {
      assertThatThrownBy(c.f()::toUrl)
          .as(c.field().name())
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo(c.field()))
          .message()
          .doesNotContain(CANARY)
          .doesNotContain("Canary");
    }
  }

  @Test
  void toStringMasksThePassword() {
    assertThat(fields("db", "5432", "app", "app").toString())
        .doesNotContain(CANARY)
        .contains("password=****");
  }

  // --------------------------------------------------------------------------------------------
  // Properties

  @Provide
  Arbitrary<ConnectionFields> anyFields() {
    Arbitrary<String> host =
        Arbitraries.oneOf(
            Generators.hostName(),
            Generators.ipv4(),
            Generators.ipv6(),
            Generators.ipv6().map(h -> "[" + h + "]"));
    Arbitrary<String> port = Arbitraries.integers().between(1, 65535).map(String::valueOf);
    return net.jqwik.api.Combinators.combine(
            host,
            port.injectNull(0.2),
            Generators.text(0, 16),
            Generators.text(1, 16),
            Generators.text(0, 24))
        .as((h, p, db, user, pw) -> new ConnectionFields(h, p, db, user, pw, null, null));
  }

  /** Any user, password and database name: URL, parsed back, the same values. */
  @Property(tries = 1000)
  void everyValueRoundTripsThroughTheUrl(@ForAll("anyFields") ConnectionFields f) throws Exception {
    ConnectionString cs = f.toConnectionString();
    assertThat(cs.user()).isEqualTo(f.user());
    assertThat(cs.password()).isEqualTo(f.password());
    assertThat(cs.database()).isEqualTo(f.database().isEmpty() ? null : f.database());
    String host = f.host().replace("[", "").replace("]", "");
    assertThat(cs.hosts())
        .containsExactly(new HostPort(host, f.port() == null ? null : Integer.valueOf(f.port())));
    assertThat(cs.parameters()).isEmpty();
  }

  /** An RFC 3986 parser (as Prisma's url crate) decodes the same user info, host and path. */
  @Property(tries = 500)
  void anRfc3986ParserReadsTheSameValues(@ForAll("anyFields") ConnectionFields f) throws Exception {
    URI uri = new URI(f.toUrl());
    // java.net.URI follows RFC 2396, whose host names end in a label starting with a letter; for
    // others (e.g. "a.0") it falls back to a registry authority and reads nothing: not our URL.
    Assume.that(uri.getHost() != null);
    String userInfo = uri.getUserInfo();
    assertThat(userInfo).isEqualTo(f.user() + ":" + f.password());
    assertThat(uri.getHost())
        .isEqualTo(
            f.host().contains(":") && !f.host().startsWith("[") ? "[" + f.host() + "]" : f.host());
    String path = uri.getPath();
    assertThat(path).isEqualTo(f.database().isEmpty() ? "" : "/" + f.database());
  }

  /** pgjdbc reads the URL's user info only through our renderer, but its host/db parsing holds. */
  @Property(tries = 300)
  void pgjdbcReadsTheSameDatabaseAndHost(@ForAll("anyFields") ConnectionFields f) throws Exception {
    ConnectionString cs = f.toConnectionString();
    String jdbc =
        ConnectionStringRenderer.render(cs, OutputFormat.JDBC, "URL", PoolSettings.NONE, false)
            .get("URL");
    Properties p = Driver.parseURL(jdbc, new Properties());
    assertThat(p).isNotNull();
    assertThat(p.getProperty("user")).isEqualTo(f.user());
    assertThat(p.getProperty("password")).isEqualTo(f.password());
    if (!f.database().isEmpty()) assertThat(p.getProperty("PGDBNAME")).isEqualTo(f.database());
  }
}
