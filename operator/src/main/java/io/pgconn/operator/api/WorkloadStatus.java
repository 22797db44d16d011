package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadStatus {
  private WorkloadKind kind;
  private String name;

  @JsonPropertyDescription("UpToDate | Restarting | Pending | Held | NextRun | Missing.")
  private String state;

  @JsonPropertyDescription(
      "Why it is in this state, as one word (e.g. Settling, WaitingForSlot,"
          + " Paused, OptedOut, ProgressDeadlineExceeded, ConnectionRefused).")
  private String reason;

  @JsonPropertyDescription("Content hash stamped on the workload's pod template.")
  private String contentHash;

  @JsonPropertyDescription("When the operator last restarted it (for contentHash).")
  private String restartedAt;

  @JsonPropertyDescription("Why it is in this state, when not UpToDate.")
  private String message;

  public WorkloadStatus() {}

  public WorkloadStatus(
      WorkloadKind kind,
      String name,
      String state,
      String contentHash,
      String restartedAt,
      String message) {
    this(kind, name, state, null, contentHash, restartedAt, message);
  }

  public WorkloadStatus(
      WorkloadKind kind,
      String name,
      String state,
      String reason,
      String contentHash,
      String restartedAt,
      String message) {
    this.kind = kind;
    this.name = name;
    this.state = state;
    this.reason = reason;
    this.contentHash = contentHash;
    this.restartedAt = restartedAt;
    this.message = message;
  }

  public WorkloadKind getKind() {
    return kind;
  }

  public void setKind(WorkloadKind kind) {
    this.kind = kind;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getState() {
    return state;
  }

  public void setState(String state) {
    this.state = state;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getContentHash() {
    return contentHash;
  }

  public void setContentHash(String contentHash) {
    this.contentHash = contentHash;
  }

  public String getRestartedAt() {
    return restartedAt;
  }

  public void setRestartedAt(String restartedAt) {
    this.restartedAt = restartedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkloadStatus that
        && kind == that.kind
        && Objects.equals(name, that.name)
        && Objects.equals(state, that.state)
        && Objects.equals(reason, that.reason)
        && Objects.equals(contentHash, that.contentHash)
        && Objects.equals(restartedAt, that.restartedAt)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name, state, reason, contentHash, restartedAt, message);
  }
}
