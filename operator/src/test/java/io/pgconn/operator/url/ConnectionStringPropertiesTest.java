package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ConnectionStringPropertiesTest {

  private static final List<OutputFormat> URL_FORMATS =
      List.of(
          OutputFormat.PRISMA,
          OutputFormat.LIBPQ,
          OutputFormat.JDBC,
          OutputFormat.PGX,
          OutputFormat.NODE_POSTGRES,
          OutputFormat.PRISMA_ADAPTER_PG);
  private static final String KEY = "DATABASE_URL";

  @Provide
  Arbitrary<ConnectionString> connections() {
    return Generators.connectionStrings();
  }

  @Provide
  Arbitrary<OutputFormat> urlFormats() {
    return Arbitraries.of(URL_FORMATS);
  }

  /** Prisma and node-postgres take one host, pgjdbc no Unix socket, node no '?'/'#' in names. */
  private static boolean expressible(ConnectionString cs, OutputFormat format) {
    return switch (format) {
      case PRISMA -> cs.hosts().size() == 1;
      case NODE_POSTGRES, PRISMA_ADAPTER_PG ->
          cs.hosts().size() == 1
              && (cs.database() == null || !cs.database().matches("(?s).*[?#].*"));
      case JDBC -> cs.hosts().stream().noneMatch(HostPort::isUnixSocket);
      default -> true;
    };
  }

  private static RenderedOutput render(ConnectionString cs, OutputFormat format, boolean pooled)
      throws UnsupportedSettingException {
    return ConnectionStringRenderer.render(cs, format, KEY, Generators.pool(), pooled);
  }

  @Property(tries = 400)
  void everyComponentSurvivesRenderAndParse(
      @ForAll("connections") ConnectionString cs,
      @ForAll("urlFormats") OutputFormat format,
      @ForAll boolean pooled)
      throws Exception {
    Assume.that(expressible(cs, format));
    ConnectionString back = ConnectionStringParser.parse(render(cs, format, pooled).get(KEY));
    assertEquals(cs.hosts(), back.hosts(), "hosts");
    assertEquals(cs.database(), back.database(), "database");
    assertEquals(cs.user(), back.user(), "user");
    assertEquals(cs.password(), back.password(), "password");
  }

  @Property(tries = 400)
  void renderingIsIdempotent(
      @ForAll("connections") ConnectionString cs,
      @ForAll("urlFormats") OutputFormat format,
      @ForAll boolean pooled)
      throws Exception {
    Assume.that(expressible(cs, format));
    RenderedOutput once = render(cs, format, pooled);
    RenderedOutput twice = render(ConnectionStringParser.parse(once.get(KEY)), format, pooled);
    assertEquals(once.entries(), twice.entries());
  }

  @Property(tries = 300)
  void outputDoesNotDependOnParameterOrder(
      @ForAll("connections") ConnectionString cs,
      @ForAll("urlFormatsAndEnv") OutputFormat format,
      @ForAll long seed)
      throws Exception {
    Assume.that(expressible(cs, format));
    List<Map.Entry<String, String>> entries = new ArrayList<>(cs.parameters().entrySet());
    Collections.shuffle(entries, new Random(seed));
    Map<String, String> shuffled = new LinkedHashMap<>();
    entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
    ConnectionString reordered =
        new ConnectionString(
            cs.kind(), cs.hosts(), cs.database(), cs.user(), cs.password(), shuffled, null);
    assertEquals(render(cs, format, true), render(reordered, format, true));
  }

  @Provide
  Arbitrary<OutputFormat> urlFormatsAndEnv() {
    return Arbitraries.of(OutputFormat.values());
  }

  @Property(tries = 200)
  void envCarriesTheComponentsVerbatim(@ForAll("connections") ConnectionString cs)
      throws Exception {
    Map<String, String> env = render(cs, OutputFormat.ENV, true).entries();
    assertEquals(
        String.join(",", cs.hosts().stream().map(HostPort::host).toList()), env.get("PGHOST"));
    assertEquals(cs.password(), env.get("PGPASSWORD"));
    assertEquals(cs.user(), env.get("PGUSER"));
    assertEquals(cs.database(), env.get("PGDATABASE"));
  }

  @Property(tries = 200)
  void renderedOutputNeverLeaksThePasswordOutsideTheEntries(
      @ForAll("connections") ConnectionString cs, @ForAll("urlFormatsAndEnv") OutputFormat format)
      throws Exception {
    Assume.that(expressible(cs, format));
    ConnectionString withCanary = cs.withPassword(Generators.CANARY);
    RenderedOutput out = render(withCanary, format, true);
    assertFalse(String.join("\n", out.warnings()).contains(Generators.CANARY));
    assertFalse(withCanary.toString().contains(Generators.CANARY));
  }

  // --- fuzzing the parser ---

  @Provide
  Arbitrary<String> garbage() {
    Arbitrary<String> fragment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "postgresql://",
                "postgres://",
                "jdbc:postgresql:",
                "jdbc:postgresql://",
                "prisma://",
                "prisma+postgres://",
                "mysql://",
                "@",
                ":",
                "/",
                "?",
                "&",
                "=",
                "%",
                "%2",
                "%zz",
                "%00",
                "%C3",
                "%2F",
                "[",
                "]",
                "[::1]",
                ",",
                "'",
                "\\",
                " ",
                "\t",
                "+",
                "#",
                "host=",
                "port=",
                "password=",
                "user=",
                "sslmode=",
                "ssl=true",
                "connection_limit=",
                "conection_limit=",
                "65536",
                "5432",
                "-1",
                "\u0000",
                "😀",
                "\ud800",
                Generators.CANARY),
            Arbitraries.strings().ofMaxLength(4));
    return fragment.list().ofMaxSize(14).map(l -> String.join("", l));
  }

  @Property(tries = 3000)
  void parsingGarbageOnlyEverThrowsInvalidConnectionString(@ForAll("garbage") String input) {
    try {
      ConnectionString cs = ConnectionStringParser.parseUnguarded(input);
      assertFalse(
          cs.toString().contains(Generators.CANARY) && Generators.CANARY.equals(cs.password()));
    } catch (InvalidConnectionStringException e) {
      assertFalse(e.getMessage().contains(Generators.CANARY), e.getMessage());
    }
  }

  @Property(tries = 1000)
  void parsingAnyStringOnlyEverThrowsInvalidConnectionString(@ForAll String input) {
    try {
      ConnectionStringParser.parseUnguarded(input);
    } catch (InvalidConnectionStringException e) {
      assertFalse(e.getMessage().contains(input) && input.length() > 8, e.getMessage());
    }
  }

  @Property(tries = 500)
  void canaryPasswordInAValidUrlNeverReachesAnErrorMessage(
      @ForAll("garbage") String before, @ForAll("garbage") String after) {
    String input = "postgresql://u:" + Generators.CANARY + before + "@h/db?" + after;
    try {
      ConnectionStringParser.parseUnguarded(input);
    } catch (InvalidConnectionStringException e) {
      assertFalse(e.getMessage().contains(Generators.CANARY), e.getMessage());
      assertFalse(e.getMessage().contains("Canary"), e.getMessage());
    }
  }
}
