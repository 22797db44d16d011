package io.pgconn.operator.rollout;

/**
 * Where a workload's own rollout stands, read from its status the way kubectl rollout status reads
 * it: Complete once the controller observed the current generation and every replica is updated and
 * available with no old one left; Failed when the controller gave up (a Deployment's
 * ProgressDeadlineExceeded).
 */
public record RolloutProgress(Phase phase, String message) {

  public enum Phase {
    COMPLETE,
    IN_PROGRESS,
    FAILED
  }

  public static RolloutProgress complete() {
    return new RolloutProgress(Phase.COMPLETE, "rollout complete");
  }

  public static RolloutProgress inProgress(String message) {
    return new RolloutProgress(Phase.IN_PROGRESS, message);
  }

  public static RolloutProgress failed(String message) {
    return new RolloutProgress(Phase.FAILED, message);
  }

  public boolean isComplete() {
    return phase == Phase.COMPLETE;
  }

  public boolean inProgress() {
    return phase == Phase.IN_PROGRESS;
  }

  public boolean failed() {
    return phase == Phase.FAILED;
  }
}
