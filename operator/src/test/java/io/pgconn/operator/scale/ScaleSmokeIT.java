package io.pgconn.operator.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.ServiceAccounts;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark's assertions at a size CI runs (50 policies on one server): all Ready within
 * the server's budget, one write per target Secret, no write at rest, no Secret written again by a
 * restart, and one watch for the labelled sources of the namespace (none per Secret). The figures
 * at 100 and 1,000 come from {@link ScaleBenchmark}.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    audit = Audit.SERVICE_ACCOUNTS,
    operator = false,
    postgres = 16,
    maxConnections = ScaleSmokeIT.MAX_CONNECTIONS)
class ScaleSmokeIT {

  static final int N = 50;
  static final int MAX_CONNECTIONS = 120;

  private final ScaleRun run;

  ScaleSmokeIT(
      KubernetesClient admin,
      LocalPostgres postgres,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts) {
    // Probed every 10 s, so that the quiet window sees probes: they must not write status.
    this.run = new ScaleRun(admin, postgres, audit, operators, accounts, "10s");
  }

  @Test
  void fiftyPoliciesConvergeWriteEachTargetOnceAndWriteNothingAtRestOrOnRestart() {
    ScaleReport report = ScaleReport.measure(run, N, Duration.ofSeconds(30), Duration.ofMinutes(4));
    System.err.println(report.describe());
    for (int i : new int[] {0, N / 2, N - 1}) {
      System.err.println("events of svc-" + i + ":\n  " + String.join("\n  ", run.eventsOf(i)));
    }

    assertThat(report.minLimit()).as("every policy gets at least one connection").isGreaterThan(0);
    assertThat(report.allotted())
        .as("Σ consumers × limit within the server (120 - 3 reserved - 1 probe)")
        .isLessThanOrEqualTo(MAX_CONNECTIONS - 3 - 1);
    // A policy's hash key derives from its namespace's: one Secret created for all N, none per
    // policy (before, N hash key Secrets). The targets are server-side applied (patches).
    assertThat(report.convergenceWrites())
        .as("one hash key Secret for the namespace, none per policy")
        .containsEntry("create secrets", 1L);
    // Newcomers applied together are decided together once arrivals stop (NewcomerSettle): a
    // target is created, and patched at most once more (a newcomer that starts at what is free
    // and is raised once its peers have lowered). Before, about 3 patches per target.
    assertThat(report.convergenceWrites().getOrDefault("patch secrets", 0L))
        .as("target patches while converging")
        .isLessThanOrEqualTo(N);
    // Requests a policy does not need: a read of a hash key before creating it (a create never
    // overwrites, so only its refusal needs a read), a finalizer where the deletion needs no
    // cleanup but the garbage collector's (Retain, the default, outside in place mode), and an
    // event of its own for Ready when the same reconcile wrote the target.
    // (Plus a source's, when its policy's first reconcile comes before the namespace's informer
    // has seen it: 0 to 3 of 1,000 measured.)
    assertThat(report.convergenceRequests().getOrDefault("get secrets", 0L))
        .as("reads of Secrets while converging: the target's, once, when the cache lacks it")
        .isLessThanOrEqualTo(N + N / 10);
    assertThat(report.convergenceWrites())
        .as("no finalizer on policies whose deletion needs no cleanup")
        .doesNotContainKey("patch postgresconnectionpolicies");
    assertThat(report.convergenceWrites().getOrDefault("create events", 0L))
        .as("events: one per target write at most, Ready's transition told with the write")
        .isLessThanOrEqualTo(report.convergenceWrites().getOrDefault("patch secrets", 0L));
    assertThat(report.atRestWrites()).as("writes at rest").isEqualTo(Map.of());
    assertThat(report.pgconnLines())
        .as("pgconn_ series on /prometheus: a handful per policy, no histogram per policy")
        .isBetween(N, 15 * N);
    assertThat(report.convergenceSecretWatches())
        .as("labelled sources need no watch of their own")
        .doesNotContainKey("one source by name")
        .containsEntry("labelled sources (per namespace)", 1L);
    assertThat(report.referencedSecretWatchGauges())
        .isEqualTo(Map.of("namespace", 1L, "secret", 0L));
    assertThat(report.restartWrites())
        .as("a restart writes no Secret: %s", report.restartWrites())
        .doesNotContainKeys("create secrets", "patch secrets", "update secrets");

    // svc-0's source now names credentials of their own. The operator's probes of the server
    // still take turns on one connection, so no peer's budget moves: none is written (before,
    // the new role's probe connection took a slot from all 50, and the peer that lost a
    // remainder slot was rewritten).
    Map<String, Integer> before = run.limits();
    int mark = run.mark();
    assertThat(run.rotate(N, 1)).as("the rotation reached svc-0's target").allMatch(ms -> ms >= 0);
    Map<String, Integer> after = run.limits();
    before.remove("svc-0");
    after.remove("svc-0");
    assertThat(after).as("peers' limits").isEqualTo(before);
    // (An event's create does not name its object in the URI: the rotated policy's own events
    // are left out with the peers'.)
    assertThat(
            run.since(
                mark,
                r ->
                    ScaleRun.write(r)
                        && !r.resource().equals("events")
                        && !r.uri().contains("/svc-0")))
        .as("writes for peers of the rotated policy")
        .isEqualTo(Map.of());
  }
}
