package io.pgconn.operator.chart;

import io.pgconn.operator.chart.StormArm.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection-storm benchmark redone with real pods (docs/benchmarks/connection-storm.md, "Real
 * pods"): on a PostgreSQL 16 with max_connections 50, three Deployments of the demo app, 4 replicas
 * and maxSurge 1 each, rolled at the same moment, once with the operator's limits (the chart's
 * operator, one policy per app, the pods read the tuned Secret) and once with Prisma's default pool
 * size (connection_limit = 2 x 4 CPUs + 1 = 9, given to the same pods as pool_max_conns=9). It
 * prints a Markdown table of what the server and the pods saw.
 *
 * <p>A benchmark, not a test: it asserts nothing about the figures, and no build runs it (its name
 * matches none of failsafe's includes). Run it with {@code mvn -pl operator -Preal-node verify
 * -Dit.test=ConnectionStormRealPodsBenchmark}; about 5 minutes on 2 cores.
 */
@Tag("real-node")
class ConnectionStormRealPodsBenchmark {

  private static final Duration ROLL_DEADLINE = Duration.ofMinutes(2);

  @TempDir static Path scratch;

  @Test
  void operatorLimitsVersusPrismasDefaultOnRealPods() {
    try (ChartOnRealNode env = ChartOnRealNode.install(scratch, 1)) {
      env.awaitOperatorsReady(1);
      Result withDefault;
      try (StormArm prisma = new StormArm(env, "storm-default", 9)) {
        withDefault = prisma.run(ROLL_DEADLINE);
        System.err.println("ConnectionStormRealPodsBenchmark: " + withDefault);
        prisma.tearDown();
      }
      Result withOperator;
      try (StormArm operator = new StormArm(env, "storm-operator", null)) {
        withOperator = operator.run(ROLL_DEADLINE);
      }
      String table = table(List.of(withOperator, withDefault));
      System.out.println(table);
      System.err.println("ConnectionStormRealPodsBenchmark, PostgreSQL " + env.pg().version());
      System.err.println(table);
      for (Result r : List.of(withOperator, withDefault)) {
        System.err.printf(
            "%s: limits while starting %s; at most %d sessions while starting%n",
            r.side(), r.limitHistory(), r.setupMaxSessions());
      }
    }
  }

  private static String table(List<Result> results) {
    StringBuilder out =
        new StringBuilder(
            """
            | pool limits | pods at once | slots wanted | steady: sessions / pods Ready | \
            max sessions during the roll | roll of all three | new pods Ready | \
            connection errors logged by pods (pods) | 53300 refusals in the server log \
            (too many clients / reserved slots) |
            |---|---|---|---|---|---|---|---|---|
            """);
    int pods = StormArm.APPS.size() * StormArm.REPLICAS;
    for (Result r : results) {
      String limits =
          r.limits().entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue())
              .collect(Collectors.joining(", "));
      String roll =
          (r.rollCompleted() ? "complete in " : "not complete after ")
              + r.roll().toSeconds()
              + " s";
      out.append(
          "| %s: %s | %d | %d | %d / %d of %d | %d | %s | %d of %d | %d (%d) | %d / %d |%n"
              .formatted(
                  r.side(),
                  limits,
                  r.podsAtOnce(),
                  r.wanted(),
                  r.steadySessions(),
                  r.steadyReady(),
                  pods,
                  r.maxSessionsDuringRoll(),
                  roll,
                  r.newPodsReady(),
                  pods,
                  r.appErrorLines(),
                  r.podsWithErrors(),
                  r.refusedTooMany(),
                  r.refusedReserved()));
    }
    return out.toString();
  }
}
