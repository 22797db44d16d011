package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

public class WorkloadsSpec {

  @Default("false")
  @JsonPropertyDescription("Also every Deployment/StatefulSet/DaemonSet in the namespace whose pod template"
      + " references the target Secret (env, envFrom, secret and projected volumes); CronJobs and"
      + " Jobs that reference it are reported (state NextRun). A workload annotated"
      + " pgconn.io/restart: \"false\" is never restarted.")
  private Boolean discover = Boolean.FALSE;

  @Size(max = 100)
  @JsonPropertyDescription("Workloads (same namespace) that consume the target Secret.")
  private List<WorkloadRef> refs = new ArrayList<>();

  @JsonPropertyDescription("Deployments, StatefulSets and DaemonSets of the namespace selected by label, in"
      + " addition to refs.")
  private LabelSelector selector;

  @Default("OnChange")
  @JsonPropertyDescription("OnChange: roll the workloads when the written content changes. Never: don't.")
  private RestartPolicy restart = RestartPolicy.OnChange;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Workloads rolling at the same time; the next one is restarted when a"
      + " rollout completes. Default 1.")
  private Integer maxConcurrent = 1;

  @Default("5")
  @Min(0)
  @JsonPropertyDescription("Seconds the written content must stay unchanged before workloads that"
      + " already run an older content are restarted, so changes close together give one rollout."
      + " Default 5.")
  private Integer settleSeconds = 5;

  @Default("600")
  @Min(1)
  @JsonPropertyDescription("Seconds a restarted workload may take to complete its rollout (besides"
      + " a Deployment's own progressDeadlineSeconds); past it the sequence stops (state Held)."
      + " Default 600.")
  private Integer progressDeadlineSeconds = 600;

  public Boolean getDiscover() { return discover != null && discover; }
  public void setDiscover(Boolean discover) { this.discover = discover; }
  public List<WorkloadRef> getRefs() { return refs == null ? List.of() : refs; }
  public void setRefs(List<WorkloadRef> refs) { this.refs = refs; }
  public LabelSelector getSelector() { return selector; }
  public void setSelector(LabelSelector selector) { this.selector = selector; }
  public RestartPolicy getRestart() { return restart == null ? RestartPolicy.OnChange : restart; }
  public void setRestart(RestartPolicy restart) { this.restart = restart; }
  public Integer getMaxConcurrent() { return maxConcurrent == null ? 1 : Math.max(1, maxConcurrent); }
  public void setMaxConcurrent(Integer maxConcurrent) { this.maxConcurrent = maxConcurrent; }
  public Integer getSettleSeconds() { return settleSeconds == null ? 5 : Math.max(0, settleSeconds); }
  public void setSettleSeconds(Integer settleSeconds) { this.settleSeconds = settleSeconds; }
  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds == null ? 600 : Math.max(1, progressDeadlineSeconds);
  }
  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }
}
