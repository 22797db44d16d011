package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host is a name or an address, nothing else: a decoded '/', '?' or '&' in it would become URL
 * syntax wherever a client concatenates it (the operator's own probe did). User and database names
 * carry no control bytes: CR/LF in them would split log lines and protocol text.
 */
class HostAndNameValidationTest {

  private static InvalidConnectionStringException failure(String s) {
    return assertThrows(
        InvalidConnectionStringException.class, () -> ConnectionStringParser.parse(s));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://app:pw@db.example%3Fsslmode%3Ddisable%26foo%3D/app",
        "postgresql://app:pw@127.0.0.1%2Ftemplate1%3Fuser%3Dpostgres/app",
        "postgresql://app:pw@db.example%26sslmode%3Ddisable/app",
        "postgresql://app:pw@db%20example/app",
        "postgresql://app:pw@db.example%0D%0A/app",
        "postgresql://app:pw@[::1%2Fx]/app",
        "postgresql:///app?host=127.0.0.1/template1%3Fuser%3Dpostgres",
        "host=db.example?sslmode=disable user=app dbname=app",
        "jdbc:postgresql://db.example%3Fsslmode%3Ddisable%26x%3D:5432/app",
      })
  void refusesHostsWithCharactersNoHostNameOrAddressHas(String input) {
    InvalidConnectionStringException e = failure(input);
    assertEquals(Reason.BAD_HOST, e.reason(), e.getMessage());
    assertTrue(
        e.getMessage().startsWith("host contains a character no host name or IP address" + " has"),
        e.getMessage());
    assertTrue(e.getMessage().contains(" at position "), e.getMessage());
    assertTrue(e.getMessage().contains("fix"), e.getMessage());
    assertFalse(
        e.getMessage().contains("sslmode") || e.getMessage().contains("template1"),
        "the message quotes nothing of the input: " + e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://app:pw@db.example.com:5432/app",
        "postgresql://app:pw@my_db-1.internal/app",
        "postgresql://app:pw@10.0.0.7/app",
        "postgresql://app:pw@[2001:db8::1]:6543/app",
        "postgresql://app:pw@[fe80::1%25eth0]/app",
        "postgresql://app:pw@h1,h2:5433/app",
        "postgresql:///app?host=/var/run/postgresql",
        "postgresql:///app?host=/cloudsql/proj:region:inst",
        "host=db.example.com,10.0.0.8 user=app dbname=app",
        "postgresql:///app",
      })
  void acceptsNamesAddressesAndSocketDirectories(String input) throws Exception {
    ConnectionStringParser.parse(input);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://app%0D%0Ainjected:pw@db.example/app",
        "postgresql://app%0A:pw@db.example/app",
        "postgresql://app%09:pw@db.example/app",
        "postgresql://app%7F:pw@db.example/app",
        "postgresql://app:pw@db.example/app%0D%0ASET%20x",
        "postgresql://app:pw@db.example/app?user=a%0Db",
        "postgresql://db.example/app?dbname=a%1Bb",
        "user='a\nb' host=db.example dbname=app",
      })
  void refusesControlCharactersInUserAndDatabaseNames(String input) {
    InvalidConnectionStringException e = failure(input);
    assertEquals(Reason.CONTROL_CHARACTER, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("control character"), e.getMessage());
    assertTrue(e.getMessage().contains(" at position ") || e.position() < 0, e.getMessage());
    assertFalse(
        e.getMessage().contains("injected") || e.getMessage().contains("SET"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"app é", "ユーザー", "a b", "O'Brien", "x@y"})
  void acceptsPrintableNamesInAnyScript(String name) throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse(
            "postgresql://"
                + PercentCodec.encode(name)
                + ":pw@db.example/"
                + PercentCodec.encode(name));
    assertEquals(List.of(name, name), List.of(cs.user(), cs.database()));
  }
}
