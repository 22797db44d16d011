package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

public class WorkloadsSpec {

  // Each default stated once: the CRD's schema default, the description and the getters use these.
  static final int DEFAULT_MAX_CONCURRENT = 1;
  static final int DEFAULT_SETTLE_SECONDS = 5;
  static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  @Default("false")
  @JsonPropertyDescription(
      "Also every Deployment/StatefulSet/DaemonSet in the namespace whose pod template"
          + " references the target Secret (env, envFrom, secret and projected volumes); CronJobs and"
          + " Jobs that reference it are reported (state NextRun). A workload annotated"
          + " pgconn.io/restart: \"false\" is never restarted.")
  private Boolean discover;

  @Size(max = 100)
  @JsonPropertyDescription("Workloads (same namespace) that consume the target Secret.")
  private List<WorkloadRef> refs = new ArrayList<>();

  @JsonPropertyDescription(
      "Deployments, StatefulSets and DaemonSets of the namespace selected by label, in"
          + " addition to refs.")
  private LabelSelector selector;

  @Default("OnChange")
  @JsonPropertyDescription(
      "OnChange: roll the workloads when the written content changes. Never: don't.")
  private RestartPolicy restart;

  @Default("" + DEFAULT_MAX_CONCURRENT)
  @Min(1)
  @JsonPropertyDescription(
      "Workloads rolling at the same time; the next one is restarted when a"
          + " rollout completes. Default "
          + DEFAULT_MAX_CONCURRENT
          + ".")
  private Integer maxConcurrent;

  @Default("" + DEFAULT_SETTLE_SECONDS)
  @Min(0)
  @JsonPropertyDescription(
      "Seconds the written content must stay unchanged before workloads that"
          + " already run an older content are restarted, so changes close together give one rollout."
          + " Default "
          + DEFAULT_SETTLE_SECONDS
          + ".")
  private Integer settleSeconds;

  @Default("" + DEFAULT_PROGRESS_DEADLINE_SECONDS)
  @Min(1)
  @JsonPropertyDescription(
      "Seconds a restarted workload may take to complete its rollout (besides"
          + " a Deployment's own progressDeadlineSeconds); past it the sequence stops (state Held)."
          + " Default "
          + DEFAULT_PROGRESS_DEADLINE_SECONDS
          + ".")
  private Integer progressDeadlineSeconds;

  public Boolean getDiscover() {
    return discover != null && discover;
  }

  public void setDiscover(Boolean discover) {
    this.discover = discover;
  }

  public List<WorkloadRef> getRefs() {
    return refs == null ? List.of() : refs;
  }

  public void setRefs(List<WorkloadRef> refs) {
    this.refs = refs;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public RestartPolicy getRestart() {
    return restart == null ? RestartPolicy.OnChange : restart;
  }

  public void setRestart(RestartPolicy restart) {
    this.restart = restart;
  }

  public Integer getMaxConcurrent() {
    return maxConcurrent == null ? DEFAULT_MAX_CONCURRENT : Math.max(1, maxConcurrent);
  }

  public void setMaxConcurrent(Integer maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  public Integer getSettleSeconds() {
    return settleSeconds == null ? DEFAULT_SETTLE_SECONDS : Math.max(0, settleSeconds);
  }

  public void setSettleSeconds(Integer settleSeconds) {
    this.settleSeconds = settleSeconds;
  }

  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds == null
        ? DEFAULT_PROGRESS_DEADLINE_SECONDS
        : Math.max(1, progressDeadlineSeconds);
  }

  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }
}
