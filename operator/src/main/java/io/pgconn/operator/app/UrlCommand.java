package io.pgconn.operator.app;

import io.pgconn.operator.api.PoolSpec;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.ConnectionStringRenderer;
import io.pgconn.operator.url.InvalidConnectionStringException;
import io.pgconn.operator.url.OutputFormat;
import io.pgconn.operator.url.OutputKeys;
import io.pgconn.operator.url.PoolSettings;
import io.pgconn.operator.url.RenderedOutput;
import io.pgconn.operator.url.SslMode;
import io.pgconn.operator.url.SslModeWeakenedException;
import io.pgconn.operator.url.TlsFloor;
import io.pgconn.operator.url.UnsupportedSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Previews what the operator would write for one output: reads a connection string on stdin (never
 * as an argument, so it stays out of shell history and process lists).
 */
@Command(
    name = "url",
    mixinStandardHelpOptions = true,
    description = "Rewrite the PostgreSQL connection string read from stdin for one client.")
public class UrlCommand implements Callable<Integer> {

  static final int BAD_INPUT = 2;

  /** Formats whose output is one URL; the others print KEY=value lines. */
  private static final Set<OutputFormat> SINGLE_VALUE =
      Set.of(OutputFormat.PRISMA, OutputFormat.LIBPQ, OutputFormat.PGX);

  @Option(
      names = "--format",
      defaultValue = "prisma",
      description =
          "prisma | prisma-adapter-pg | libpq | jdbc | pgx | node-postgres | env (default:"
              + " ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--key",
      defaultValue = "DATABASE_URL",
      description = "secret key (default: ${DEFAULT-VALUE})")
  String key;

  @Option(
      names = "--key-prefix",
      description =
          "jdbc and env: prefix of the extra keys (spec.target.outputs[].keyPrefix; jdbc default"
              + " SPRING_DATASOURCE_, env default none)")
  String keyPrefix;

  @Option(names = "--connection-limit", description = "pool size per pod")
  Integer connectionLimit;

  @Option(
      names = "--pool-timeout",
      description = "seconds to wait for a pooled connection (default 20, as a policy)")
  Integer poolTimeout;

  @Option(
      names = "--connect-timeout",
      description = "seconds to wait for a new connection (default 10, as a policy)")
  Integer connectTimeout;

  @Option(names = "--socket-timeout", description = "seconds to wait for a query's data")
  Integer socketTimeout;

  @Option(
      names = "--ssl-mode",
      description =
          "disable | allow | prefer | require | verify-ca | verify-full (default require, never"
              + " weaker than the source's unless --allow-weaker-ssl)")
  String sslMode;

  @Option(names = "--application-name", description = "application_name shown in pg_stat_activity")
  String applicationName;

  @Option(
      names = "--allow-weaker-ssl",
      description =
          "write --ssl-mode even when the source asks for stricter (spec.pool.allowWeakerSsl)")
  boolean allowWeakerSsl;

  @Option(names = "--pgbouncer", description = "the source is a transaction-mode pooler")
  boolean pgbouncer;

  @Option(
      names = "--unpooled",
      description = "direct connection, without pool settings (migrations)")
  boolean unpooled;

  private InputStream in = System.in;
  private PrintStream out = System.out;
  private PrintStream err = System.err;

  /** For tests and embedding: where the URL is read from and results/diagnostics go. */
  public void setStreams(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws IOException {
    OutputFormat outputFormat;
    SslMode requestedSsl;
    // The CRD's defaults, as the operator applies them: the preview is what a policy writes.
    PoolSpec defaults = new PoolSpec();
    try {
      outputFormat = OutputFormat.parse(format);
      requestedSsl = SslMode.parse(sslMode != null ? sslMode : defaults.getSslMode());
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return BAD_INPUT;
    }
    String input = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    RenderedOutput rendered;
    try {
      ConnectionString cs = ConnectionStringParser.parse(input);
      PoolSettings pool =
          new PoolSettings(
              connectionLimit,
              poolTimeout != null ? poolTimeout : defaults.getPoolTimeoutSeconds(),
              connectTimeout != null ? connectTimeout : defaults.getConnectTimeoutSeconds(),
              socketTimeout,
              TlsFloor.effective(cs, requestedSsl, allowWeakerSsl),
              applicationName,
              pgbouncer);
      rendered =
          ConnectionStringRenderer.render(
              cs, new OutputKeys(outputFormat, key, keyPrefix), pool, !unpooled);
    } catch (SslModeWeakenedException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return BAD_INPUT;
    } catch (InvalidConnectionStringException | UnsupportedSettingException e) {
      err.println("error: " + e.getMessage());
      return BAD_INPUT;
    }
    rendered.warnings().forEach(w -> err.println("warning: " + w));
    if (SINGLE_VALUE.contains(outputFormat)) {
      out.println(rendered.get(key));
    } else {
      rendered.entries().forEach((k, v) -> out.println(k + "=" + v));
    }
    out.flush();
    return 0;
  }
}
