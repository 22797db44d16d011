package io.pgconn.operator.rollout;

import static io.pgconn.operator.rollout.WorkloadReason.*;
import static io.pgconn.operator.rollout.WorkloadState.*;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.kube.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what {@link RolloutSequencer} decides: stamps the workloads whose turn it is, records
 * an Event per restart and per hold, and returns status.workloads and when to look again. Holds no
 * state between reconciles: what a decision needs is in the cluster.
 */
public class WorkloadRoller {

  private static final Logger LOG = LoggerFactory.getLogger(WorkloadRoller.class);

  private final PodTemplateStamper stamper;
  private final WorkloadEvents events;
  private final Clock clock;

  public WorkloadRoller(KubernetesClient client, EventRecorder events, Clock clock) {
    this.stamper = new PodTemplateStamper(client);
    this.events = new WorkloadEvents(events);
    this.clock = clock;
  }

  /** What a reconcile reports: status.workloads, and how soon to look again (if sooner). */
  public record Result(List<WorkloadStatus> workloads, Optional<Duration> recheckAfter) {

    /** The earlier of the regular interval and this rollout's next look. */
    public Duration recheck(Duration interval) {
      return recheckAfter.filter(d -> d.compareTo(interval) < 0).orElse(interval);
    }
  }

  /**
   * Rolls the selected workloads towards {@code hash}, the content now in the target Secret,
   * written (changed) at {@code contentChangedAt}.
   */
  public Result roll(
      PostgresConnectionPolicy policy,
      WorkloadSelection selection,
      String hash,
      Instant contentChangedAt,
      List<WorkloadStatus> previous) {
    Instant now = clock.instant();
    Map<WorkloadKey, WorkloadStatus> before = byKey(policy, previous);
    List<RolloutSequencer.Snapshot> snapshots = new ArrayList<>();
    Map<WorkloadKey, Workload> byKey = new HashMap<>();
    String policyName = policy.getMetadata().getName();
    for (Workload w : selection.found()) {
      byKey.put(w.key(), w);
      // Only this policy's own stamp counts: another policy's hash on a shared workload is not
      // an older content of ours.
      String stamped = w.stampedHash(policyName);
      snapshots.add(
          new RolloutSequencer.Snapshot(
              w.key(),
              stamped,
              w.optedOut(),
              w.progress(),
              restartedAt(before.get(w.key()), stamped),
              reportedUpToDate(before.get(w.key()), stamped)));
    }
    RolloutSequencer.Plan plan =
        RolloutSequencer.plan(snapshots, hash, contentChangedAt, RolloutSettings.of(policy), now);

    List<WorkloadStatus> result = new ArrayList<>();
    for (RolloutSequencer.Step step : plan.steps()) {
      Workload workload = byKey.get(step.key());
      if (step.stamp()) {
        stamper.stamp(step.key(), policyName, hash);
        LOG.info(
            "policy {}/{}: restarted {} for content {}",
            policy.getMetadata().getNamespace(),
            policy.getMetadata().getName(),
            RolloutSequencer.describe(step.key()),
            hash);
        events.restarted(policy, step.key(), workload.uid(), hash);
      } else if (step.state() == HELD && !sameHold(before.get(step.key()), step.reason().wire())) {
        events.held(policy, step.key(), workload.uid(), step.reason().wire(), step.message());
      }
      result.add(step.toStatus());
    }
    for (WorkloadKey key : selection.nextRun()) {
      result.add(
          new WorkloadStatus(
              key.kind(),
              key.name(),
              NEXT_RUN.wire(),
              NOT_RESTARTED.wire(),
              null,
              null,
              key.kind() + "s are not restarted: the next run reads the current Secret"));
    }
    for (WorkloadKey key : selection.missing()) {
      result.add(
          new WorkloadStatus(
              key.kind(),
              key.name(),
              MISSING.wire(),
              NOT_FOUND.wire(),
              null,
              null,
              key.kind() + " " + key.name() + " does not exist in namespace " + key.namespace()));
    }
    return new Result(List.copyOf(result), plan.recheckAfter());
  }

  /**
   * status.workloads while the policy fails before anything may restart (the database probe in
   * Enforce mode, a missing source...): Held with the failure's reason, with an Event on the policy
   * and the workload when a workload becomes held.
   */
  public List<WorkloadStatus> hold(
      PostgresConnectionPolicy policy, List<WorkloadStatus> previous, String reason) {
    String message =
        "no restart while the policy fails ("
            + reason
            + "); restarts resume by"
            + " themselves once it passes";
    List<WorkloadStatus> held = RolloutSequencer.hold(previous, reason, message);
    Map<WorkloadKey, WorkloadStatus> before = byKey(policy, previous);
    for (WorkloadStatus w : held) {
      WorkloadKey key = new WorkloadKey(w.kind(), policy.getMetadata().getNamespace(), w.name());
      if (WorkloadState.of(w.state()) == HELD && !sameHold(before.get(key), reason)) {
        events.held(policy, key, null, reason, message);
      }
    }
    return held;
  }

  private static Map<WorkloadKey, WorkloadStatus> byKey(
      PostgresConnectionPolicy policy, List<WorkloadStatus> statuses) {
    Map<WorkloadKey, WorkloadStatus> map = new HashMap<>();
    if (statuses != null) {
      for (WorkloadStatus w : statuses) {
        map.putIfAbsent(
            new WorkloadKey(w.kind(), policy.getMetadata().getNamespace(), w.name()), w);
      }
    }
    return map;
  }

  private static boolean sameHold(WorkloadStatus before, String reason) {
    return before != null
        && WorkloadState.of(before.state()) == HELD
        && Objects.equals(before.reason(), reason);
  }

  /** Whether the previous status reported the rollout of this stamped hash complete. */
  private static boolean reportedUpToDate(WorkloadStatus before, String stampedHash) {
    return before != null
        && stampedHash != null
        && stampedHash.equals(before.contentHash())
        && WorkloadState.of(before.state()) == UP_TO_DATE;
  }

  /** When the operator stamped this hash, if the previous status remembers it. */
  private static Instant restartedAt(WorkloadStatus before, String stampedHash) {
    if (before == null
        || before.restartedAt() == null
        || stampedHash == null
        || !stampedHash.equals(before.contentHash())) {
      return null;
    }
    try {
      return Instant.parse(before.restartedAt());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
