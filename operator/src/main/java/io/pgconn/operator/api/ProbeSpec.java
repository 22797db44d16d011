package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

public class ProbeSpec {

  @Default("5m")
  @Pattern("^([0-9]+(s|m|h))+$")
  @JsonPropertyDescription("How often the server is probed, e.g. 30s, 5m, 1h. Default 5m.")
  private String interval = "5m";

  @Default("Enforce")
  @JsonPropertyDescription("Enforce: publish new content only after a passing probe. Observe: publish anyway"
      + " and report. Off: no probing.")
  private ProbeMode mode = ProbeMode.Enforce;

  public String getInterval() { return interval; }
  public void setInterval(String interval) { this.interval = interval; }
  public ProbeMode getMode() { return mode == null ? ProbeMode.Enforce : mode; }
  public void setMode(ProbeMode mode) { this.mode = mode; }

  /** The interval as a Duration; the CRD pattern guarantees the shape, this guards the arithmetic. */
  public Duration intervalDuration() {
    String text = interval == null ? "5m" : interval;
    Duration total = Duration.ZERO;
    var matcher = java.util.regex.Pattern.compile("([0-9]+)([smh])").matcher(text);
    while (matcher.find()) {
      long amount = Long.parseLong(matcher.group(1));
      total = total.plus(switch (matcher.group(2)) {
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      });
    }
    return total.isZero() ? Duration.ofMinutes(5) : total;
  }
}
