package io.pgconn.operator.rollout;

import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.RestartPolicy;
import io.pgconn.operator.api.WorkloadsSpec;
import java.time.Duration;
import java.util.Map;

/** How a policy wants its workloads restarted, resolved from spec.workloads and annotations. */
public record RolloutSettings(
    boolean restartOnChange,
    boolean paused,
    int maxConcurrent,
    Duration settle,
    Duration progressDeadline) {

  /** Annotation on a policy: "true" pauses every restart it would make. */
  public static final String PAUSED_ANNOTATION = "pgconn.io/paused";

  public static RolloutSettings of(PostgresConnectionPolicy policy) {
    WorkloadsSpec spec = policy.getSpec().getWorkloads();
    Map<String, String> annotations = policy.getMetadata().getAnnotations();
    boolean paused =
        annotations != null
            && "true".equalsIgnoreCase(String.valueOf(annotations.get(PAUSED_ANNOTATION)).trim());
    return new RolloutSettings(
        spec.getRestart() == RestartPolicy.OnChange,
        paused,
        spec.getMaxConcurrent(),
        Duration.ofSeconds(spec.getSettleSeconds()),
        Duration.ofSeconds(spec.getProgressDeadlineSeconds()));
  }
}
