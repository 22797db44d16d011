package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self.min <= self.max", message = "auto.min must not exceed auto.max")
public class AutoPoolSpec {

  @Default("5")
  @Min(0)
  @JsonPropertyDescription("Server slots kept free for admins, migrations and clients no policy lists."
      + " Default 5.")
  private Integer reserve = 5;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Smallest per-pod pool. Default 1.")
  private Integer min = 1;

  @Default("50")
  @Min(1)
  @JsonPropertyDescription("Largest per-pod pool. Default 50.")
  private Integer max = 50;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Share of the server budget among policies on the same server. Default 1.")
  private Integer weight = 1;

  public int getReserve() { return reserve == null ? 5 : reserve; }
  public void setReserve(Integer reserve) { this.reserve = reserve; }
  public int getMin() { return min == null ? 1 : min; }
  public void setMin(Integer min) { this.min = min; }
  public int getMax() { return max == null ? 50 : max; }
  public void setMax(Integer max) { this.max = max; }
  public int getWeight() { return weight == null ? 1 : weight; }
  public void setWeight(Integer weight) { this.weight = weight; }
}
