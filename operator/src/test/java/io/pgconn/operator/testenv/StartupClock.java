package io.pgconn.operator.testenv;

import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;

/**
 * Works around a clock bug in kube-api-test 7.5.2: its readiness checks compare {@code
 * LocalTime.now()} with {@code startedAt.plus(timeout)}, and a {@link LocalTime} wraps at midnight.
 * A start begun less than the startup timeout before midnight therefore fails at once with "Kube
 * API Server did not start properly" (and JUnit memoizes that failure for every later test class
 * sharing the environment). Starting only when the deadline does not wrap avoids it.
 */
final class StartupClock {

  /** kube-api-test's default startup timeout (KUBE_API_TEST_STARTUP_TIMEOUT). */
  static final Duration KUBE_API_TEST_TIMEOUT = Duration.ofSeconds(60);

  private final Clock clock;

  StartupClock(Clock clock) {
    this.clock = clock;
  }

  /** Whether a deadline {@code timeout} after {@code start} lies past the next midnight. */
  static boolean deadlineWraps(LocalTime start, Duration timeout) {
    return start.plus(timeout).isBefore(start);
  }

  /**
   * Blocks, at most until just past midnight, while a start now could hit the wrap. The start runs
   * several checks one after the other (etcd, kube-apiserver, the default namespace), each with its
   * own deadline, so the window is twice the timeout.
   */
  void awaitStartWithoutWrap(Duration timeout) {
    Duration window = timeout.multipliedBy(2);
    if (!deadlineWraps(LocalTime.now(clock), window)) return;
    System.err.println(
        "control plane: waiting for midnight to pass (kube-api-test's startup deadline wraps)");
    await()
        .atMost(window.plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> !deadlineWraps(LocalTime.now(clock), window));
  }
}
