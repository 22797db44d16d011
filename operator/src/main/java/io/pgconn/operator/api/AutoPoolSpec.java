package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self.min <= self.max", message = "auto.min must not exceed auto.max")
public class AutoPoolSpec {

  /**
   * Caps that keep one policy from claiming a whole server's budget by its numbers alone: a weight
   * of 100 already gives one policy 99% against a peer of weight 1; reserve and pool sizes above
   * 1000 exceed what any single PostgreSQL server is configured for.
   */
  public static final int MAX_WEIGHT = 100;

  public static final int MAX_RESERVE = 1000;
  public static final int MAX_POOL = 1000;

  @Default("5")
  @Min(0)
  @Max(MAX_RESERVE)
  @JsonPropertyDescription(
      "Server slots kept free for admins, migrations and clients no policy lists,"
          + " 0 to 1000. Default 5.")
  private Integer reserve = 5;

  @Default("1")
  @Min(1)
  @Max(MAX_POOL)
  @JsonPropertyDescription("Smallest per-pod pool, 1 to 1000. Default 1.")
  private Integer min = 1;

  @Default("50")
  @Min(1)
  @Max(MAX_POOL)
  @JsonPropertyDescription("Largest per-pod pool, 1 to 1000. Default 50.")
  private Integer max = 50;

  @Default("1")
  @Min(1)
  @Max(MAX_WEIGHT)
  @JsonPropertyDescription(
      "Share of the server budget among policies on the same server, 1 to 100." + " Default 1.")
  private Integer weight = 1;

  public int getReserve() {
    return reserve == null ? 5 : reserve;
  }

  public void setReserve(Integer reserve) {
    this.reserve = reserve;
  }

  public int getMin() {
    return min == null ? 1 : min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public int getMax() {
    return max == null ? 50 : max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }

  public int getWeight() {
    return weight == null ? 1 : weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }
}
