package io.pgconn.operator.budget;

import java.util.Objects;

/**
 * What a decision's explanation and remedy say apart from their numbers, recorded as they are
 * written: by {@link ServerShares} for an admitted policy ({@link Admitted}), by {@link Admission}
 * for a refused newcomer ({@link Refused}). Two decisions with equal terms have explanations and
 * remedies that differ at most in their other numbers.
 *
 * <p>Why it exists: each policy that joins a shared server moves every peer's explanation by its
 * numbers only ("shared with 999 other policies", "has 3 of 40 left after the floors of the 37
 * policies"). Telling which peers' decisions moved in meaning by walking both texts took 28% of the
 * budget index's time at 1,000 policies on one server (about a million comparisons of 150-character
 * strings, on C1-compiled code). Equal terms compare a few fields.
 */
public sealed interface DecisionTerms {

  /**
   * An admitted policy's decision.
   *
   * @param arithmetic the terms of the arithmetic of the limit the explanation shows
   * @param pods which form the pods part takes ("1 pod", "3 pods (2 HPA max + 1 surge)", ...)
   * @param sharing which form the sharing part takes (none, one other policy or several, with fixed
   *     pools, with weights)
   * @param tail how the limit is given: auto, fixed, or fixed exceeding the budget
   * @param note the note after the limit, if any
   * @param target the target a kept or waiting limit names ("target 16"), else -1
   * @param remedy the remedy {@linkplain #withoutNumbers without its numbers}, empty if none
   */
  record Admitted(
      Arithmetic arithmetic, int pods, int sharing, Tail tail, Note note, int target, String remedy)
      implements DecisionTerms {

    // Written out, as in each record here: C1, the image's only compiler, runs a record's
    // generated equals and hashCode through method handles it does not inline. With them, these
    // records' comparisons and LimitScope's took about a fifth of the budget index's time at 4,000
    // policies on one server. RecordEqualityTest holds them to the components.
    @Override
    public boolean equals(Object o) {
      return o instanceof Admitted t
          && pods == t.pods
          && sharing == t.sharing
          && target == t.target
          && tail == t.tail
          && note == t.note
          && Objects.equals(arithmetic, t.arithmetic)
          && Objects.equals(remedy, t.remedy);
    }

    // Terms are compared, not hashed on a hot path: the plain form is enough here.
    @Override
    public int hashCode() {
      return Objects.hash(arithmetic, pods, sharing, tail, note, target, remedy);
    }
  }

  /**
   * A refused newcomer's decision: "not admitted: it needs N (P pods x min M) and the SCOPE has F
   * of C left after the floors of the K policies already running there; ..." and its remedy.
   *
   * @param onePod one pod (the singular) or more
   * @param fixed whether the floor is a fixed connectionLimit rather than a min
   * @param scope the kind of the limit that refused it
   * @param scopeName its role's or database's name, empty for the server
   * @param keepHeld counted beside what running policies hold, rather than after their floors
   * @param onePolicy one running policy in that scope (the singular) or more
   * @param lowerFirst whether the remedy first offers a lower min or connectionLimit that fits
   */
  record Refused(
      boolean onePod,
      boolean fixed,
      LimitScope.Kind scope,
      String scopeName,
      boolean keepHeld,
      boolean onePolicy,
      boolean lowerFirst)
      implements DecisionTerms {

    @Override
    public boolean equals(Object o) {
      return o instanceof Refused t
          && onePod == t.onePod
          && fixed == t.fixed
          && scope == t.scope
          && keepHeld == t.keepHeld
          && onePolicy == t.onePolicy
          && lowerFirst == t.lowerFirst
          && Objects.equals(scopeName, t.scopeName);
    }

    @Override
    public int hashCode() {
      return Objects.hash(onePod, fixed, scope, scopeName, keepHeld, onePolicy, lowerFirst);
    }
  }

  /**
   * The terms of a limit's arithmetic: "C = M max - R reserved - X reserve (largest of N policies)
   * - P probe connections - U used by unlisted clients", or the same for a role or database limit.
   *
   * @param probes 0, 1 or 2 for two or more (the plural)
   */
  record Arithmetic(
      LimitScope.Kind kind, String name, boolean largestOfMany, int probes, boolean unlisted) {

    @Override
    public boolean equals(Object o) {
      return o instanceof Arithmetic t
          && kind == t.kind
          && largestOfMany == t.largestOfMany
          && probes == t.probes
          && unlisted == t.unlisted
          && Objects.equals(name, t.name);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, name, largestOfMany, probes, unlisted);
    }
  }

  enum Tail {
    AUTO,
    FIXED,
    FIXED_EXCEEDING
  }

  enum Note {
    NONE,
    /** A raise too small to restart for: "(kept P: target T is less than a raise of S)". */
    KEPT,
    MIN_DOES_NOT_FIT,
    CAPPED_AT_MAX,
    /** "(W until peers have rolled to lower limits: target T, S free while ...)". */
    WAITING_FOR_PEERS
  }

  /**
   * The text with each run of digits replaced by one NUL (no PostgreSQL name holds one), except a
   * run right after "target ": the same equivalence as the reconciler's comparison of texts.
   */
  static String withoutNumbers(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (isDigit(c) && !text.startsWith("target ", i - "target ".length())) {
        out.append('\0');
        while (i < text.length() && isDigit(text.charAt(i))) i++;
      } else {
        // A run after "target " is copied whole: its first digit here, the rest as they come.
        out.append(c);
        i++;
        while (isDigit(c) && i < text.length() && isDigit(text.charAt(i)))
          out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
