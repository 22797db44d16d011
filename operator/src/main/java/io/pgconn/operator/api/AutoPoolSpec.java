package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self.min <= self.max", message = "auto.min must not exceed auto.max")
public class AutoPoolSpec {

  // Each default stated once: the CRD's schema default, the description and the getters use these.
  public static final int DEFAULT_RESERVE = 5;
  public static final int DEFAULT_MIN = 1;
  public static final int DEFAULT_MAX = 50;
  public static final int DEFAULT_WEIGHT = 1;

  /**
   * Caps that keep one policy from claiming a whole server's budget by its numbers alone: a weight
   * of 100 already gives one policy 99% against a peer of weight 1; reserve and pool sizes above
   * 1000 exceed what any single PostgreSQL server is configured for.
   */
  public static final int MAX_WEIGHT = 100;

  public static final int MAX_RESERVE = 1000;
  public static final int MAX_POOL = 1000;

  @Default("" + DEFAULT_RESERVE)
  @Min(0)
  @Max(MAX_RESERVE)
  @JsonPropertyDescription(
      "Server slots kept free for admins, migrations and clients no policy lists,"
          + " 0 to 1000. Kept once per server: policies sharing a server keep the largest"
          + " reserve any of them asks for. Default "
          + DEFAULT_RESERVE
          + ".")
  private Integer reserve;

  @Default("" + DEFAULT_MIN)
  @Min(1)
  @Max(MAX_POOL)
  @JsonPropertyDescription(
      "Smallest per-pod pool, 1 to 1000. Default "
          + DEFAULT_MIN
          + ". A running policy keeps the limit it has whatever joins its server: a new policy"
          + " gets only what is free there, and one whose pods x min does not fit in it is"
          + " refused (BudgetSatisfied and Ready False, reason NotAdmitted; nothing written) until"
          + " it fits. Shares move only by an explicit change (a policy's min, max, weight,"
          + " reserve or pods, such as an HPA maximum): the server is then divided again by"
          + " weight above the mins, never below a min.")
  private Integer min;

  @Default("" + DEFAULT_MAX)
  @Min(1)
  @Max(MAX_POOL)
  @JsonPropertyDescription(
      "Largest per-pod pool, 1 to 1000. Default "
          + DEFAULT_MAX
          + ". On a shared server, policies keep what they hold up to it when others join: a"
          + " max that leaves room is what lets the services still to come in.")
  private Integer max;

  @Default("" + DEFAULT_WEIGHT)
  @Min(1)
  @Max(MAX_WEIGHT)
  @JsonPropertyDescription(
      "Share of the server budget among policies on the same server, 1 to 100, applied"
          + " whenever the server is divided again (an explicit change of a policy there, or"
          + " policies that arrive together). Default "
          + DEFAULT_WEIGHT
          + ".")
  private Integer weight;

  public int getReserve() {
    return reserve == null ? DEFAULT_RESERVE : reserve;
  }

  public void setReserve(Integer reserve) {
    this.reserve = reserve;
  }

  public int getMin() {
    return min == null ? DEFAULT_MIN : min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public int getMax() {
    return max == null ? DEFAULT_MAX : max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }

  public int getWeight() {
    return weight == null ? DEFAULT_WEIGHT : weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }
}
