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
      + " references the target Secret.")
  private Boolean discover = Boolean.FALSE;

  @Size(max = 100)
  @JsonPropertyDescription("Workloads (same namespace) that consume the target Secret.")
  private List<WorkloadRef> refs = new ArrayList<>();

  @JsonPropertyDescription("Workloads selected by label, in addition to refs.")
  private LabelSelector selector;

  @Default("OnChange")
  @JsonPropertyDescription("OnChange: roll the workloads when the written content changes. Never: don't.")
  private RestartPolicy restart = RestartPolicy.OnChange;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Workloads rolling at the same time. Default 1.")
  private Integer maxConcurrent = 1;

  public Boolean getDiscover() { return discover != null && discover; }
  public void setDiscover(Boolean discover) { this.discover = discover; }
  public List<WorkloadRef> getRefs() { return refs == null ? List.of() : refs; }
  public void setRefs(List<WorkloadRef> refs) { this.refs = refs; }
  public LabelSelector getSelector() { return selector; }
  public void setSelector(LabelSelector selector) { this.selector = selector; }
  public RestartPolicy getRestart() { return restart == null ? RestartPolicy.OnChange : restart; }
  public void setRestart(RestartPolicy restart) { this.restart = restart; }
  public Integer getMaxConcurrent() { return maxConcurrent; }
  public void setMaxConcurrent(Integer maxConcurrent) { this.maxConcurrent = maxConcurrent; }
}
