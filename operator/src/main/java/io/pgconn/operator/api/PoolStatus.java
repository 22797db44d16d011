package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolStatus {
  @JsonPropertyDescription("Per-pod pool size written to the pooled outputs.")
  private Integer connectionLimit;

  @JsonPropertyDescription(
      "Pods that may hold a pool at once (replicas or HPA max, plus rollout surge). A DaemonSet"
          + " counts its scheduled nodes rounded up to the next step of 0, 2, 4, 6, 8, 10, 13,"
          + " 17, 22, 28, 35, ... (each 25% and at least 2 above the last), so nodes joining or"
          + " leaving between two steps change no pool size.")
  private Integer consumers;

  @JsonPropertyDescription(
      "Server connections available to this policy's pods. Like explanation, refreshed when this"
          + " policy's limit, pods, verdict or the terms of its arithmetic change, when its own"
          + " content changes, and with the hourly probe record (status.lastProbe): a peer joining"
          + " without moving this share does not rewrite it.")
  private Integer budget;

  @JsonPropertyDescription(
      "The arithmetic, in one line (also BudgetSatisfied's message). Its numbers may lag the"
          + " server's by up to an hour when only they moved; see budget.")
  private String explanation;

  @JsonPropertyDescription("The sslmode written to the outputs.")
  private String sslMode;

  public Integer getConnectionLimit() {
    return connectionLimit;
  }

  public void setConnectionLimit(Integer connectionLimit) {
    this.connectionLimit = connectionLimit;
  }

  public Integer getConsumers() {
    return consumers;
  }

  public void setConsumers(Integer consumers) {
    this.consumers = consumers;
  }

  public Integer getBudget() {
    return budget;
  }

  public void setBudget(Integer budget) {
    this.budget = budget;
  }

  public String getExplanation() {
    return explanation;
  }

  public String getSslMode() {
    return sslMode;
  }

  public void setSslMode(String sslMode) {
    this.sslMode = sslMode;
  }

  public void setExplanation(String explanation) {
    this.explanation = explanation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolStatus that
        && Objects.equals(connectionLimit, that.connectionLimit)
        && Objects.equals(consumers, that.consumers)
        && Objects.equals(budget, that.budget)
        && Objects.equals(explanation, that.explanation)
        && Objects.equals(sslMode, that.sslMode);
  }

  @Override
  public int hashCode() {
    return Objects.hash(connectionLimit, consumers, budget, explanation, sslMode);
  }
}
