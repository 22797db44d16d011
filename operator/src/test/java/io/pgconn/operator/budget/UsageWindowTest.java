package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageWindowTest {

  static final long SLOT = UsageWindow.SLOT_MILLIS;
  static final List<String> LISTED = List.of("checkout", "pgconn-operator-probe");

  static Map<String, Integer> reading(int foreign) {
    return Map.of("checkout", 12, "psql", foreign, "pgconn-operator-probe", 1);
  }

  @Test
  void nothingReadIsUnknown() {
    assertThat(UsageWindow.empty().sustainedUnlisted(LISTED, 0)).isEmpty();
  }

  @Test
  void aBurstCountsOnlyOnceEverySlotOfTheWindowSawIt() {
    UsageWindow window = UsageWindow.empty().with(0, reading(2));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(2);
    window = window.with(SLOT, reading(30));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(2);
    window = window.with(2 * SLOT, reading(30));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(2);
    window = window.with(3 * SLOT, reading(30));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(30);
  }

  @Test
  void readingsCloseTogetherShareASlotSoManyProbesAtOnceAreNotSustainedUsage() {
    UsageWindow window = UsageWindow.empty().with(0, reading(0));
    for (int i = 1; i <= 20; i++) window = window.with(SLOT + i * 100L, reading(30));
    assertThat(window.slots()).hasSize(2);
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(0);
  }

  @Test
  void theEndOfABurstCountsAtTheFirstReadingThatSeesIt() {
    UsageWindow window = UsageWindow.empty();
    for (int i = 0; i < 5; i++) window = window.with(i * SLOT, reading(30));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(30);
    // Even within the same slot: the latest reading replaces the burst.
    window = window.with(4 * SLOT + 1000, reading(0));
    assertThat(window.sustainedUnlisted(LISTED, 0)).hasValue(0);
  }

  @Test
  void reservesAbsorbUnlistedClientsFirst() {
    UsageWindow window = UsageWindow.empty().with(0, reading(7));
    assertThat(window.sustainedUnlisted(LISTED, 5)).hasValue(2);
    assertThat(window.sustainedUnlisted(LISTED, 10)).hasValue(0);
  }

  @Test
  void aPolicysPodsCountAsItsOwnUnderTheNameTheServerStored() {
    String name = "a-policy-name-that-is-far-longer-than-the-sixty-three-bytes-postgres-keeps";
    UsageWindow window =
        UsageWindow.empty()
            .with(
                0,
                Map.of(
                    StoredApplicationName.of(name, 16),
                    40,
                    "café".replace("é", "\\xc3\\xa9"),
                    3,
                    "psql",
                    1));
    assertThat(window.sustainedUnlisted(List.of(name, "café"), 0)).hasValue(1);
  }
}
