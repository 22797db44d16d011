package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionStringParserTest {

  private static ConnectionString parse(String s) throws InvalidConnectionStringException {
    return ConnectionStringParser.parse(s);
  }

  private static InvalidConnectionStringException failure(String s) {
    return assertThrows(
        InvalidConnectionStringException.class, () -> ConnectionStringParser.parse(s));
  }

  @Test
  void readsAFullLibpqUri() throws Exception {
    ConnectionString cs =
        parse(
            "postgresql://app:s3cret@db.example.com:6543/shop?sslmode=require&connection_limit=5");
    assertEquals(SourceKind.URI, cs.kind());
    assertEquals(List.of(new HostPort("db.example.com", 6543)), cs.hosts());
    assertEquals("shop", cs.database());
    assertEquals("app", cs.user());
    assertEquals("s3cret", cs.password());
    assertEquals(List.of("sslmode", "connection_limit"), List.copyOf(cs.parameters().keySet()));
    assertEquals("5", cs.parameters().get("connection_limit"));
  }

  @Test
  void postgresSchemeIsTheSame() throws Exception {
    assertEquals(List.of(new HostPort("h", null)), parse("postgres://h").hosts());
  }

  @Test
  void decodesEveryPartAndAcceptsAnUnencodedAtInThePassword() throws Exception {
    ConnectionString cs =
        parse(
            "postgresql://us%40er:p%40%3A%2F%25%3F%23%26%20%C3%A9%E2%82%AC@h/d%2Fb?application_name=a%26b");
    assertEquals("us@er", cs.user());
    assertEquals("p@:/%?#& é€", cs.password());
    assertEquals("d/b", cs.database());
    assertEquals("a&b", cs.parameters().get("application_name"));
    assertEquals("p@ss", parse("postgresql://u:p@ss@h/db").password());
  }

  @Test
  void readsIpv6SeveralHostsAndUnixSockets() throws Exception {
    assertEquals(
        List.of(
            new HostPort("::1", 5433), new HostPort("h2", null), new HostPort("10.0.0.3", 5434)),
        parse("postgresql://[::1]:5433,h2,10.0.0.3:5434/db").hosts());
    assertEquals(
        List.of(new HostPort("/var/run/postgresql", null)),
        parse("postgresql://%2Fvar%2Frun%2Fpostgresql/db").hosts());
    ConnectionString viaQuery = parse("postgresql://u@/db?host=/var/run/postgresql&port=5433");
    assertEquals(List.of(new HostPort("/var/run/postgresql", 5433)), viaQuery.hosts());
    assertTrue(viaQuery.parameters().isEmpty(), "host and port become hosts(), not parameters");
    assertEquals(
        List.of(new HostPort("a", 1), new HostPort("b", 1)),
        parse("postgresql://x/db?host=a,b&port=1").hosts());
  }

  @Test
  void acceptsEmptyParts() throws Exception {
    ConnectionString noHost = parse("postgresql:///db");
    assertEquals(List.of(), noHost.hosts());
    assertEquals("db", noHost.database());
    ConnectionString nothing = parse("postgresql://");
    assertEquals(List.of(), nothing.hosts());
    assertNull(nothing.database());
    assertNull(nothing.user());
    assertNull(nothing.password());
    assertEquals("", parse("postgresql://u:@h").password());
  }

  @Test
  void sslTrueMeansRequireInLibpqAndVerifyFullInJdbc() throws Exception {
    assertEquals(Map.of("sslmode", "require"), parse("postgresql://h/db?ssl=true").parameters());
    assertEquals(
        Map.of("sslmode", "verify-full"), parse("jdbc:postgresql://h/db?ssl=true").parameters());
    assertEquals(
        Map.of("sslmode", "disable"),
        parse("postgresql://h/db?sslmode=disable&ssl=true").parameters());
    assertEquals(
        "require", parse("postgresql://h/db?sslmode=no-verify").parameters().get("sslmode"));
  }

  @Test
  void readsKeywordValueWithQuotesAndEscapes() throws Exception {
    ConnectionString cs =
        parse("host=h port=5433 dbname=d user=u password='p w\\'x' sslmode = require foo=bar");
    assertEquals(SourceKind.KEYWORD_VALUE, cs.kind());
    assertEquals(List.of(new HostPort("h", 5433)), cs.hosts());
    assertEquals("d", cs.database());
    assertEquals("u", cs.user());
    assertEquals("p w'x", cs.password());
    assertEquals(Map.of("sslmode", "require", "foo", "bar"), cs.parameters());
    assertEquals("a b", parse("password=a\\ b").password());
  }

  @Test
  void readsJdbcWithCredentialsInTheQuery() throws Exception {
    ConnectionString cs =
        parse(
            "jdbc:postgresql://h1:5432,h2:5433/db?user=u&password=p%2Bq+r&connectTimeout=10&ApplicationName=x");
    assertEquals(SourceKind.JDBC, cs.kind());
    assertEquals(List.of(new HostPort("h1", 5432), new HostPort("h2", 5433)), cs.hosts());
    assertEquals("db", cs.database());
    assertEquals("u", cs.user());
    assertEquals("p+q r", cs.password(), "pgjdbc decodes with URLDecoder: '+' is a space");
    assertEquals(Map.of("connectTimeout", "10", "ApplicationName", "x"), cs.parameters());
    assertEquals("mydb", parse("jdbc:postgresql:mydb").database());
  }

  @Test
  void keepsPrismaAccelerateVerbatimAndRedactsItsKey() throws Exception {
    String url = "prisma://accelerate.prisma-data.net/?api_key=eyJhbGciOi.SECRET";
    ConnectionString cs = parse("  " + url + "\n");
    assertEquals(SourceKind.PRISMA_ACCELERATE, cs.kind());
    assertEquals(url, cs.verbatim());
    assertFalse(cs.toString().contains("SECRET"));
    assertEquals(
        SourceKind.PRISMA_ACCELERATE,
        parse("prisma+postgres://accelerate.prisma-data.net/?api_key=k").kind());
  }

  @Test
  void toStringNeverShowsThePassword() throws Exception {
    ConnectionString cs = parse("postgresql://u:Canary-Pa55-ZQX@h/db?sslpassword=Other-Secret");
    assertEquals("postgresql://u:****@h/db?sslpassword=****", cs.toString());
    assertEquals(cs.redacted(), cs.toString());
  }

  @Test
  void trimsSurroundingWhitespaceButKeepsPositionsInTheOriginal() {
    InvalidConnectionStringException e = failure("  postgresql://h:99999/db\n");
    assertEquals(Reason.BAD_PORT, e.reason());
    assertEquals(17, e.position());
  }

  // --- every mistake, with its position ---

  @ParameterizedTest(name = "[{index}] {1} at {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      ''                                                           | EMPTY                | -1
      '   '                                                        | EMPTY                | -1
      mysql://u:p@h/db                                             | UNKNOWN_SCHEME       | 0
      http://h/db                                                  | UNKNOWN_SCHEME       | 0
      jdbc:mysql://h/db                                            | UNKNOWN_SCHEME       | 5
      postgresql://h:99999/db                                      | BAD_PORT             | 15
      postgresql://h:54x/db                                        | BAD_PORT             | 15
      postgresql://h:0/db                                          | BAD_PORT             | 15
      postgresql://h/db?port=abc                                   | BAD_PORT             | 23
      postgresql://::1/db                                          | BAD_IPV6             | 13
      postgresql://[::1/db                                         | BAD_IPV6             | 13
      postgresql://a,b/db?port=1,2,3                               | HOST_PORT_MISMATCH   | 25
      postgresql://h/db?sslmode=require?connection_limit=10        | SECOND_QUESTION_MARK | 33
      postgresql://h/db?sslmode                                    | MISSING_EQUALS       | 18
      host=h dbname                                                | MISSING_EQUALS       | 7
      postgresql://h/db?conection_limit=10                         | MISSPELLED_PARAMETER | 18
      postgresql://h/db?a=1&sslmdoe=require                        | MISSPELLED_PARAMETER | 22
      host=h connect_timout=5                                      | MISSPELLED_PARAMETER | 7
      postgresql://h/db?connection_limit=abc                       | BAD_PARAMETER_VALUE  | 35
      postgresql://h/db?connection_limit=0                         | BAD_PARAMETER_VALUE  | 35
      postgresql://h/db?sslmode=bogus                              | BAD_PARAMETER_VALUE  | 26
      postgresql://h/db?pgbouncer=yes                              | BAD_PARAMETER_VALUE  | 28
      postgresql://h/db?ssl=false                                  | BAD_PARAMETER_VALUE  | 22
      postgresql://u:p%zz@h/db                                     | BAD_PERCENT_ENCODING | 16
      postgresql://u:p%4@h/db                                      | BAD_PERCENT_ENCODING | 16
      postgresql://u:%C3@h/db                                      | BAD_PERCENT_ENCODING | 15
      postgresql://u:a%00b@h/db                                    | NUL_CHARACTER        | 16
      host=h password='abc                                         | UNTERMINATED_QUOTE   | 16
      postgresql:h/db                                              | MALFORMED            | 11
      just-a-hostname                                              | MALFORMED            | 0
      prisma://                                                    | MALFORMED            | 7
      """)
  void reportsEachMistakeWithItsReasonAndPosition(String input, Reason reason, int position) {
    InvalidConnectionStringException e = failure(input == null ? "" : input);
    assertEquals(reason, e.reason(), e.getMessage());
    assertEquals(position, e.position(), e.getMessage());
    if (position >= 0) {
      assertTrue(e.getMessage().contains(" at position " + position + ": "), e.getMessage());
    }
  }

  @Test
  void rejectsAnUnpairedSurrogateInsteadOfSilentlyChangingTheValue() {
    InvalidConnectionStringException e = failure("postgresql://u:ab\ud800@h/db");
    assertEquals(Reason.BAD_PERCENT_ENCODING, e.reason());
    assertEquals(17, e.position());
  }

  @Test
  void misspellingMessageSuggestsTheKnownName() {
    assertTrue(
        failure("postgresql://h/db?conection_limit=10")
            .getMessage()
            .contains("did you mean 'connection_limit'"));
    assertTrue(
        failure("postgresql://h/db?sslmdoe=require")
            .getMessage()
            .contains("did you mean 'sslmode'"));
    assertTrue(
        failure("postgresql://h/db?application-name=x")
            .getMessage()
            .contains("did you mean 'application_name'"));
    assertTrue(
        failure("jdbc:postgresql://h/db?applicationName=x")
            .getMessage()
            .contains("did you mean 'ApplicationName'"));
  }

  @Test
  void doesNotCallRealServerSettingsMisspellings() throws Exception {
    assertEquals(
        4,
        parse("postgresql://h/db?search_path=app&TimeZone=UTC&statement_timeout=5000&schema=x")
            .parameters()
            .size());
  }

  @Test
  void messagesNeverContainThePasswordOrTheInput() {
    for (String bad :
        List.of(
            "postgresql://u:Canary-Pa55-ZQX@h:99999/db",
            "postgresql://u:Canary-Pa55-ZQX/h/db",
            "postgresql://u:Canary-Pa55-ZQX%zz@h/db",
            "host=h password='Canary-Pa55-ZQX",
            "host=h password=Canary-Pa55-ZQX sslmode=Canary-Pa55-ZQX",
            "postgresql://h/db?connection_limit=Canary-Pa55-ZQX",
            "mysql://u:Canary-Pa55-ZQX@h/db")) {
      InvalidConnectionStringException e = failure(bad);
      assertFalse(e.getMessage().contains("Canary"), e.getMessage());
    }
  }
}
