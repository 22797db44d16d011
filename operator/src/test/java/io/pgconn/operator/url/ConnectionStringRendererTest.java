package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConnectionStringRendererTest {

  private static final String SOURCE =
      "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?sslmode=prefer&schema=s1";
  private static final PoolSettings POOL =
      new PoolSettings(10, 20, 5, 30, SslMode.REQUIRE, "shop-backend", false);

  private static RenderedOutput render(
      String source, OutputFormat format, PoolSettings pool, boolean pooled) throws Exception {
    return ConnectionStringRenderer.render(
        ConnectionStringParser.parse(source), format, "DATABASE_URL", pool, pooled);
  }

  private static String url(String source, OutputFormat format, PoolSettings pool, boolean pooled)
      throws Exception {
    return render(source, format, pool, pooled).get("DATABASE_URL");
  }

  @Test
  void prismaGetsPoolSettingsAndKeepsOtherSourceParameters() throws Exception {
    assertEquals(
        "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
            + "&connect_timeout=5&connection_limit=10&pool_timeout=20&schema=s1&socket_timeout=30&sslmode=require",
        url(SOURCE, OutputFormat.PRISMA, POOL, true));
  }

  @Test
  void prismaPgbouncerAndUnpooled() throws Exception {
    PoolSettings bouncer = new PoolSettings(10, null, null, null, null, null, true);
    assertEquals(
        "postgresql://h/db?connection_limit=10&pgbouncer=true",
        url("postgresql://h/db", OutputFormat.PRISMA, bouncer, true));
    assertEquals(
        "postgresql://h/db",
        url(
            "postgresql://h/db?connection_limit=3&pool_timeout=1&pgbouncer=true",
            OutputFormat.PRISMA,
            bouncer,
            false));
  }

  @Test
  void prismaRefusesTlsModesItWouldSilentlyDowngrade() {
    for (SslMode mode : List.of(SslMode.VERIFY_CA, SslMode.VERIFY_FULL, SslMode.ALLOW)) {
      UnsupportedSettingException e =
          assertThrows(
              UnsupportedSettingException.class,
              () ->
                  render(
                      "postgresql://h/db",
                      OutputFormat.PRISMA,
                      new PoolSettings(null, null, null, null, mode, null, false),
                      true));
      assertTrue(e.getMessage().contains("treats it as prefer"), e.getMessage());
    }
    assertThrows(
        UnsupportedSettingException.class,
        () ->
            render(
                "postgresql://h/db?sslmode=verify-full",
                OutputFormat.PRISMA,
                PoolSettings.NONE,
                true));
    assertThrows(
        UnsupportedSettingException.class,
        () -> render("postgresql://a,b/db", OutputFormat.PRISMA, PoolSettings.NONE, true));
  }

  @Test
  void prismaPutsUnixSocketsInTheHostParameter() throws Exception {
    assertEquals(
        "postgresql://u:p@localhost/db?host=%2Fvar%2Frun%2Fpostgresql",
        url(
            "postgresql://u:p@%2Fvar%2Frun%2Fpostgresql/db",
            OutputFormat.PRISMA, PoolSettings.NONE, true));
  }

  @Test
  void libpqKeepsOnlyLibpqKeywordsAndWarnsAboutTheRest() throws Exception {
    RenderedOutput out =
        render(
            SOURCE + "&connection_limit=4&target_session_attrs=read-write",
            OutputFormat.LIBPQ,
            POOL,
            true);
    assertEquals(
        "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
            + "&connect_timeout=5&sslmode=require&target_session_attrs=read-write",
        out.get("DATABASE_URL"));
    assertEquals(
        List.of(
            "dropped parameter 'connection_limit': libpq has no pool setting for it in the connection string",
            "dropped parameter 'pool_timeout': libpq has no pool setting for it in the connection string",
            "dropped parameter 'schema': libpq rejects unknown parameters",
            "dropped parameter 'socket_timeout': libpq has no socket timeout (tcp_user_timeout or keepalives are the nearest libpq settings)"),
        out.warnings());
    assertTrue(
        render(SOURCE, OutputFormat.LIBPQ, POOL, false).warnings().stream()
            .noneMatch(w -> w.contains("pool_timeout")),
        "unpooled output drops pool settings silently: that is what was asked");
  }

  @Test
  void jdbcWritesCredentialsInTheQueryAndSpringVariables() throws Exception {
    RenderedOutput out =
        render(
            SOURCE,
            OutputFormat.JDBC,
            new PoolSettings(10, 20, 5, 30, SslMode.VERIFY_FULL, "shop-backend", true),
            true);
    Map<String, String> expected = new TreeMap<>();
    expected.put(
        "DATABASE_URL",
        "jdbc:postgresql://db.example.com:5432/shop?ApplicationName=shop-backend&connectTimeout=5"
            + "&password=p%40ss%20w%C3%B6rd&prepareThreshold=0&socketTimeout=30&sslmode=verify-full&user=app");
    expected.put(
        "SPRING_DATASOURCE_URL",
        "jdbc:postgresql://db.example.com:5432/shop?ApplicationName=shop-backend"
            + "&connectTimeout=5&prepareThreshold=0&socketTimeout=30&sslmode=verify-full");
    expected.put("SPRING_DATASOURCE_USERNAME", "app");
    expected.put("SPRING_DATASOURCE_PASSWORD", "p@ss wörd");
    expected.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "10");
    expected.put("SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT", "20000");
    assertEquals(expected, out.entries());
    assertEquals(List.of("dropped parameter 'schema': pgjdbc does not read it"), out.warnings());
  }

  @Test
  void jdbcUnpooledHasNoPoolKeys() throws Exception {
    RenderedOutput out =
        render(
            SOURCE,
            OutputFormat.JDBC,
            new PoolSettings(10, 20, null, null, null, null, true),
            false);
    assertFalse(out.entries().containsKey("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE"));
    assertFalse(out.entries().containsKey("SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT"));
    assertFalse(out.get("DATABASE_URL").contains("prepareThreshold"));
  }

  @Test
  void jdbcTranslatesTargetSessionAttrs() throws Exception {
    assertEquals(
        "jdbc:postgresql://a,b/db?targetServerType=primary",
        url(
            "postgresql://a,b/db?target_session_attrs=read-write",
            OutputFormat.JDBC,
            PoolSettings.NONE,
            true));
    assertEquals(
        "jdbc:postgresql://a,b/db?targetServerType=preferSecondary",
        url(
            "postgresql://a,b/db?target_session_attrs=prefer-standby",
            OutputFormat.JDBC,
            PoolSettings.NONE,
            true));
  }

  @Test
  void jdbcRefusesUnixSockets() {
    assertThrows(
        UnsupportedSettingException.class,
        () -> render("postgresql:///db?host=/tmp", OutputFormat.JDBC, PoolSettings.NONE, true));
  }

  @Test
  void pgxUsesPoolMaxConnsAndDropsWhatItWouldSendToTheServer() throws Exception {
    RenderedOutput out =
        render(SOURCE + "&pool_max_conn_lifetime=30m", OutputFormat.PGX, POOL, true);
    assertEquals(
        "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
            + "&connect_timeout=5&pool_max_conn_lifetime=30m&pool_max_conns=10&sslmode=require",
        out.get("DATABASE_URL"));
    assertTrue(
        out.warnings()
            .contains(
                "dropped parameter 'schema': pgx would send it to the server as a setting, which fails for unknown names"));
    assertEquals(
        "postgresql://h/db?default_query_exec_mode=simple_protocol&pool_max_conns=3",
        url(
            "postgresql://h/db",
            OutputFormat.PGX,
            new PoolSettings(3, null, null, null, null, null, true),
            true));
    assertEquals(
        "postgresql://h/db",
        url(
            "postgresql://h/db?pool_max_conns=3&pool_max_conn_lifetime=1h",
            OutputFormat.PGX,
            new PoolSettings(3, null, null, null, null, null, true),
            false));
  }

  @Test
  void prismaAdapterPgWritesNodeUrlAndPoolVariablesNotPrismaParameters() throws Exception {
    RenderedOutput out = render(SOURCE, OutputFormat.PRISMA_ADAPTER_PG, POOL, true);
    assertEquals(
        Map.of(
            "DATABASE_URL",
                "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
                    + "&connect_timeout=5&sslmode=no-verify",
            "DATABASE_URL_POOL_MAX", "10",
            "DATABASE_URL_POOL_CONNECTION_TIMEOUT_MILLIS", "20000",
            "DATABASE_URL_POOL_IDLE_TIMEOUT_MILLIS", "10000"),
        out.entries());
    assertTrue(
        out.warnings().stream().anyMatch(w -> w.contains("'schema'") && w.contains("PrismaPg")),
        () -> "schema is named with where it goes instead: " + out.warnings());
    // Prisma 6 bounded the wait by connect_timeout; pg's default 0 would wait forever.
    assertEquals(
        "7000",
        render(
                "postgresql://h/db",
                OutputFormat.PRISMA_ADAPTER_PG,
                new PoolSettings(3, null, 7, null, null, null, false),
                true)
            .get("DATABASE_URL_POOL_CONNECTION_TIMEOUT_MILLIS"));
    assertEquals(
        "0",
        render(
                "postgresql://h/db?pool_timeout=0",
                OutputFormat.PRISMA_ADAPTER_PG,
                new PoolSettings(3, null, 7, null, null, null, false),
                true)
            .get("DATABASE_URL_POOL_CONNECTION_TIMEOUT_MILLIS"),
        "pool_timeout=0 (wait forever) is pg's 0, and wins over connect_timeout");
    assertEquals(
        "postgresql://h/db?sslmode=no-verify",
        url(
            "postgresql://h/db?sslmode=require&pgbouncer=true&connection_limit=4",
            OutputFormat.PRISMA_ADAPTER_PG,
            PoolSettings.NONE,
            true),
        "require is node's no-verify; pgbouncer and connection_limit are not URL settings here");
    assertEquals(
        "postgresql://h/db?sslmode=verify-full",
        url(
            "postgresql://h/db?sslmode=verify-full",
            OutputFormat.PRISMA_ADAPTER_PG,
            PoolSettings.NONE,
            true),
        "verify-full, which Prisma 6 cannot enforce, is kept for the adapter");
    assertEquals(
        "postgresql://h/db?sslmode=verify-ca&sslrootcert=%2Fca.pem&uselibpqcompat=true",
        url(
            "postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem",
            OutputFormat.PRISMA_ADAPTER_PG,
            PoolSettings.NONE,
            true));
    assertEquals(
        Map.of("DATABASE_URL", "postgresql://h/db?connect_timeout=7"),
        render(
                "postgresql://h/db",
                OutputFormat.PRISMA_ADAPTER_PG,
                new PoolSettings(5, 3, 7, null, null, null, false),
                false)
            .entries(),
        "unpooled (migrations): no pool variables at all");
    UnsupportedSettingException twoHosts =
        assertThrows(
            UnsupportedSettingException.class,
            () ->
                render(
                    "postgresql://h1,h2/db",
                    OutputFormat.PRISMA_ADAPTER_PG,
                    PoolSettings.NONE,
                    true));
    assertTrue(twoHosts.getMessage().startsWith("@prisma/adapter-pg"), twoHosts.getMessage());
    assertEquals(OutputFormat.PRISMA_ADAPTER_PG, OutputFormat.parse("prisma-adapter-pg"));
  }

  @Test
  void prismaFormatIsUnchangedByTheAdapterFormat() throws Exception {
    assertEquals(
        "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
            + "&connect_timeout=5&connection_limit=10&pool_timeout=20&schema=s1&socket_timeout=30"
            + "&sslmode=require",
        url(SOURCE, OutputFormat.PRISMA, POOL, true));
  }

  @Test
  void nodePostgresGetsPoolVariablesAndNodeTlsSpelling() throws Exception {
    RenderedOutput out = render(SOURCE, OutputFormat.NODE_POSTGRES, POOL, true);
    assertEquals(
        Map.of(
            "DATABASE_URL",
                "postgresql://app:p%40ss%20w%C3%B6rd@db.example.com:5432/shop?application_name=shop-backend"
                    + "&connect_timeout=5&sslmode=no-verify",
            "DATABASE_URL_POOL_MAX", "10",
            "DATABASE_URL_POOL_CONNECTION_TIMEOUT_MILLIS", "20000",
            "DATABASE_URL_POOL_IDLE_TIMEOUT_MILLIS", "10000"),
        out.entries());
    assertEquals(
        "postgresql://h/a/b%20c?sslmode=verify-full",
        url(
            "postgresql://h/a%2Fb%20c?sslmode=verify-full",
            OutputFormat.NODE_POSTGRES, PoolSettings.NONE, false));
    assertEquals(
        "postgresql://h/db?sslmode=verify-full",
        url(
            "postgresql://h/db?sslmode=verify-ca",
            OutputFormat.NODE_POSTGRES,
            PoolSettings.NONE,
            false));
    assertEquals(
        "postgresql://h/db?sslmode=verify-ca&sslrootcert=%2Fca.pem&uselibpqcompat=true",
        url(
            "postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem",
            OutputFormat.NODE_POSTGRES,
            PoolSettings.NONE,
            false));
    RenderedOutput prefer =
        render(
            "postgresql://h/db?sslmode=prefer",
            OutputFormat.NODE_POSTGRES,
            PoolSettings.NONE,
            false);
    assertEquals("postgresql://h/db?sslmode=no-verify", prefer.get("DATABASE_URL"));
    assertEquals(1, prefer.warnings().size());
    assertEquals(
        "postgresql://h/db?sslmode=disable",
        url(
            "postgresql://h/db?sslmode=disable",
            OutputFormat.NODE_POSTGRES,
            PoolSettings.NONE,
            false));
    assertEquals(
        Map.of("DATABASE_URL", "postgresql://h/db"),
        render(
                "postgresql://h/db",
                OutputFormat.NODE_POSTGRES,
                new PoolSettings(5, 3, null, null, null, null, false),
                false)
            .entries(),
        "unpooled: no pool variables at all");
    assertThrows(
        UnsupportedSettingException.class,
        () -> render("postgresql://h/d%3Fb", OutputFormat.NODE_POSTGRES, PoolSettings.NONE, true));
  }

  @Test
  void envWritesOnlyVariablesWithAValue() throws Exception {
    RenderedOutput out =
        render(
            "postgresql://u:p%3Aw@[::1]:5433,h2/db?application_name=a&connection_limit=2",
            OutputFormat.ENV, PoolSettings.NONE, true);
    assertEquals(
        Map.of(
            "PGHOST",
            "::1,h2",
            "PGPORT",
            "5433,",
            "PGDATABASE",
            "db",
            "PGUSER",
            "u",
            "PGPASSWORD",
            "p:w",
            "PGAPPNAME",
            "a"),
        out.entries());
    assertEquals(
        List.of("dropped parameter 'connection_limit': libpq has no environment variable for it"),
        out.warnings());
    assertEquals(
        Map.of("PGHOST", "h", "PGSSLMODE", "verify-full", "PGCONNECT_TIMEOUT", "7"),
        render(
                "host=h",
                OutputFormat.ENV,
                new PoolSettings(null, null, 7, null, SslMode.VERIFY_FULL, null, false),
                true)
            .entries());
  }

  @Test
  void accelerateIsPassedThroughForPrismaOnly() throws Exception {
    String url = "prisma://accelerate.prisma-data.net/?api_key=KEY";
    RenderedOutput out = render(url, OutputFormat.PRISMA, POOL, true);
    assertEquals(Map.of("DATABASE_URL", url), out.entries());
    assertEquals(1, out.warnings().size());
    for (OutputFormat f :
        List.of(
            OutputFormat.LIBPQ,
            OutputFormat.JDBC,
            OutputFormat.PGX,
            OutputFormat.NODE_POSTGRES,
            OutputFormat.ENV)) {
      UnsupportedSettingException e =
          assertThrows(UnsupportedSettingException.class, () -> render(url, f, POOL, true));
      assertTrue(e.getMessage().contains("spec.source.directSecretRef"), e.getMessage());
      assertFalse(e.getMessage().contains("KEY"));
    }
  }

  @Test
  void translatesJdbcNamesForOtherClients() throws Exception {
    assertEquals(
        "postgresql://u:p@h:5432/db?application_name=x&connect_timeout=3",
        url(
            "jdbc:postgresql://h:5432/db?user=u&password=p&connectTimeout=3&ApplicationName=x",
            OutputFormat.LIBPQ,
            PoolSettings.NONE,
            true));
    assertEquals(
        "jdbc:postgresql://h:5432/db?connectTimeout=3&password=p&user=u",
        url(
            "postgresql://u:p@h:5432/db?connect_timeout=3",
            OutputFormat.JDBC,
            PoolSettings.NONE,
            true));
  }

  @Test
  void warningsAndToStringNeverContainThePassword() throws Exception {
    for (OutputFormat f :
        List.of(
            OutputFormat.PRISMA,
            OutputFormat.LIBPQ,
            OutputFormat.JDBC,
            OutputFormat.PGX,
            OutputFormat.NODE_POSTGRES,
            OutputFormat.ENV)) {
      RenderedOutput out =
          render("postgresql://u:Canary-Pa55-ZQX@h/db?foo=1&sslmode=prefer", f, POOL, true);
      assertTrue(out.warnings().stream().noneMatch(w -> w.contains("Canary")));
      assertFalse(out.toString().contains("Canary"));
    }
  }

  @Test
  void formatAndSslModeParse() {
    assertEquals(OutputFormat.NODE_POSTGRES, OutputFormat.parse("node-postgres"));
    assertEquals(OutputFormat.ENV, OutputFormat.parse("env"));
    assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("mysql"));
    assertEquals(SslMode.VERIFY_FULL, SslMode.parse("verify-full"));
    assertEquals("verify-ca", SslMode.VERIFY_CA.wire());
    assertThrows(IllegalArgumentException.class, () -> SslMode.parse("bogus"));
  }
}
