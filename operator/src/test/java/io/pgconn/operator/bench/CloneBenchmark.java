package io.pgconn.operator.bench;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.app.OperatorFactory;
import io.pgconn.operator.testenv.Policies;
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
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmark of the copy JOSDK makes of a policy before each reconcile: its default (the
 * policy written to a JSON string and parsed back) against the operator's token-buffer cloner, on a
 * Ready policy with a 3 KB status. Run with C1 only, as the image runs.
 *
 * <p>Not a test. Run it with {@code mvn -B -o -pl operator -Pbench test-compile exec:exec
 * -Dbench.main=io.pgconn.operator.bench.CloneBenchmark} (results in docs/benchmarks/scale.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xms256m", "-Xmx256m", "-XX:TieredStopAtLevel=1"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CloneBenchmark {

  KubernetesSerialization serialization;
  Cloner tokenBuffer;
  PostgresConnectionPolicy policy;

  @Setup
  public void setUp() {
    serialization = new KubernetesSerialization();
    tokenBuffer = OperatorFactory.resourceCloner(serialization);
    policy = Policies.readyWithSampleStatus(serialization, spec -> {});
  }

  @Benchmark
  public PostgresConnectionPolicy jsonStringRoundTrip() {
    return serialization.clone(policy);
  }

  @Benchmark
  public PostgresConnectionPolicy tokenBuffer() {
    return tokenBuffer.clone(policy);
  }

  public static void main(String[] args) throws RunnerException {
    new Runner(new OptionsBuilder().include(CloneBenchmark.class.getSimpleName()).build()).run();
  }
}
