package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionWriterTest {

  static final Instant T1 = Instant.parse("2026-11-28T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-11-28T11:00:00Z");

  @Test
  void keepsTheTransitionTimeWhileTheStatusStaysAndMovesItWhenItFlips() {
    var first =
        new ConditionWriter(List.of(), 1, T1)
            .set(ConditionType.READY, true, "Reconciled", "ok")
            .build();
    var same =
        new ConditionWriter(first, 2, T2)
            .set(ConditionType.READY, true, "Reconciled", "still ok")
            .build();
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(same.get(0).getObservedGeneration()).isEqualTo(2);
    assertThat(same.get(0).getMessage()).isEqualTo("still ok");
    var flipped =
        new ConditionWriter(same, 2, T2).set(ConditionType.READY, false, "Broken", "no").build();
    assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo(T2.toString());
    assertThat(flipped.get(0).getStatus()).isEqualTo("False");
  }

  @Test
  void keepCarriesAConditionOverUnchanged() {
    var before =
        new ConditionWriter(List.of(), 1, T1)
            .set(ConditionType.SECRET_SYNCED, true, "Synced", "x")
            .build();
    var after =
        new ConditionWriter(before, 2, T2)
            .keep(ConditionType.SECRET_SYNCED)
            .keep(ConditionType.STALLED)
            .build();
    assertThat(after).containsExactlyElementsOf(before);
  }
}
