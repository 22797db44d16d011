package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.ConnectionLedger.Allotment;
import io.pgconn.operator.budget.ConnectionLedger.ConsumerId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The book, kept one policy at a time through any sequence of changes and departures, shows every
 * policy exactly what the whole ledger built from scratch would: with names a server rewrites
 * (non-ASCII, too long), names whose stored forms collide, and sessions under every form. It also
 * tells a listed name in any stored form, as the unlisted usage needs.
 */
class AllotmentBookPropertiesTest {

  private static final String PROBE = "pgconn-operator-probe";
  private static final List<String> NAMES =
      List.of("a", "b", "é", "ü", "??", "x".repeat(70), "x".repeat(63) + "y", PROBE, "");
  private static final List<String> ROLES = List.of("r1", "r2");
  private static final List<String> POLICIES = List.of("p0", "p1", "p2", "p3", "p4", "p5");

  /** A policy's allotment changing, or (empty) the policy leaving. */
  record Change(String policy, Optional<Allotment> allotment) {}

  @Provide
  Arbitrary<List<Change>> changes() {
    Arbitrary<Allotment> allotment =
        Combinators.combine(
                Arbitraries.of(NAMES),
                Arbitraries.of(ROLES),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 5))
            .as(Allotment::new);
    return Combinators.combine(Arbitraries.of(POLICIES), allotment.optional(0.8))
        .as(Change::new)
        .list()
        .ofMaxSize(25);
  }

  @Provide
  Arbitrary<Map<ConsumerId, Integer>> held() {
    Arbitrary<String> stored =
        Arbitraries.of(NAMES)
            .flatMap(
                name ->
                    Arbitraries.of(
                        Stream.concat(Stream.of(name), StoredApplicationName.forms(name).stream())
                            .distinct()
                            .toList()));
    Arbitrary<ConsumerId> consumer =
        Combinators.combine(stored, Arbitraries.of(ROLES)).as(ConsumerId::new);
    return Arbitraries.maps(consumer, Arbitraries.integers().between(0, 50)).ofMaxSize(12);
  }

  @Provide
  Arbitrary<ConsumerId> own() {
    return Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(ROLES)).as(ConsumerId::new);
  }

  @Property(tries = 2000)
  void showsWhatTheWholeLedgerShows(
      @ForAll("changes") List<Change> changes,
      @ForAll("held") Map<ConsumerId, Integer> held,
      @ForAll("own") ConsumerId own,
      @ForAll @IntRange(min = 1, max = 8) int max) {
    AllotmentBook book = new AllotmentBook();
    Map<String, Allotment> expected = new HashMap<>();
    for (Change change : changes) {
      change
          .allotment()
          .ifPresentOrElse(
              a -> {
                book.put(change.policy(), a);
                expected.put(change.policy(), a);
              },
              () -> {
                book.remove(change.policy());
                expected.remove(change.policy());
              });
    }

    assertThat(book.allotments()).containsExactlyInAnyOrderElementsOf(expected.values());
    Set<String> listed =
        UsageWindow.storedForms(
            expected.values().stream().map(Allotment::applicationName).toList());
    for (ConsumerId id : held.keySet()) {
      assertThat(book.lists(id.applicationName()))
          .as("lists %s", id.applicationName())
          .isEqualTo(listed.contains(id.applicationName()));
    }
    assertThat(book.shownFor(held, PROBE, own, max))
        .isEqualTo(ConnectionLedger.of(held, expected.values(), PROBE).shownFor(own, max));
  }
}
