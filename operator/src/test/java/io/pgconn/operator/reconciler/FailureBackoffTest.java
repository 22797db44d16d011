package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.pgconn.operator.api.PolicyStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureBackoffTest {

  static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

  @Test
  void startsAtTwoSecondsGrowsWithTheOutageAndStopsAtFiveMinutes() {
    assertThat(FailureBackoff.next(failingSince(NOW), NOW)).isEqualTo(Duration.ofSeconds(2));
    assertThat(FailureBackoff.next(failingSince(NOW.minusSeconds(60)), NOW))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(FailureBackoff.next(failingSince(NOW.minusSeconds(3600)), NOW))
        .isEqualTo(Duration.ofMinutes(5));
  }

  static PolicyStatus failingSince(Instant since) {
    PolicyStatus status = new PolicyStatus();
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("False")
                .withLastTransitionTime(since.toString())
                .build()));
    return status;
  }
}
