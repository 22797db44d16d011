package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.DecisionTerms;
import io.pgconn.operator.budget.PoolDecision;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Peers are woken only when their decision's meaning moves ({@link SizingVerdict#sameMeaning}): a
 * peer left asleep must find nothing to write when it next reconciles, so the cheap comparison may
 * never call two messages the same where the status comparison ({@link SizingVerdict#terms}) sees a
 * difference.
 */
class SizingVerdictPropertiesTest {

  @Property(tries = 5000)
  void sameTermsIsNeverCoarserThanTheStatusComparison(
      @ForAll("messages") String a, @ForAll("messages") String b) {
    if (SizingVerdict.sameTerms(a, b)) {
      assertThat(SizingVerdict.terms(a)).isEqualTo(SizingVerdict.terms(b));
    }
    assertThat(SizingVerdict.sameTerms(a, b)).isEqualTo(SizingVerdict.sameTerms(b, a));
  }

  /**
   * A division compares its decisions by their recorded terms, which keep what {@link
   * DecisionTerms#withoutNumbers} keeps: the same equivalence as this comparison of texts, used
   * where a decision has no terms recorded.
   */
  @Property(tries = 5000)
  void theTextComparisonAndTheTermsKeepTheSameWords(
      @ForAll("messages") String a, @ForAll("messages") String b) {
    assertThat(SizingVerdict.sameTerms(a, b))
        .isEqualTo(DecisionTerms.withoutNumbers(a).equals(DecisionTerms.withoutNumbers(b)));
  }

  @Property(tries = 2000)
  void onMessagesWithoutPluralsBothComparisonsAgree(
      @ForAll("templates") List<String> parts,
      @ForAll("numbers") List<Integer> first,
      @ForAll("numbers") List<Integer> second) {
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      a.append(parts.get(i)).append(first.get(i % first.size()));
      b.append(parts.get(i)).append(second.get(i % second.size()));
    }
    // No plural in these words: the cheap comparison and the status comparison must agree.
    assertThat(SizingVerdict.sameTerms(a.toString(), b.toString()))
        .isEqualTo(SizingVerdict.terms(a.toString()).equals(SizingVerdict.terms(b.toString())));
  }

  @Example
  void theServersNumbersDriftButATargetPromisedDoesNot() {
    String before =
        "1096 = 1100 max - 3 reserved - 0 reserve (largest of 999 policies) - 1 probe connection;"
            + " 1 pod, shared with 998 other policies, weight 1 of 999 -> 1 each";
    String after =
        "1095 = 1100 max - 3 reserved - 0 reserve (largest of 999 policies) - 1 probe connection;"
            + " 1 pod, shared with 1000 other policies, weight 1 of 1001 -> 1 each";
    assertThat(SizingVerdict.sameTerms(before, after)).isTrue();
    assertThat(SizingVerdict.sameTerms("1 until peers: target 16", "1 until peers: target 17"))
        .isFalse();
    assertThat(SizingVerdict.sameTerms("1 until peers: target 16", "2 until peers: target 16"))
        .isTrue();
    assertThat(SizingVerdict.sameTerms(before, before + " - 3 used by unlisted clients")).isFalse();
  }

  @Example
  void aDecisionsLimitVerdictAndRaiseAllCount() {
    PoolDecision base = new PoolDecision(4, 2, 100, true, "100 = 103 max -> 4 each", "", false);
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(4, 2, 99, true, "99 = 102 max -> 4 each", "", false)))
        .isTrue();
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(5, 2, 100, true, "100 = 103 max -> 5 each", "", false)))
        .as("another limit")
        .isFalse();
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(4, 3, 100, true, "100 = 103 max -> 4 each", "", false)))
        .as("other pods")
        .isFalse();
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(4, 2, 100, false, "100 = 103 max -> 4 each", "", false)))
        .as("another verdict")
        .isFalse();
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(4, 2, 100, true, "100 = 103 max -> 4 each", "", true)))
        .as("a raise now waiting")
        .isFalse();
    assertThat(
            SizingVerdict.sameMeaning(
                base, new PoolDecision(4, 2, null, true, "100 = 103 max -> 4 each", "", false)))
        .as("no longer budgeted")
        .isFalse();
  }

  @Provide
  Arbitrary<String> messages() {
    return Arbitraries.of(
            "1", "16", "0", "target ", "target 1", " ", "policies", "policy", "x", "-")
        .list()
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<List<String>> templates() {
    return Arbitraries.of(" = ", " max - ", " reserved; ", ": target ", " each (", "shared with ")
        .list()
        .ofMinSize(1)
        .ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<Integer>> numbers() {
    return Arbitraries.integers().between(0, 2000).list().ofMinSize(1).ofMaxSize(6);
  }
}
