package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeStatus;
import io.pgconn.operator.testenv.Policies;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A policy never probed takes a result of its target only if the probe completed after the policy
 * was created, and recently: never one older than the policy, never one older than a few seconds.
 */
class PolicyProbeNewcomerTest {

  static final Instant CREATED = Instant.parse("2026-12-03T20:00:00Z");

  @Test
  void aResultServesANewcomerOnlyIfItCompletedAfterItWasCreatedAndRecently() {
    Instant now = CREATED.plusSeconds(2);
    assertThat(PolicyProbe.servesNewcomer(CREATED.plusMillis(1500), CREATED, now)).isTrue();
    assertThat(PolicyProbe.servesNewcomer(CREATED, CREATED, now)).isTrue();
    assertThat(PolicyProbe.servesNewcomer(CREATED.minusMillis(1), CREATED, now))
        .as("older than the policy")
        .isFalse();
    Instant later = CREATED.plus(PolicyProbe.NEWCOMER_RESULT_AGE).plusSeconds(10);
    assertThat(PolicyProbe.servesNewcomer(CREATED.plusSeconds(1), CREATED, later))
        .as("after it was created, but no longer recent")
        .isFalse();
  }

  @Test
  void onlyAPolicyWhoseStatusShowsNoProbeIsANewcomer() {
    PostgresConnectionPolicy policy = Policies.policy("shop", "checkout", "db", spec -> {});
    policy.getMetadata().setCreationTimestamp("2026-12-03T20:00:00Z");
    assertThat(PolicyProbe.neverProbedSince(policy)).contains(CREATED);
    policy.setStatus(new PolicyStatus());
    assertThat(PolicyProbe.neverProbedSince(policy)).contains(CREATED);
    policy.getStatus().setLastProbe(new ProbeStatus("2026-12-03T20:00:01Z", 12L, "Success", null));
    assertThat(PolicyProbe.neverProbedSince(policy)).isEmpty();
  }
}
