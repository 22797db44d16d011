package io.pgconn.operator.scale;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.ServiceAccounts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's benchmark: N policies (-Dscale.policies, default 100) on one PostgreSQL 16 with
 * max_connections 1,100 (N + 100 above 1,000), or spread over -Dscale.servers PostgreSQL 16 servers
 * (policy i on server i mod servers, each with its share + 100 slots, at least 1,100), the operator
 * as a ServiceAccount on the local control plane, its requests counted from the audit log, at rest
 * for -Dscale.atRestSeconds (default 60), probed every -Dscale.probe (default 5m), the sources of
 * -Dscale.rotations policies (default 50) rotated one at a time. With -Dscale.process=true the
 * operator runs as its own JVM in a memory cgroup of -Dscale.memoryLimitMiB (default 256), as the
 * chart starts it (OperatorProcess), with -Dscale.unrelatedSecrets (default 10,000 then) created
 * first; its memory, start-up and readiness are reported. All must be Ready within
 * -Dscale.convergeMinutes (default 20). Prints the report; results in docs/benchmarks/scale.md. Not
 * part of any build:
 *
 * <pre>
 * mvn -o -pl operator test-compile failsafe:integration-test failsafe:verify \
 *     -Dit.test=ScaleBenchmark -Dscale.policies=1000 -Dscale.process=true
 * </pre>
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    audit = Audit.SERVICE_ACCOUNTS,
    operator = false,
    postgres = 16,
    maxConnections = 1100)
class ScaleBenchmark {

  private final ScaleRun run;
  private final List<LocalPostgres> servers;

  /** The servers this class started besides the environment's (-Dscale.servers above 1). */
  private final List<LocalPostgres> extraServers = new ArrayList<>();

  ScaleBenchmark(
      KubernetesClient admin,
      LocalPostgres postgres,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts) {
    int n = Integer.getInteger("scale.policies", 100);
    int count = Integer.getInteger("scale.servers", 1);
    if (count < 1) throw new IllegalArgumentException("-Dscale.servers must be at least 1");
    List<LocalPostgres> all = new ArrayList<>(List.of(postgres));
    for (int k = 1; k < count; k++) {
      extraServers.add(
          LocalPostgres.builder()
              .version(16)
              .maxConnections(slotsFor(policiesOn(k, n, count)))
              .start());
    }
    all.addAll(extraServers);
    this.servers = List.copyOf(all);
    enoughSlotsFor(postgres, policiesOn(0, n, count));
    this.run =
        new ScaleRun(
            admin,
            servers,
            audit,
            operators,
            accounts,
            System.getProperty("scale.probe", "5m"),
            ScaleOptions.fromSystemProperties());
  }

  @Test
  void policiesOnOneServer() {
    int n = Integer.getInteger("scale.policies", 100);
    Duration atRest = Duration.ofSeconds(Integer.getInteger("scale.atRestSeconds", 60));
    long heapBefore = usedHeapAfterGc();
    ScaleReport report;
    try (run) {
      report =
          ScaleReport.measure(
              run, n, atRest, Duration.ofMinutes(Integer.getInteger("scale.convergeMinutes", 20)));
    } finally {
      extraServers.forEach(LocalPostgres::close);
    }
    System.err.println(report.describe());
    System.err.println(
        "  heap after GC, this JVM (operator, test client, informers): "
            + (usedHeapAfterGc() - heapBefore) / (1024 * 1024)
            + " MiB more than before the run");
    System.err.println("  events of svc-0:\n    " + String.join("\n    ", run.eventsOf(0)));
  }

  /** Policies i with i mod count == k, of n: what server k holds. */
  private static int policiesOn(int k, int n, int count) {
    return n / count + (k < n % count ? 1 : 0);
  }

  /** One slot per one-pod policy, plus the harness's and the probe's; at least 1,100. */
  private static int slotsFor(int policies) {
    return Math.max(1100, policies + 100);
  }

  /**
   * Above 1,000 policies on the environment's server, max_connections grows with them, set with
   * ALTER SYSTEM, which outranks postgresql.conf.
   */
  private static void enoughSlotsFor(LocalPostgres postgres, int policies) {
    int needed = slotsFor(policies);
    if (needed <= Integer.parseInt(postgres.settings().get("max_connections"))) return;
    postgres.execute("ALTER SYSTEM SET max_connections = " + needed);
    postgres.stop();
    postgres.start();
  }

  private static long usedHeapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
