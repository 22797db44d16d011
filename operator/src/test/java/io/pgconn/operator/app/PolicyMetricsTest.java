package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.probe.FailureReason;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.reconciler.PolicyObserver.Attention;
import io.pgconn.operator.reconciler.PolicyObserver.Sizing;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the operator tells Prometheus per policy stays a handful of series (issue 15: a 69-bucket
 * histogram per policy made /prometheus 77,341 lines at 1,000 policies), the Ready state is one
 * series to alert on, and a deleted policy leaves no series behind.
 */
class PolicyMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PolicyMetrics metrics = new PolicyMetrics(registry);

  @Test
  void probeDurationsAreOneHistogramWhateverTheNumberOfPolicies() {
    for (int i = 0; i < 100; i++) {
      metrics.probed(
          "ns",
          "policy-" + i,
          ProbeResult.failure(Instant.EPOCH, 12, FailureReason.AuthenticationFailed, "no"));
      metrics.probed(
          "ns",
          "policy-" + i,
          ProbeResult.failure(Instant.EPOCH, 5000, FailureReason.ConnectTimeout, "slow"));
    }

    assertThat(registry.find("pgconn.probe.duration").timers())
        .as("one timer per result, none per policy")
        .hasSize(2)
        .allSatisfy(t -> assertThat(t.getId().getTag("policy")).isNull());
    assertThat(registry.find("pgconn.probe.results").counters()).hasSize(200);
  }

  @Test
  void readinessIsOneSeriesPerPolicy() {
    metrics.readiness("shop", "backend", false);
    assertThat(ready("shop", "backend")).isEqualTo(0.0);

    metrics.readiness("shop", "backend", true);

    assertThat(registry.find("pgconn.policy.ready").tags("policy", "backend").gauges()).hasSize(1);
    assertThat(ready("shop", "backend")).isEqualTo(1.0);
  }

  @Test
  void aForgottenPolicyLeavesNoSeriesBehind() {
    metrics.probed(
        "shop",
        "backend",
        ProbeResult.failure(Instant.EPOCH, 5000, FailureReason.ConnectTimeout, "slow"));
    metrics.sized("shop", "backend", new Sizing(8, 10, 100, 3, 12));
    metrics.restarted("shop", "backend", "Deployment");
    metrics.readiness("shop", "backend", true);
    metrics.attention("shop", "backend", new Attention(true, true));
    metrics.readiness("shop", "other", true);

    metrics.forgotten("shop", "backend");

    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .noneMatch(id -> "backend".equals(id.getTag("policy")));
    assertThat(ready("shop", "other")).isEqualTo(1.0);
  }

  @Test
  void ledgerGaugesFollowTheConsumersNamedAndGoWithThem() {
    metrics.ledger(
        "shop",
        "backend",
        java.util.List.of(
            new ConsumerStatus("backend", "app", 20, 10, "OverAllotment"),
            new ConsumerStatus("cron", "app", 2, null, "NotBudgeted")));
    assertThat(consumer("held", "backend")).isEqualTo(20.0);
    assertThat(consumer("allotted", "backend")).isEqualTo(10.0);
    assertThat(consumer("held", "cron")).isEqualTo(2.0);
    assertThat(
            registry
                .find("pgconn.consumer.connections.allotted")
                .tags("application_name", "cron")
                .gauges())
        .as("no allotment, no series")
        .isEmpty();

    metrics.ledger(
        "shop",
        "backend",
        java.util.List.of(new ConsumerStatus("backend", "app", 8, 10, "Within")));
    assertThat(consumer("held", "backend")).isEqualTo(8.0);
    assertThat(
            registry
                .find("pgconn.consumer.connections.held")
                .tags("application_name", "cron")
                .gauges())
        .as("a consumer no longer named has no series")
        .isEmpty();

    metrics.forgotten("shop", "backend");
    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .noneMatch(id -> id.getName().startsWith("pgconn.consumer"));
  }

  private double consumer(String what, String applicationName) {
    return registry
        .get("pgconn.consumer.connections." + what)
        .tags(
            "namespace",
            "shop",
            "policy",
            "backend",
            "application_name",
            applicationName,
            "role",
            "app")
        .gauge()
        .value();
  }

  /** What the chart's alerts divide and compare: usable slots, in use, conflicts, holds. */
  @Test
  void alertInputsAreOneSeriesEachPerPolicy() {
    metrics.sized("shop", "backend", new Sizing(8, 10, 100, 3, 85));
    metrics.attention("shop", "backend", new Attention(true, false));

    assertThat(gauge("pgconn.server.max.connections")).isEqualTo(100.0);
    assertThat(gauge("pgconn.server.usable.connections")).isEqualTo(97.0);
    assertThat(gauge("pgconn.server.connections.in.use")).isEqualTo(85.0);
    assertThat(gauge("pgconn.policy.conflicting.writer")).isEqualTo(1.0);
    assertThat(gauge("pgconn.rollout.held")).isEqualTo(0.0);

    metrics.attention("shop", "backend", new Attention(false, true));
    assertThat(gauge("pgconn.policy.conflicting.writer")).isEqualTo(0.0);
    assertThat(gauge("pgconn.rollout.held")).isEqualTo(1.0);
    for (String name :
        new String[] {
          "pgconn.server.usable.connections",
          "pgconn.policy.conflicting.writer",
          "pgconn.rollout.held"
        }) {
      assertThat(registry.find(name).gauges()).as(name).hasSize(1);
    }
  }

  /** Not probed yet: no usable slots to divide by is 0, never max_connections alone. */
  @Test
  void usableSlotsWithoutAProbeStayZero() {
    metrics.sized("shop", "backend", new Sizing(8, 10, null, null, null));
    assertThat(gauge("pgconn.server.usable.connections")).isEqualTo(0.0);
  }

  private double gauge(String name) {
    return registry.find(name).tags("namespace", "shop", "policy", "backend").gauge().value();
  }

  private double ready(String namespace, String policy) {
    return registry
        .find("pgconn.policy.ready")
        .tags("namespace", namespace, "policy", policy)
        .gauge()
        .value();
  }
}
