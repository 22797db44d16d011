package io.pgconn.operator.budget;

/**
 * What a decision's explanation and remedy say apart from their numbers, recorded by {@link
 * ServerShares} as it writes them: which limit's arithmetic, which form each part of the sentence
 * takes, and the target a kept or waiting limit promises (a number the policy's status must show
 * when it moves). Two decisions with equal terms have explanations and remedies that differ at most
 * in their other numbers.
 *
 * <p>Why it exists: each policy that joins a shared server moves every peer's explanation by its
 * numbers only ("shared with 999 other policies"). Telling which peers' decisions moved in meaning
 * by walking both texts took 28% of the budget index's time at 1,000 policies on one server (about
 * a million comparisons of 150-character strings, on C1-compiled code). Equal terms compare a few
 * fields.
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
public record DecisionTerms(
    Arithmetic arithmetic, int pods, int sharing, Tail tail, Note note, int target, String remedy) {

  /**
   * The terms of a limit's arithmetic: "C = M max - R reserved - X reserve (largest of N policies)
   * - P probe connections - U used by unlisted clients", or the same for a role or database limit.
   *
   * @param probes 0, 1 or 2 for two or more (the plural)
   */
  public record Arithmetic(
      LimitScope.Kind kind, String name, boolean largestOfMany, int probes, boolean unlisted) {}

  public enum Tail {
    AUTO,
    FIXED,
    FIXED_EXCEEDING
  }

  public enum Note {
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
  public static String withoutNumbers(String text) {
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
