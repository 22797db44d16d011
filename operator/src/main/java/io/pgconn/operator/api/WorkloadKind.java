package io.pgconn.operator.api;

/**
 * Kinds of workloads a policy can name. Deployments, StatefulSets and DaemonSets are restarted;
 * CronJobs and Jobs are only reported (their next run reads the current Secret).
 */
public enum WorkloadKind {
  Deployment,
  StatefulSet,
  DaemonSet,
  CronJob,
  Job;

  /** Whether the operator restarts this kind by stamping its pod template. */
  public boolean restartable() {
    return this == Deployment || this == StatefulSet || this == DaemonSet;
  }
}
