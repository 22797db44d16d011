package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.ConnectionLedger.Allotment;
import io.pgconn.operator.budget.ConnectionLedger.ConsumerId;
import io.pgconn.operator.budget.ConnectionLedger.Line;
import io.pgconn.operator.budget.ConnectionLedger.Standing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The ledger accounts for every session exactly once, flags a consumer exactly when it holds more
 * than its policies allot it, does not depend on the order policies arrive in, and a policy's view
 * of it stays bounded while still naming every over-allotted consumer it has room for.
 */
class ConnectionLedgerPropertiesTest {

  private static final String PROBE = "pgconn-operator-probe";
  private static final List<String> NAMES = List.of("a", "b", "c", "d", "e", PROBE, "");
  private static final List<String> ROLES = List.of("r1", "r2");

  @Provide
  Arbitrary<Map<ConsumerId, Integer>> held() {
    return Arbitraries.maps(consumer(), Arbitraries.integers().between(0, 50)).ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<Allotment>> allotments() {
    return Combinators.combine(
            Arbitraries.of(NAMES.subList(0, 5)),
            Arbitraries.of(ROLES),
            Arbitraries.integers().between(0, 20),
            Arbitraries.integers().between(0, 5))
        .as(Allotment::new)
        .list()
        .ofMaxSize(6);
  }

  private static Arbitrary<ConsumerId> consumer() {
    return Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(ROLES)).as(ConsumerId::new);
  }

  @Property
  void everySessionIsCountedOnce(
      @ForAll("held") Map<ConsumerId, Integer> held,
      @ForAll("allotments") List<Allotment> allotments) {
    ConnectionLedger ledger = ConnectionLedger.of(held, allotments, PROBE);

    assertThat(ledger.held()).isEqualTo(held.values().stream().mapToInt(i -> i).sum());
  }

  @Property
  void overAllottedExactlyWhenHoldingMoreThanAllotted(
      @ForAll("held") Map<ConsumerId, Integer> held,
      @ForAll("allotments") List<Allotment> allotments) {
    ConnectionLedger ledger = ConnectionLedger.of(held, allotments, PROBE);
    Map<ConsumerId, Integer> allotted = new HashMap<>();
    allotments.forEach(
        a ->
            allotted.merge(
                new ConsumerId(a.applicationName(), a.role()), a.connections(), Integer::sum));

    for (Line line : ledger.lines()) {
      Integer expected = allotted.get(line.id());
      assertThat(line.allotted()).isEqualTo(expected);
      if (expected == null) {
        assertThat(line.standing()).isIn(Standing.NOT_BUDGETED, Standing.OPERATOR_PROBE);
      } else {
        assertThat(line.held()).isEqualTo(held.getOrDefault(line.id(), 0));
        assertThat(line.overAllotted()).isEqualTo(line.held() > expected);
      }
    }
    assertThat(ledger.lines()).extracting(Line::id).doesNotHaveDuplicates();
  }

  @Property
  void theOrderPoliciesArriveInChangesNothing(
      @ForAll("held") Map<ConsumerId, Integer> held,
      @ForAll("allotments") List<Allotment> allotments,
      @ForAll long seed) {
    List<Allotment> shuffled = new ArrayList<>(allotments);
    Collections.shuffle(shuffled, new Random(seed));

    assertThat(ConnectionLedger.of(held, shuffled, PROBE))
        .isEqualTo(ConnectionLedger.of(held, allotments, PROBE));
  }

  @Property
  void aPolicysViewIsBoundedAndNamesItselfAndTheOverAllottedFirst(
      @ForAll("held") Map<ConsumerId, Integer> held,
      @ForAll("allotments") List<Allotment> allotments,
      @ForAll @IntRange(min = 1, max = 8) int max) {
    ConnectionLedger ledger = ConnectionLedger.of(held, allotments, PROBE);
    ConsumerId own =
        allotments.isEmpty()
            ? new ConsumerId("a", "r1")
            : new ConsumerId(allotments.get(0).applicationName(), allotments.get(0).role());

    List<Line> shown = ledger.shownFor(own, max);

    assertThat(shown).hasSizeLessThanOrEqualTo(max);
    if (!allotments.isEmpty()) assertThat(shown.get(0).id()).isEqualTo(own);
    List<Line> over = ledger.overAllotted().stream().filter(l -> !l.id().equals(own)).toList();
    int room = max - (allotments.isEmpty() ? 0 : 1);
    assertThat(shown).containsAll(over.subList(0, Math.min(room, over.size())));
  }
}
