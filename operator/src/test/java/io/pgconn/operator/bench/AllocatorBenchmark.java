package io.pgconn.operator.bench;

import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmark of one server's budget division, as every reconcile of a policy on a shared
 * server runs it over all of that server's policies: n one-pod auto policies (min 1, max 20), on a
 * server with max_connections 1.06 x n, the shape of {@code ScaleBenchmark}. At 1,000 policies a
 * peer's lower wakes every policy there, so this cost is paid a thousand times in a row.
 *
 * <p>Not a test. Run it with {@code mvn -B -o -pl operator -Pbench test-compile exec:exec
 * -Dbench.main=io.pgconn.operator.bench.AllocatorBenchmark} (results in docs/benchmarks/scale.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AllocatorBenchmark {

  @Param({"50", "1000"})
  int policies;

  List<BudgetPolicy> onServer;

  @Setup
  public void setUp() {
    ServerKey server = ServerKey.reported("bench");
    ServerLimits limits = new ServerLimits(policies * 106 / 100, 3, -1, -1);
    onServer = new ArrayList<>();
    for (int i = 0; i < policies; i++) {
      onServer.add(
          new BudgetPolicy(
              "scale/svc-" + i,
              server,
              "app",
              "postgres",
              0,
              new PoolSizing.Auto(1, 20, 1),
              List.of(new Consumer("Deployment", "svc-" + i, 1, 0, false)),
              limits,
              BudgetPolicy.Written.NONE,
              "[Endpoint[host=127.0.0.1, port=5432]]"));
    }
  }

  @Benchmark
  public Map<String, PoolDecision> allocate() {
    return BudgetAllocator.allocate(onServer, Map.of());
  }

  public static void main(String[] args) throws RunnerException {
    new Runner(new OptionsBuilder().include(AllocatorBenchmark.class.getName() + "\\.").build())
        .run();
  }
}
