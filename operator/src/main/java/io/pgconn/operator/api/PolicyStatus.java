package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyStatus {

  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Kubernetes condition conventions. Ready: all is well (its reason names"
          + " the first failing part). ConnectionVerified, SecretSynced, BudgetSatisfied,"
          + " WorkloadsUpToDate: each part. Stalled=True: a human must act (kstatus). Reconciling=True:"
          + " workloads are rolling to new content (kstatus).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("What the operator read from the server.")
  private ServerStatus server;

  @JsonPropertyDescription("The pool size written and how it was computed.")
  private PoolStatus pool;

  @JsonPropertyDescription("The target Secret: name and a hash of its content (never the content).")
  private SecretStatus secret;

  @JsonPropertyDescription("Each consuming workload and whether it runs the current content.")
  private List<WorkloadStatus> workloads = new ArrayList<>();

  @JsonPropertyDescription(
      "The last probe of the server that said something new: recorded when the result or its"
          + " message changes, and otherwise at most hourly (every probe reaches the metrics).")
  private ProbeStatus lastProbe;

  @JsonPropertyDescription(
      "The troubleshooting checklist, evaluated at each probe: Pass | Fail |"
          + " Unknown with a message each.")
  private List<PolicyCheck> checks = new ArrayList<>();

  @JsonPropertyDescription(
      "Things the operator did that the user should know, e.g. parameters dropped"
          + " because a client would reject them.")
  private List<String> warnings = new ArrayList<>();

  @JsonPropertyDescription(
      "The resourceVersion of the source Secret the last completed reconcile"
          + " read: like observedGeneration, for the policy's main input.")
  private String observedSourceVersion;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public ServerStatus getServer() {
    return server;
  }

  public void setServer(ServerStatus server) {
    this.server = server;
  }

  public PoolStatus getPool() {
    return pool;
  }

  public void setPool(PoolStatus pool) {
    this.pool = pool;
  }

  public SecretStatus getSecret() {
    return secret;
  }

  public void setSecret(SecretStatus secret) {
    this.secret = secret;
  }

  public List<WorkloadStatus> getWorkloads() {
    return workloads;
  }

  public void setWorkloads(List<WorkloadStatus> workloads) {
    this.workloads = workloads;
  }

  public ProbeStatus getLastProbe() {
    return lastProbe;
  }

  public void setLastProbe(ProbeStatus lastProbe) {
    this.lastProbe = lastProbe;
  }

  public List<PolicyCheck> getChecks() {
    return checks;
  }

  public void setChecks(List<PolicyCheck> checks) {
    this.checks = checks;
  }

  public List<String> getWarnings() {
    return warnings;
  }

  public void setWarnings(List<String> warnings) {
    this.warnings = warnings;
  }

  public String getObservedSourceVersion() {
    return observedSourceVersion;
  }

  public void setObservedSourceVersion(String observedSourceVersion) {
    this.observedSourceVersion = observedSourceVersion;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyStatus that
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(conditions, that.conditions)
        && Objects.equals(server, that.server)
        && Objects.equals(pool, that.pool)
        && Objects.equals(secret, that.secret)
        && Objects.equals(workloads, that.workloads)
        && Objects.equals(lastProbe, that.lastProbe)
        && Objects.equals(checks, that.checks)
        && Objects.equals(warnings, that.warnings)
        && Objects.equals(observedSourceVersion, that.observedSourceVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        conditions,
        server,
        pool,
        secret,
        workloads,
        lastProbe,
        checks,
        warnings,
        observedSourceVersion);
  }
}
