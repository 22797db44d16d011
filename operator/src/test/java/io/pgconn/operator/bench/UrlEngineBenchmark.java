package io.pgconn.operator.bench;

import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.ConnectionStringRenderer;
import io.pgconn.operator.url.OutputFormat;
import io.pgconn.operator.url.PoolSettings;
import io.pgconn.operator.url.RenderedOutput;
import io.pgconn.operator.url.SslMode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmarks of the connection-string engine: parsing (URI and keyword/value) and
 * rendering, as the reconciler does once per policy and output on every reconcile.
 *
 * <p>Not a test (the name matches neither surefire's nor failsafe's patterns), so {@code mvn
 * verify} never runs it. Run it with {@code mvn -B -o -pl operator -Pbench test-compile exec:exec}
 * (see docs/benchmarks/url-engine.md), or {@link #main} from an IDE.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class UrlEngineBenchmark {

  /** A typical managed-database URL: encoded password, TLS, a timeout and an app name. */
  String uri =
      "postgresql://app_user:s3cr%40t%2Fpw@db.example.com:5432/appdb"
          + "?sslmode=require&connect_timeout=10&application_name=web";

  /** The same as libpq keyword/value pairs, with a quoted value. */
  String keywordValue =
      "host=db.example.com port=5432 dbname=appdb user=app_user"
          + " password='s3cr@t/pw' sslmode=require connect_timeout=10 application_name=web";

  PoolSettings pool = new PoolSettings(10, 15, 5, 30, SslMode.REQUIRE, "web", false);

  ConnectionString parsed;

  @Setup
  public void setUp() throws Exception {
    parsed = ConnectionStringParser.parse(uri);
    // Fail fast if the inputs stop being valid (a benchmark of an exception path is useless).
    ConnectionStringParser.parse(keywordValue);
    for (OutputFormat f : OutputFormat.values()) {
      ConnectionStringRenderer.render(parsed, f, "DATABASE_URL", pool, true);
    }
  }

  @Benchmark
  public ConnectionString parseUri() throws Exception {
    return ConnectionStringParser.parse(uri);
  }

  @Benchmark
  public ConnectionString parseKeywordValue() throws Exception {
    return ConnectionStringParser.parse(keywordValue);
  }

  @Benchmark
  public RenderedOutput renderPrisma() throws Exception {
    return ConnectionStringRenderer.render(parsed, OutputFormat.PRISMA, "DATABASE_URL", pool, true);
  }

  @Benchmark
  public RenderedOutput renderJdbc() throws Exception {
    return ConnectionStringRenderer.render(parsed, OutputFormat.JDBC, "DATABASE_URL", pool, true);
  }

  /** One policy's worth of work: parse the source, write every format. */
  @Benchmark
  public void parseAndRenderAllFormats(Blackhole bh) throws Exception {
    ConnectionString cs = ConnectionStringParser.parse(uri);
    for (OutputFormat f : OutputFormat.values()) {
      bh.consume(ConnectionStringRenderer.render(cs, f, "DATABASE_URL", pool, true));
    }
  }

  public static void main(String[] args) throws RunnerException {
    Options options =
        new OptionsBuilder().include(UrlEngineBenchmark.class.getName() + "\\.").build();
    new Runner(options).run();
  }
}
