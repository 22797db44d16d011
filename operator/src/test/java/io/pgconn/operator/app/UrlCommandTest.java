package io.pgconn.operator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.reconciler.OperatorPreview;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UrlCommandTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    UrlCommand command = new UrlCommand();
    command.setStreams(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit = new CommandLine(command).execute(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsThePrismaUrlByDefault() {
    Run r =
        run(
            "postgresql://u:p%40ss@db:5432/app?sslmode=require\n",
            "--connection-limit", "8", "--pool-timeout", "20");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        "postgresql://u:p%40ss@db:5432/app?connect_timeout=10&connection_limit=8&pool_timeout=20"
            + "&sslmode=require\n",
        r.out());
    assertEquals("", r.err());
  }

  @Test
  void printsTheAdapterUrlAndPoolVariablesForPrisma7() {
    Run r =
        run(
            "postgresql://u:p%40ss@db:5432/app?sslmode=require&schema=x\n",
            "--format", "prisma-adapter-pg", "--connection-limit", "8", "--pool-timeout", "20");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        "DATABASE_URL=postgresql://u:p%40ss@db:5432/app?connect_timeout=10&sslmode=no-verify\n"
            + "DATABASE_URL_POOL_CONNECTION_TIMEOUT_MILLIS=20000\n"
            + "DATABASE_URL_POOL_IDLE_TIMEOUT_MILLIS=10000\n"
            + "DATABASE_URL_POOL_MAX=8\n",
        r.out());
    assertTrue(r.err().contains("new PrismaPg(config, { schema: '...' })"), r.err());
  }

  @Test
  void printsKeyValueLinesForMultiKeyFormatsAndWarningsOnStderr() {
    Run r = run("postgresql://u:pw@db/app?schema=x", "--format", "env", "--connect-timeout", "5");
    assertEquals(0, r.exit());
    assertEquals(
        "PGCONNECT_TIMEOUT=5\nPGDATABASE=app\nPGHOST=db\nPGPASSWORD=pw\nPGSSLMODE=require\nPGUSER=u\n",
        r.out());
    assertTrue(
        r.err()
            .contains(
                "warning: dropped parameter 'schema': libpq has no environment variable for it\n"),
        r.err());
  }

  @Test
  void aKeyPrefixNamesTheExtraKeysAndIsRefusedWhereItNamesNothing() {
    Run r =
        run(
            "postgresql://u:pw@h/db",
            "--format",
            "jdbc",
            "--key",
            "FLYWAY_URL",
            "--key-prefix",
            "SPRING_FLYWAY_",
            "--unpooled");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        "FLYWAY_URL=jdbc:postgresql://h/db?connectTimeout=10&password=pw&sslmode=require&user=u\n"
            + "SPRING_FLYWAY_PASSWORD=pw\n"
            + "SPRING_FLYWAY_URL=jdbc:postgresql://h/db?connectTimeout=10&sslmode=require\n"
            + "SPRING_FLYWAY_USERNAME=u\n",
        r.out());
    Run refused = run("postgresql://h/db", "--key-prefix", "X_");
    assertEquals(UrlCommand.BAD_INPUT, refused.exit());
    assertTrue(refused.err().contains("keyPrefix applies to the jdbc and env formats only"));
  }

  @Test
  void unpooledLeavesPoolSettingsOut() {
    Run r =
        run(
            "postgresql://h/db",
            "--format",
            "jdbc",
            "--key",
            "JDBC_URL",
            "--connection-limit",
            "4",
            "--pgbouncer",
            "--unpooled");
    assertEquals(0, r.exit());
    assertEquals(
        "JDBC_URL=jdbc:postgresql://h/db?connectTimeout=10&sslmode=require\n"
            + "SPRING_DATASOURCE_URL=jdbc:postgresql://h/db?connectTimeout=10&sslmode=require\n",
        r.out());
  }

  @Test
  void badInputExitsWithTwoAndTheEnginesMessageWithoutThePassword() {
    Run r = run("postgresql://u:Canary-Pa55-ZQX@h/db?sslmode=require?connection_limit=10");
    assertEquals(2, r.exit());
    assertEquals("", r.out());
    assertTrue(
        r.err().startsWith("error: second '?' in the query string at position 51: "), r.err());
    assertFalse(r.err().contains("Canary"));
  }

  /** Without options, the preview is what a policy with the CRD's defaults writes. */
  @Test
  void withoutOptionsItPreviewsWhatAPolicyWithTheDefaultsWrites() throws Exception {
    String source = "postgresql://u:pw@db:5432/app?sslmode=verify-full&sslrootcert=/ca.pem";
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("ns").build());
    policy.setSpec(new PolicySpec());
    policy.getSpec().getSource().setSecretRef(new SecretKeyRef("src", "DATABASE_URL"));
    policy.getSpec().getPool().setApplicationName("preview");
    policy
        .getSpec()
        .getTarget()
        .setOutputs(
            java.util.List.of(
                new io.pgconn.operator.api.OutputSpec(
                    SecretKeyRef.DEFAULT_KEY,
                    io.pgconn.operator.api.OutputFormatName.libpq,
                    true)));
    String written = OperatorPreview.render(policy, source, 7).get(SecretKeyRef.DEFAULT_KEY);
    Run r =
        run(
            source,
            "--format",
            "libpq",
            "--connection-limit",
            "7",
            "--application-name",
            "preview");
    assertEquals(0, r.exit(), r.err());
    assertEquals(written + "\n", r.out());
    assertTrue(written.contains("sslmode=verify-full"), written);
  }

  @Test
  void unsupportedSettingAndBadOptionsExitWithTwo() {
    assertEquals(2, run("postgresql://h/db", "--ssl-mode", "verify-full").exit());
    assertEquals(2, run("postgresql://h/db", "--format", "mysql").exit());
    assertEquals(2, run("postgresql://h/db", "--ssl-mode", "bogus").exit());
    assertEquals(2, run("postgresql://h/db", "--connection-limit", "0").exit());
  }
}
