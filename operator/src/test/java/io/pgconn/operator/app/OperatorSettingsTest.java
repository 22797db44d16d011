package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void reconcileThreadsBelowOneAreRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> settings(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "pgconn.reconcile-threads (PGCONN_RECONCILE_THREADS) must be at least 1, was 0");
    assertThat(settings(1).reconcileThreads()).isEqualTo(1);
  }

  private static OperatorSettings settings(int reconcileThreads) {
    return new OperatorSettings(
        null, List.of(), false, "pgconn-operator", null, null, true, reconcileThreads);
  }
}
