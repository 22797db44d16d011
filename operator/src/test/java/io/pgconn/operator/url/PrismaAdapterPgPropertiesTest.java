package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Prisma 7 with @prisma/adapter-pg: the pool variables carry exactly what the policy asks, the URL
 * carries none of Prisma 6's pool parameters (the adapter ignores them), and its sslmode is the
 * node-postgres spelling of the policy's mode.
 */
class PrismaAdapterPgPropertiesTest {

  private static final String KEY = "DATABASE_URL";

  /** Prisma 6's URL-only settings, which neither pg nor the adapter reads from the URL. */
  private static final Set<String> PRISMA_ONLY =
      Set.of(
          "connection_limit",
          "pool_timeout",
          "pgbouncer",
          "schema",
          "socket_timeout",
          "statement_cache_size");

  @Provide
  Arbitrary<Integer> timeouts() {
    return Arbitraries.integers().between(0, 3600).injectNull(0.3);
  }

  @Provide
  Arbitrary<String> sources() {
    return Arbitraries.of(
        "postgresql://u:p@db.example.com:5432/app",
        "postgresql://u:p@db.example.com/app?connection_limit=99&pool_timeout=98&pgbouncer=true",
        "postgresql://u@h/app?schema=s&statement_cache_size=0&socket_timeout=5",
        "jdbc:postgresql://h:6543/app?user=u&password=p&connectTimeout=9");
  }

  @Property(tries = 300)
  void poolVariablesAreThePolicysLimitAndTimeouts(
      @ForAll("sources") String source,
      @ForAll @IntRange(min = 1, max = 10_000) int limit,
      @ForAll("timeouts") Integer poolTimeout,
      @ForAll("timeouts") Integer connectTimeout)
      throws Exception {
    PoolSettings pool =
        new PoolSettings(limit, poolTimeout, connectTimeout, null, null, null, true);
    RenderedOutput out =
        ConnectionStringRenderer.render(
            ConnectionStringParser.parse(source), OutputFormat.PRISMA_ADAPTER_PG, KEY, pool, true);
    assertEquals(Integer.toString(limit), out.get(KEY + "_POOL_MAX"));
    String sourceConnect = source.contains("connectTimeout=9") ? "9" : null;
    Integer connect = connectTimeout != null ? connectTimeout : toInt(sourceConnect);
    Integer sourcePool = source.contains("pool_timeout=98") ? 98 : null;
    Integer waited = poolTimeout != null ? poolTimeout : sourcePool;
    Integer expected = waited != null ? waited : connect;
    assertEquals(
        expected == null ? null : Long.toString(expected * 1000L),
        out.get(KEY + "_POOL_CONNECTION_TIMEOUT_MILLIS"));
    assertEquals("10000", out.get(KEY + "_POOL_IDLE_TIMEOUT_MILLIS"));
    Map<String, String> url = ConnectionStringParser.parse(out.get(KEY)).parameters();
    PRISMA_ONLY.forEach(p -> assertFalse(url.containsKey(p), p + " left in " + url.keySet()));
  }

  @Property(tries = 100)
  void sslmodeIsTheNodeSpellingOfThePolicysMode(
      @ForAll SslMode mode, @ForAll boolean withCa, @ForAll("sources") String source)
      throws Exception {
    ConnectionString cs = ConnectionStringParser.parse(source);
    if (withCa) cs = cs.withParameter("sslrootcert", "/etc/pgconn/ca.crt");
    RenderedOutput out =
        ConnectionStringRenderer.render(
            cs,
            OutputFormat.PRISMA_ADAPTER_PG,
            KEY,
            new PoolSettings(null, null, null, null, mode, null, false),
            true);
    Map<String, String> url = ConnectionStringParser.parse(out.get(KEY)).parameters();
    // The parser reads node's no-verify as libpq's require, so compare the raw query.
    String raw = out.get(KEY).replaceAll("^[^?]*\\??", "");
    String expected =
        switch (mode) {
          case DISABLE -> "sslmode=disable";
          case ALLOW, PREFER, REQUIRE -> "sslmode=no-verify";
          case VERIFY_CA -> withCa ? "sslmode=verify-ca" : "sslmode=verify-full";
          case VERIFY_FULL -> "sslmode=verify-full";
        };
    assertEquals(1, count(raw, expected), raw);
    boolean compat = mode == SslMode.VERIFY_CA && withCa;
    assertEquals(compat ? "true" : null, url.get("uselibpqcompat"), raw);
  }

  @Property(tries = 200)
  void sameAsNodePostgresWhenAPoolTimeoutIsSet(
      @ForAll("connections") ConnectionString cs, @ForAll boolean pooled) throws Exception {
    Assume.that(cs.hosts().size() == 1);
    Assume.that(cs.database() == null || !cs.database().matches("(?s).*[?#].*"));
    Map<String, String> parameters = new java.util.TreeMap<>(cs.parameters());
    parameters.remove("schema");
    ConnectionString noSchema =
        new ConnectionString(
            cs.kind(), cs.hosts(), cs.database(), cs.user(), cs.password(), parameters, null);
    PoolSettings pool = new PoolSettings(4, 12, 3, null, null, null, false);
    RenderedOutput adapter =
        ConnectionStringRenderer.render(
            noSchema, OutputFormat.PRISMA_ADAPTER_PG, KEY, pool, pooled);
    RenderedOutput node =
        ConnectionStringRenderer.render(noSchema, OutputFormat.NODE_POSTGRES, KEY, pool, pooled);
    assertEquals(node.entries(), adapter.entries());
    if (!pooled) assertNull(adapter.get(KEY + "_POOL_MAX"));
  }

  @Provide
  Arbitrary<ConnectionString> connections() {
    return Generators.connectionStrings();
  }

  private static Integer toInt(String s) {
    return s == null ? null : Integer.valueOf(s);
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (String part : haystack.split("&")) {
      if (part.equals(needle)) n++;
    }
    return n;
  }
}
