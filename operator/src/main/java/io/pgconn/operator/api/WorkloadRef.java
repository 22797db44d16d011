package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** A workload of the policy's namespace that reads the target Secret. */
public record WorkloadRef(
    @Default("Deployment")
        @JsonPropertyDescription(
            "Deployment | StatefulSet | DaemonSet (restarted on change) | CronJob | Job"
                + " (reported only: the next run reads the current Secret). Default Deployment.")
        WorkloadKind kind,
    @Required @JsonPropertyDescription("Name of the workload, in the policy's namespace.")
        String name) {

  /** A reference without a kind (an older object, or a client that skipped defaulting). */
  public WorkloadRef {
    kind = kind == null ? WorkloadKind.Deployment : kind;
  }
}
