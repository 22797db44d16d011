package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

public class WorkloadRef {

  @Default("Deployment")
  @JsonPropertyDescription(
      "Deployment | StatefulSet | DaemonSet (restarted on change) | CronJob | Job"
          + " (reported only: the next run reads the current Secret). Default Deployment.")
  private WorkloadKind kind = WorkloadKind.Deployment;

  @Required
  @JsonPropertyDescription("Name of the workload, in the policy's namespace.")
  private String name;

  public WorkloadRef() {}

  public WorkloadRef(WorkloadKind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  public WorkloadKind getKind() {
    return kind == null ? WorkloadKind.Deployment : kind;
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
}
