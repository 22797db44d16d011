package io.pgconn.operator.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Two outputs in one Secret must never write the same key, whatever the source holds: the keys an
 * output may write are decided by its format, key and keyPrefix alone, and every name a writer
 * really writes is among them.
 */
class OutputKeysTest {

  private static java.util.Optional<String> collision(List<OutputKeys> outputs) {
    return OutputKeys.collision(outputs, "outputs");
  }

  private static final String FULL_SOURCE =
      "postgresql://u:pw@db:5432/app?sslmode=verify-full&sslrootcert=%2Fca.pem&sslcert=%2Fc.pem"
          + "&sslkey=%2Fk.pem&application_name=a&connect_timeout=3&options=-c%20x%3Dy"
          + "&target_session_attrs=read-write";
  private static final PoolSettings POOL =
      new PoolSettings(10, 20, 5, 30, SslMode.VERIFY_FULL, "svc", false);

  @Test
  void aPooledAndAnUnpooledJdbcOutputComposeWithAKeyPrefix() throws Exception {
    ConnectionString cs = ConnectionStringParser.parse(FULL_SOURCE);
    OutputKeys app = OutputKeys.of(OutputFormat.JDBC, "JDBC_URL");
    OutputKeys flyway = new OutputKeys(OutputFormat.JDBC, "FLYWAY_JDBC_URL", "FLYWAY_DATASOURCE_");
    assertThat(collision(List.of(app, flyway))).isEmpty();

    RenderedOutput pooled = ConnectionStringRenderer.render(cs, app, POOL, true);
    RenderedOutput direct = ConnectionStringRenderer.render(cs, flyway, POOL, false);
    assertThat(pooled.entries().keySet())
        .containsExactlyInAnyOrder(
            "JDBC_URL",
            "SPRING_DATASOURCE_URL",
            "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD",
            "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE",
            "SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT");
    assertThat(direct.entries().keySet())
        .containsExactlyInAnyOrder(
            "FLYWAY_JDBC_URL",
            "FLYWAY_DATASOURCE_URL",
            "FLYWAY_DATASOURCE_USERNAME",
            "FLYWAY_DATASOURCE_PASSWORD");
    assertThat(direct.get("FLYWAY_DATASOURCE_URL")).doesNotContain("password");
    assertThat(direct.get("FLYWAY_DATASOURCE_PASSWORD")).isEqualTo("pw");
  }

  @Test
  void theDefaultPrefixRendersExactlyAsBefore() throws Exception {
    ConnectionString cs =
        ConnectionStringParser.parse("postgresql://u:pw@db:5432/app?application_name=a");
    PoolSettings require = new PoolSettings(10, 20, 5, 30, SslMode.REQUIRE, "svc", false);
    for (OutputFormat format : OutputFormat.values()) {
      String key = format == OutputFormat.ENV ? null : "DATABASE_URL";
      RenderedOutput named =
          ConnectionStringRenderer.render(cs, new OutputKeys(format, key, null), require, true);
      RenderedOutput legacy =
          ConnectionStringRenderer.render(cs, format, "DATABASE_URL", require, true);
      assertThat(named.entries()).as(format.spelling()).isEqualTo(legacy.entries());
    }
  }

  @Test
  void twoJdbcOutputsWithTheDefaultPrefixCollideAndTheMessageSaysHowToFixIt() {
    String message =
        collision(
                List.of(
                    OutputKeys.of(OutputFormat.JDBC, "JDBC_URL"),
                    OutputKeys.of(OutputFormat.PRISMA, "DATABASE_URL"),
                    OutputKeys.of(OutputFormat.JDBC, "FLYWAY_URL")))
            .orElseThrow();
    assertThat(message)
        .startsWith(
            "outputs[0] (jdbc, key JDBC_URL) and outputs[2] (jdbc, key FLYWAY_URL) would both"
                + " write the key SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT: set keyPrefix on"
                + " one of them")
        .contains("<keyPrefix>HIKARI_CONNECTION_TIMEOUT")
        .contains("keyPrefix SPRING_DATASOURCE_ by default");
  }

  @Test
  void collisionsAreFoundWhateverTheSourceHolds() {
    // An unpooled jdbc output never writes the HIKARI keys, yet the names are its: a prisma key
    // named like one would collide as soon as the output is pooled.
    assertThat(
            collision(
                List.of(
                    new OutputKeys(OutputFormat.JDBC, "JDBC_URL", "APP_"),
                    OutputKeys.of(OutputFormat.PRISMA, "APP_HIKARI_MAXIMUM_POOL_SIZE"))))
        .hasValueSatisfying(m -> assertThat(m).contains("APP_HIKARI_MAXIMUM_POOL_SIZE"));
  }

  @Test
  void sameKeyTwiceAsksForOwnKeys() {
    assertThat(
            collision(
                List.of(
                    OutputKeys.of(OutputFormat.PRISMA, "URL"),
                    OutputKeys.of(OutputFormat.LIBPQ, "URL"))))
        .contains(
            "outputs[0] (prisma, key URL) and outputs[1] (libpq, key URL) would both write the"
                + " key URL: give each output its own key");
  }

  @Test
  void envOutputsComposeOnlyWithDifferentPrefixes() {
    assertThat(
            collision(
                List.of(
                    new OutputKeys(OutputFormat.ENV, null, null),
                    new OutputKeys(OutputFormat.ENV, null, "DIRECT_"))))
        .isEmpty();
    assertThat(
            collision(
                List.of(
                    new OutputKeys(OutputFormat.ENV, "IGNORED", null),
                    OutputKeys.of(OutputFormat.PRISMA, "PGPASSWORD"))))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith("outputs[0] (env) and outputs[1] (prisma, key PGPASSWORD)")
                    .contains("keyPrefix empty by default"));
  }

  @Test
  void anEnvOutputNeedsNoKeyAndPrefixesEveryVariable() throws Exception {
    RenderedOutput out =
        ConnectionStringRenderer.render(
            ConnectionStringParser.parse("postgresql://u:pw@db:5433/app?application_name=a"),
            new OutputKeys(OutputFormat.ENV, null, "DIRECT_"),
            PoolSettings.NONE,
            false);
    assertThat(out.entries())
        .containsOnlyKeys(
            "DIRECT_PGHOST",
            "DIRECT_PGPORT",
            "DIRECT_PGDATABASE",
            "DIRECT_PGUSER",
            "DIRECT_PGPASSWORD",
            "DIRECT_PGAPPNAME");
    assertThat(out.get("DIRECT_PGPORT")).isEqualTo("5433");
  }

  @Test
  void nodePostgresPoolVariablesAreItsKeys() {
    assertThat(
            collision(
                List.of(
                    OutputKeys.of(OutputFormat.NODE_POSTGRES, "DB"),
                    OutputKeys.of(OutputFormat.PRISMA, "DB_POOL_MAX"))))
        .hasValueSatisfying(m -> assertThat(m).contains("rename one of the two keys"));
  }

  @Test
  void prismaAdapterPgPoolVariablesAreItsKeys() {
    assertThat(OutputKeys.of(OutputFormat.PRISMA_ADAPTER_PG, "DB").possible())
        .containsExactly(
            "DB",
            "DB_POOL_CONNECTION_TIMEOUT_MILLIS",
            "DB_POOL_IDLE_TIMEOUT_MILLIS",
            "DB_POOL_MAX");
    assertThat(
            collision(
                List.of(
                    OutputKeys.of(OutputFormat.PRISMA, "DB_POOL_MAX"),
                    OutputKeys.of(OutputFormat.PRISMA_ADAPTER_PG, "DB"))))
        .hasValueSatisfying(
            m -> assertThat(m).contains("prisma-adapter-pg writes DB_POOL_MAX after its key DB"));
    assertThatThrownBy(() -> new OutputKeys(OutputFormat.PRISMA_ADAPTER_PG, "URL", "X_"))
        .hasMessageContaining("names its extra keys after key");
  }

  @Test
  void aKeyIsRequiredExceptForEnvAndAPrefixOnlyWhereItNamesSomething() {
    assertThat(new OutputKeys(OutputFormat.ENV, null, "X_").possible()).contains("X_PGHOST");
    assertThatThrownBy(() -> new OutputKeys(OutputFormat.JDBC, null, null))
        .hasMessageContaining("format jdbc needs a key");
    assertThatThrownBy(() -> new OutputKeys(OutputFormat.PRISMA, "URL", "X_"))
        .hasMessageContaining("keyPrefix applies to the jdbc and env formats only");
    assertThatThrownBy(() -> new OutputKeys(OutputFormat.NODE_POSTGRES, "URL", "X_"))
        .hasMessageContaining("names its extra keys after key");
  }

  /** Every key any writer wrote, from a source that sets every setting, is a possible key. */
  @Test
  void everyWrittenKeyIsAPossibleKey() throws Exception {
    ConnectionString cs = ConnectionStringParser.parse(FULL_SOURCE);
    for (OutputFormat format : OutputFormat.values()) {
      for (String prefix : new String[] {null, "P_"}) {
        if (prefix != null && format != OutputFormat.JDBC && format != OutputFormat.ENV) continue;
        OutputKeys names = new OutputKeys(format, format == OutputFormat.ENV ? null : "K", prefix);
        Set<String> written = new TreeSet<>();
        for (boolean pooled : new boolean[] {true, false}) {
          try {
            written.addAll(
                ConnectionStringRenderer.render(cs, names, POOL, pooled).entries().keySet());
          } catch (UnsupportedSettingException e) {
            // Prisma refuses verify-full; its only key is K anyway.
            written.add("K");
          }
        }
        assertThat(names.possible()).as(names.describe()).containsAll(written);
      }
    }
  }
}
