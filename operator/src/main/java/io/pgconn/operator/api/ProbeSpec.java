package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

public class ProbeSpec {

  public static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
  public static final Duration MAX_INTERVAL = Duration.ofHours(24);
  private static final String INTERVAL_BOUNDS = "spec.probe.interval must be between 10s and 24h";

  // The pattern bounds the length (at most 3 parts of at most 5 digits), so the numbers always
  // fit and CEL's duration() stays cheap; the rule bounds the value.
  @Default("5m")
  @Pattern("^([0-9]{1,5}(s|m|h)){1,3}$")
  @ValidationRule(
      value = "duration(self) >= duration('10s') && duration(self) <= duration('24h')",
      message = INTERVAL_BOUNDS + ", e.g. 30s, 5m, 1h30m")
  @JsonPropertyDescription(
      "How often the server is probed, 10s to 24h, e.g. 30s, 5m, 1h30m. Default 5m.")
  private String interval = "5m";

  @Default("Enforce")
  @JsonPropertyDescription(
      "Enforce: publish new content only after a passing probe. Observe: publish anyway"
          + " and report. Off: no probing.")
  private ProbeMode mode = ProbeMode.Enforce;

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public ProbeMode getMode() {
    return mode == null ? ProbeMode.Enforce : mode;
  }

  public void setMode(ProbeMode mode) {
    this.mode = mode;
  }

  /**
   * The interval as a Duration. The CRD refuses anything out of bounds; this refuses it again, with
   * the same words, should a value get past it (an older CRD, a direct client).
   *
   * @throws IllegalArgumentException for an interval outside 10s..24h or one too large to count
   */
  public Duration intervalDuration() {
    String text = interval == null ? "5m" : interval;
    Duration total = Duration.ZERO;
    var matcher = java.util.regex.Pattern.compile("([0-9]+)([smh])").matcher(text);
    while (matcher.find()) {
      // More than 7 digits is more than 24h in any unit: refuse before the arithmetic overflows.
      if (matcher.group(1).length() > 7) {
        throw new IllegalArgumentException(
            INTERVAL_BOUNDS + " (got a " + matcher.group(1).length() + "-digit number)");
      }
      long amount = Long.parseLong(matcher.group(1));
      total =
          total.plus(
              switch (matcher.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
              });
    }
    if (total.isZero() && !text.matches(".*[0-9].*")) {
      return Duration.ofMinutes(5);
    }
    if (total.compareTo(MIN_INTERVAL) < 0 || total.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException(INTERVAL_BOUNDS + " (got " + text + ")");
    }
    return total;
  }
}
