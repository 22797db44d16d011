package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeStatus {
  private String time;
  private Long latencyMs;

  @JsonPropertyDescription(
      "Success, or the failure reason (e.g. AuthenticationFailed, TooManyConnections).")
  private String result;

  private String message;

  public ProbeStatus() {}

  public ProbeStatus(String time, Long latencyMs, String result, String message) {
    this.time = time;
    this.latencyMs = latencyMs;
    this.result = result;
    this.message = message;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Long getLatencyMs() {
    return latencyMs;
  }

  public void setLatencyMs(Long latencyMs) {
    this.latencyMs = latencyMs;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProbeStatus that
        && Objects.equals(time, that.time)
        && Objects.equals(latencyMs, that.latencyMs)
        && Objects.equals(result, that.result)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, latencyMs, result, message);
  }
}
