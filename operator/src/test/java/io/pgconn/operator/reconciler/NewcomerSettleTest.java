package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.ServerKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NewcomerSettleTest {

  static final ServerKey DB = ServerKey.reported("system 1 port 5432");
  static final ServerKey OTHER = ServerKey.reported("system 2 port 5432");
  static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

  final NewcomerSettle settle = new NewcomerSettle();

  @Test
  void aLoneNewcomerWaitsTheQuietPeriodOnce() {
    assertThat(settle.hold("a", DB, T)).contains(NewcomerSettle.QUIET);
    assertThat(settle.hold("a", DB, T.plusMillis(400))).contains(Duration.ofMillis(600));
    assertThat(settle.hold("a", DB, T.plus(NewcomerSettle.QUIET))).isEmpty();
    settle.decided("a");
  }

  @Test
  void newcomersArrivingTogetherAreDecidedTogetherOnceArrivalsStop() {
    for (int i = 0; i < 10; i++) {
      settle.hold("p" + i, DB, T.plusMillis(500L * i));
    }
    Instant last = T.plusMillis(4500);
    assertThat(settle.hold("p0", DB, last.plusMillis(999)))
        .as("the first one waits for the last")
        .isPresent();
    assertThat(settle.hold("p0", DB, last.plus(NewcomerSettle.QUIET))).isEmpty();
    assertThat(settle.hold("p9", DB, last.plus(NewcomerSettle.QUIET))).isEmpty();
    assertThat(settle.hold("x", OTHER, last))
        .as("another server's arrivals hold nobody here")
        .contains(NewcomerSettle.QUIET);
  }

  @Test
  void aSteadyTrickleCannotHoldAnyoneLongerThanTheLimit() {
    settle.hold("first", DB, T);
    Instant now = T;
    for (int i = 1; now.isBefore(T.plus(NewcomerSettle.AT_MOST)); i++) {
      now = T.plusMillis(500L * i);
      settle.hold("n" + i, DB, now);
    }
    assertThat(settle.hold("first", DB, now)).isEmpty();
    assertThat(settle.hold("n1", DB, now)).as("a later one still waits for quiet").isPresent();
  }

  @Test
  void aDecidedPolicyIsNoNewcomerAnyMore() {
    settle.hold("a", DB, T);
    settle.decided("a");
    assertThat(settle.hold("a", DB, T.plusSeconds(60)))
        .as("seen anew: a newcomer again")
        .contains(NewcomerSettle.QUIET);
  }
}
