package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class PolicySpec {

  @Required
  @JsonPropertyDescription(
      "Where the base connection string comes from. The operator never modifies it"
          + " (except in place mode, after saving the original).")
  private SourceSpec source = new SourceSpec();

  @JsonPropertyDescription(
      "The Secret the tuned connection strings are written to, and in which dialects.")
  private TargetSpec target = new TargetSpec();

  @JsonPropertyDescription("Pool and connection settings applied to every pooled output.")
  private PoolSpec pool = new PoolSpec();

  @JsonPropertyDescription(
      "The workloads that consume the target Secret and are restarted when it changes.")
  private WorkloadsSpec workloads = new WorkloadsSpec();

  @JsonPropertyDescription("How and how often the operator verifies the server.")
  private ProbeSpec probe = new ProbeSpec();

  public SourceSpec getSource() {
    return source;
  }

  public void setSource(SourceSpec source) {
    this.source = source;
  }

  public TargetSpec getTarget() {
    return target;
  }

  public void setTarget(TargetSpec target) {
    this.target = target;
  }

  public PoolSpec getPool() {
    return pool;
  }

  public void setPool(PoolSpec pool) {
    this.pool = pool;
  }

  public WorkloadsSpec getWorkloads() {
    return workloads;
  }

  public void setWorkloads(WorkloadsSpec workloads) {
    this.workloads = workloads;
  }

  public ProbeSpec getProbe() {
    return probe;
  }

  public void setProbe(ProbeSpec probe) {
    this.probe = probe;
  }
}
