package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One workload's rollout state, as status shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkloadStatus(
    @JsonPropertyDescription("Deployment | StatefulSet | DaemonSet | CronJob | Job.")
        WorkloadKind kind,
    @JsonPropertyDescription("The workload's name, in the policy's namespace.") String name,
    @JsonPropertyDescription("UpToDate | Restarting | Pending | Held | NextRun | Missing.")
        String state,
    @JsonPropertyDescription(
            "Why it is in this state, as one word (e.g. Settling, WaitingForSlot,"
                + " Paused, OptedOut, ProgressDeadlineExceeded, ConnectionRefused).")
        String reason,
    @JsonPropertyDescription("Content hash stamped on the workload's pod template.")
        String contentHash,
    @JsonPropertyDescription("When the operator last restarted it (for contentHash).")
        String restartedAt,
    @JsonPropertyDescription("Why it is in this state, when not UpToDate.") String message) {}
