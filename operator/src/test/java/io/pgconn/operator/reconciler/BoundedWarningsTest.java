package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** status.warnings stays small whatever a source holds: a status is not a log. */
class BoundedWarningsTest {

  @Test
  void atMostTwentyEntriesTheLastOneSayingHowManyWereLeftOut() {
    List<String> many = IntStream.range(0, 57).mapToObj(i -> "warning " + i).toList();
    List<String> bounded = PolicyStatusBuilder.boundedWarnings(many);
    assertThat(bounded).hasSize(PolicyStatusBuilder.MAX_WARNINGS);
    assertThat(bounded.subList(0, 19)).isEqualTo(many.subList(0, 19));
    assertThat(bounded.get(19)).isEqualTo("… 38 more");
  }

  @Test
  void eachEntryAtMost300Characters() {
    String longOne = "x".repeat(5000);
    List<String> bounded = PolicyStatusBuilder.boundedWarnings(List.of(longOne, "short"));
    assertThat(bounded).hasSize(2);
    assertThat(bounded.get(0)).hasSize(PolicyStatusBuilder.MAX_WARNING_LENGTH).endsWith("…");
    assertThat(bounded.get(1)).isEqualTo("short");
  }

  @Test
  void exactlyTwentyAreKeptAsTheyAre() {
    List<String> twenty = IntStream.range(0, 20).mapToObj(i -> "w" + i).toList();
    assertThat(PolicyStatusBuilder.boundedWarnings(twenty)).isEqualTo(twenty);
  }
}
