package io.pgconn.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StartupClockTest {

  private static final Duration MINUTE = Duration.ofSeconds(60);

  @Test
  void aDeadlinePastMidnightWraps() {
    assertThat(StartupClock.deadlineWraps(LocalTime.of(23, 59, 30), MINUTE)).isTrue();
    assertThat(StartupClock.deadlineWraps(LocalTime.of(23, 59, 0, 1), MINUTE)).isTrue();
  }

  @Test
  void aDeadlineBeforeMidnightDoesNot() {
    assertThat(StartupClock.deadlineWraps(LocalTime.of(23, 58, 59), MINUTE)).isFalse();
    assertThat(StartupClock.deadlineWraps(LocalTime.of(0, 0, 1), MINUTE)).isFalse();
    assertThat(StartupClock.deadlineWraps(LocalTime.NOON, MINUTE)).isFalse();
  }

  @Test
  void awaitingOutsideTheWindowReturnsAtOnce() {
    Clock noon = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    long began = System.nanoTime();
    new StartupClock(noon).awaitStartWithoutWrap(MINUTE);
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(1));
  }
}
