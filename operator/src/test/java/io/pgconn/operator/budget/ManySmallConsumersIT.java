package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The common shared server: one managed PostgreSQL (max_connections 40, 3 reserved), one role, and
 * twenty small services of one pod each, every policy with the default reserve of 5. The reserve is
 * kept once for the server, so all twenty fit (31 slots: 40 - 3 - 5 - the probe connection they
 * share). When every policy's reserve was subtracted, the reserves alone (100) exceeded the server
 * and none became Ready. StatefulSets, on the full control plane so that they really roll: a
 * one-replica Deployment surges to two pods, which 31 slots do not hold for twenty of them.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.FULL,
    postgres = 16,
    maxConnections = ManySmallConsumersIT.MAX_CONNECTIONS,
    namespaces = ManySmallConsumersIT.NS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManySmallConsumersIT {

  static final int MAX_CONNECTIONS = 40;
  static final String NS = "services";
  static final int SERVICES = 20;

  private final ClusterFixtures k8s;

  ManySmallConsumersIT(ClusterFixtures k8s) {
    this.k8s = k8s;
  }

  @BeforeAll
  void roleAndSource(LocalPostgres postgres) {
    postgres.createRole("services", "pw-services-canary", null);
    k8s.secret(
        NS,
        "db",
        Map.of("DATABASE_URL", postgres.url("services", "pw-services-canary", "postgres")));
  }

  @Test
  void twentyOnePodServicesWithTheDefaultReserveAllFitOnAFortySlotServer() {
    List<String> names = IntStream.range(0, SERVICES).mapToObj(i -> "svc-" + i).toList();
    for (String name : names) {
      k8s.statefulSet(NS, name, name + "-connection", 1);
      k8s.create(
          Policies.policy(
              NS,
              name,
              "db",
              spec -> {
                spec.getPool().setSslMode("disable");
                spec.getWorkloads()
                    .setRefs(List.of(new WorkloadRef(WorkloadKind.StatefulSet, name)));
                spec.getWorkloads().setSettleSeconds(0);
              }));
    }

    try {
      Awaitility.await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> names.stream().allMatch(n -> k8s.ready(NS, n)) && fitTogether(names));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("not all twenty became Ready:" + pools(names), e);
    }
    for (String name : names) {
      PolicyStatus status = k8s.status(NS, name);
      assertThat(status.getPool().getConnectionLimit()).as(name).isGreaterThanOrEqualTo(1);
      // The count of policies is the server's arithmetic: a policy whose share no newcomer moved
      // quotes the count of its last decision (refreshed hourly).
      assertThat(status.getPool().getExplanation())
          .as(name)
          .startsWith("31 = 40 max - 3 reserved - 5 reserve (largest of ");
    }
  }

  /** Σ pods × limit within what the server leaves: 40 - 3 reserved - 5 reserve - 1 probe. */
  private boolean fitTogether(List<String> names) {
    int used = 0;
    for (String name : names) {
      PolicyStatus s = k8s.status(NS, name);
      if (s == null || s.getPool() == null) return false;
      used += s.getPool().getConsumers() * s.getPool().getConnectionLimit();
    }
    return used <= MAX_CONNECTIONS - 3 - 5 - 1;
  }

  private String pools(List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      PolicyStatus s = k8s.status(NS, name);
      out.append("\n  ")
          .append(name)
          .append(": ")
          .append(s == null || s.getPool() == null ? "-" : s.getPool().getExplanation())
          .append(" | Ready ")
          .append(k8s.condition(NS, name, "Ready").map(c -> c.getMessage()).orElse("-"));
    }
    return out.toString();
  }
}
