package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The interval arithmetic refuses what the CRD refuses, should a value get past it. */
class ProbeSpecTest {

  @ParameterizedTest
  @CsvSource({"10s,10", "5m,300", "1h30m,5400", "24h,86400", "90m,5400"})
  void readsIntervalsWithinBounds(String interval, long seconds) {
    ProbeSpec spec = new ProbeSpec();
    spec.setInterval(interval);
    assertThat(spec.intervalDuration()).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999h", "99999999999999999999s", "25h", "9s", "0s", "24h1s"})
  void refusesIntervalsOutsideTheBoundsClearly(String interval) {
    ProbeSpec spec = new ProbeSpec();
    spec.setInterval(interval);
    assertThatThrownBy(spec::intervalDuration)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.probe.interval must be between 10s and 24h");
  }
}
