package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value =
        "!has(self.target) || !has(self.target.secretName) || !has(self.source.secretRef)"
            + " || self.target.secretName != self.source.secretRef.name"
            + " || ((!has(self.target.labels) || size(self.target.labels) == 0)"
            + " && (!has(self.target.annotations) || size(self.target.annotations) == 0))",
    message =
        "spec.target.labels and spec.target.annotations apply to a target Secret of the"
            + " operator's own: in place mode (spec.target.secretName names the source Secret)"
            + " writes only the source's data, never its metadata. Remove them, or give the"
            + " policy a target of its own")
@ValidationRule(
    value =
        "!has(self.target) || !has(self.target.secretName)"
            + " || ((!has(self.source.fields) || self.target.secretName != self.source.fields.name)"
            + " && (!has(self.source.json) || self.target.secretName != self.source.json.name))",
    message =
        "spec.target.secretName names the source Secret: rewriting a source in place works only"
            + " for a URL source (spec.source.secretRef). Give the policy a target Secret of its"
            + " own (e.g. leave spec.target.secretName out)")
public class PolicySpec {

  @Required
  @JsonPropertyDescription(
      "Where the base connection comes from, in one of three shapes: secretRef (a URL in one"
          + " key), fields (host, port, dbname, user, password in keys of one Secret, e.g."
          + " CloudNativePG's <cluster>-app) or json (a JSON document, e.g. an AWS RDS secret);"
          + " plus an optional caSecretRef for verify-ca/verify-full. The operator never modifies"
          + " the source (except in place mode, URL sources only, after saving the original)."
          + " Label source and CA Secrets "
          + SourceSpec.WATCH_LABEL
          + ": \"true\" (an External Secrets template, CloudNativePG's inheritedMetadata): the"
          + " operator then watches them with one watch per namespace; an unlabelled Secret costs"
          + " a watch of its own.")
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
