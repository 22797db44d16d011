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

  private java.util.Optional<Duration> hold(String id, ServerKey server, Instant now) {
    return settle.hold(id, server, now).lookAgainIn();
  }

  @Test
  void aLoneNewcomerWaitsTheQuietPeriodOnce() {
    assertThat(hold("a", DB, T)).contains(NewcomerSettle.QUIET);
    assertThat(hold("a", DB, T.plusMillis(400))).contains(Duration.ofMillis(600));
    assertThat(hold("a", DB, T.plus(NewcomerSettle.QUIET))).isEmpty();
    settle.decided("a");
  }

  @Test
  void newcomersArrivingTogetherAreDecidedTogetherOnceArrivalsStop() {
    for (int i = 0; i < 10; i++) {
      hold("p" + i, DB, T.plusMillis(500L * i));
    }
    Instant last = T.plusMillis(4500);
    assertThat(hold("p0", DB, last.plusMillis(999)))
        .as("the first one waits for the last")
        .isPresent();
    assertThat(hold("p0", DB, last.plus(NewcomerSettle.QUIET))).isEmpty();
    assertThat(hold("p9", DB, last.plus(NewcomerSettle.QUIET))).isEmpty();
    assertThat(hold("x", OTHER, last))
        .as("another server's arrivals hold nobody here")
        .contains(NewcomerSettle.QUIET);
  }

  @Test
  void aSteadyTrickleCannotHoldAnyoneLongerThanTheLimit() {
    hold("first", DB, T);
    Instant now = T;
    for (int i = 1; now.isBefore(T.plus(NewcomerSettle.AT_MOST)); i++) {
      now = T.plusMillis(500L * i);
      hold("n" + i, DB, now);
    }
    assertThat(hold("first", DB, now)).isEmpty();
    assertThat(hold("n1", DB, now)).as("a later one still waits for quiet").isPresent();
  }

  /**
   * Only the latest newcomer looks again when the arrivals may have stopped; the others look again
   * at their limit, and the latest releases them once it finds the arrivals stopped.
   */
  @Test
  void theLatestNewcomerReleasesTheOthersWhenArrivalsStop() {
    for (int i = 0; i < 10; i++) {
      hold("p" + i, DB, T.plusMillis(100L * i));
    }
    Instant last = T.plusMillis(900);
    assertThat(hold("p0", DB, last.plusMillis(10)))
        .as("not the latest: looks again at its limit, not every second")
        .contains(NewcomerSettle.AT_MOST.minusMillis(910));
    assertThat(hold("p9", DB, last.plusMillis(10)))
        .as("the latest looks again when the arrivals may have stopped")
        .contains(NewcomerSettle.QUIET.minusMillis(10));
    NewcomerSettle.Hold released = settle.hold("p9", DB, last.plus(NewcomerSettle.QUIET));
    assertThat(released.lookAgainIn()).isEmpty();
    assertThat(released.release()).hasSize(9).contains("p0", "p8").doesNotContain("p9");
    assertThat(settle.hold("p0", DB, last.plus(NewcomerSettle.QUIET)).release())
        .as("released once")
        .isEmpty();
  }

  /**
   * A newcomer decided without waiting (its size cannot depend on its peers) still arrives: the
   * others wait for it too, and the latest of them still releases them.
   */
  @Test
  void aNewcomerDecidedAtOnceStillCountsAsAnArrival() {
    hold("held", DB, T);
    settle.passedThrough(DB, T.plusMillis(800));
    assertThat(settle.waits("held")).isTrue();
    assertThat(hold("held", DB, T.plus(NewcomerSettle.QUIET)))
        .as("the arrivals have not stopped: it is still the latest, and looks again")
        .contains(Duration.ofMillis(800));
    assertThat(hold("held", DB, T.plusMillis(1800))).isEmpty();
    settle.decided("held");
    assertThat(settle.waits("held")).isFalse();
    settle.passedThrough(OTHER, T);
    assertThat(hold("x", OTHER, T.plusMillis(100)))
        .as("nobody waited there: the one decided at once left nothing behind")
        .contains(NewcomerSettle.QUIET);
  }

  @Test
  void aDecidedPolicyIsNoNewcomerAnyMore() {
    hold("a", DB, T);
    settle.decided("a");
    assertThat(hold("a", DB, T.plusSeconds(60)))
        .as("seen anew: a newcomer again")
        .contains(NewcomerSettle.QUIET);
  }
}
