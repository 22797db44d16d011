package io.pgconn.operator.probe;

import java.time.Instant;

/** The outcome of one probe: facts on success, a classified failure otherwise. */
public record ProbeResult(
    Instant time, long latencyMs, ServerFacts facts, FailureReason failure, String message) {

  public static ProbeResult success(Instant time, long latencyMs, ServerFacts facts) {
    return new ProbeResult(
        time, latencyMs, facts, null, "connected to PostgreSQL " + facts.version());
  }

  public static ProbeResult failure(
      Instant time, long latencyMs, FailureReason reason, String message) {
    return new ProbeResult(time, latencyMs, null, reason, message);
  }

  public boolean ok() {
    return failure == null;
  }

  /** "Success" or the failure reason, as status.lastProbe.result shows it. */
  public String result() {
    return ok() ? "Success" : failure.name();
  }
}
