package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One line of the troubleshooting checklist, as the last probe evaluated it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyCheck {
  @JsonPropertyDescription("e.g. ssl-enabled, usage-below-80-percent.")
  private String name;

  @JsonPropertyDescription("Pass | Fail | Unknown.")
  private String status;

  private String message;

  public PolicyCheck() {}

  public PolicyCheck(String name, String status, String message) {
    this.name = name;
    this.status = status;
    this.message = message;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyCheck that
        && Objects.equals(name, that.name)
        && Objects.equals(status, that.status)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, status, message);
  }
}
