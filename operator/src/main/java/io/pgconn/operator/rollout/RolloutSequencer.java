package io.pgconn.operator.rollout;

import static io.pgconn.operator.rollout.WorkloadReason.*;
import static io.pgconn.operator.rollout.WorkloadState.*;

import io.pgconn.operator.api.WorkloadStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, from a snapshot of the workloads as the cluster shows them, which ones to restart now
 * and what state each is in. Pure: no I/O, no memory between calls. All it needs lives in the
 * cluster (the hash stamped on each pod template, each workload's rollout status, and the restart
 * times and content-change time kept in the policy's status), so an operator restarted in the
 * middle of a sequence takes the same decisions and never restarts a workload twice for the same
 * content.
 *
 * <p>Rules, in order, for a workload whose stamped hash differs from the desired one: opted out,
 * restart Never and a paused policy keep it Pending; so does a content change younger than the
 * settle time if the workload already runs an older content (so that several changes close together
 * give one rollout with the newest content); a held sequence holds it; otherwise it is restarted if
 * a slot is free (at most maxConcurrent workloads rolling; one still rolling an older content of
 * ours is restamped in its own slot, one busy again after its rollout was reported complete is not)
 * and waits for one if not. A workload carrying the desired hash is UpToDate when its rollout
 * completed, Restarting while it rolls, and Held once its controller reports a progress deadline or
 * the policy's own deadline has passed since its restart: then no further workload starts until it
 * completes or the content changes again.
 */
public final class RolloutSequencer {

  /** How soon to look again while something is rolling or waiting for a slot. */
  public static final Duration ROLLING_RECHECK = Duration.ofSeconds(2);

  /** How soon to look again while paused with restarts pending (resuming is an annotation). */
  public static final Duration PAUSED_RECHECK = Duration.ofSeconds(15);

  /** How soon to look again while held behind a stuck rollout. */
  public static final Duration HELD_RECHECK = Duration.ofSeconds(30);

  private RolloutSequencer() {}

  /**
   * One workload as the cluster shows it; restartedAt is when it was stamped with stampedHash, and
   * reportedUpToDate whether the policy's status already reported its rollout of stampedHash
   * complete (so whatever rolls it now is not a restart of ours).
   */
  public record Snapshot(
      WorkloadKey key,
      String stampedHash,
      boolean optedOut,
      RolloutProgress progress,
      Instant restartedAt,
      boolean reportedUpToDate) {}

  /** The decision for one workload: whether to stamp it now, and its resulting status. */
  public record Step(
      WorkloadKey key,
      boolean stamp,
      WorkloadState state,
      WorkloadReason reason,
      String contentHash,
      Instant restartedAt,
      String message) {

    public WorkloadStatus toStatus() {
      return new WorkloadStatus(
          key.kind(),
          key.name(),
          state.wire(),
          reason == null ? null : reason.wire(),
          contentHash,
          restartedAt == null ? null : restartedAt.toString(),
          message);
    }
  }

  public record Plan(List<Step> steps, Optional<Duration> recheckAfter) {

    public List<Step> stamps() {
      return steps.stream().filter(Step::stamp).toList();
    }
  }

  public static Plan plan(
      List<Snapshot> workloads,
      String desiredHash,
      Instant contentChangedAt,
      RolloutSettings settings,
      Instant now) {
    Instant settledAt = contentChangedAt == null ? now : contentChangedAt.plus(settings.settle());
    // The first workload carrying the desired hash whose rollout failed or overran: it stops the
    // sequence for this content.
    Optional<Snapshot> stuck =
        workloads.stream()
            .filter(w -> Objects.equals(desiredHash, w.stampedHash()) && !w.optedOut())
            .filter(w -> overran(w, settings, now) != null)
            .findFirst();
    // Slots are taken by rollouts of a content of ours (a stamped workload still rolling). A
    // workload never stamped that is rolling anyway (just created, or someone else's change)
    // does not take one: otherwise a controller that never reports would block every restart.
    long rolling =
        workloads.stream()
            .filter(w -> !w.optedOut() && w.progress().inProgress())
            .filter(w -> w.stampedHash() != null && overran(w, settings, now) == null)
            .count();
    long slots = settings.maxConcurrent() - rolling;
    Optional<Snapshot> firstRolling =
        workloads.stream()
            .filter(w -> !w.optedOut() && w.progress().inProgress() && w.stampedHash() != null)
            .findFirst();

    List<Step> steps = new ArrayList<>();
    List<Duration> rechecks = new ArrayList<>();
    for (Snapshot w : workloads) {
      WorkloadKey key = w.key();
      Instant restartedAt = w.restartedAt();
      if (Objects.equals(desiredHash, w.stampedHash())) {
        String overran = overran(w, settings, now);
        if (w.progress().isComplete()) {
          steps.add(new Step(key, false, UP_TO_DATE, null, desiredHash, restartedAt, null));
        } else if (overran != null) {
          steps.add(
              new Step(
                  key,
                  false,
                  HELD,
                  DEADLINE_EXCEEDED,
                  desiredHash,
                  restartedAt,
                  describe(key)
                      + " did not complete its rollout: "
                      + overran
                      + "; later workloads"
                      + " wait until it completes or the content changes"));
          rechecks.add(HELD_RECHECK);
        } else {
          steps.add(
              new Step(
                  key,
                  false,
                  RESTARTING,
                  ROLLING,
                  desiredHash,
                  restartedAt,
                  w.progress().message()));
          rechecks.add(ROLLING_RECHECK);
        }
        continue;
      }
      String current = w.stampedHash();
      if (w.optedOut()) {
        steps.add(
            pending(
                w,
                OPTED_OUT,
                describe(key)
                    + " is annotated "
                    + Workload.RESTART_ANNOTATION
                    + ": \"false\": restart it yourself to pick up the"
                    + " current content"));
      } else if (!settings.restartOnChange()) {
        steps.add(
            pending(
                w,
                RESTART_NEVER,
                "spec.workloads.restart is Never: restart it to pick" + " up the new content"));
      } else if (settings.paused()) {
        steps.add(
            pending(
                w,
                PAUSED,
                "the policy is annotated "
                    + RolloutSettings.PAUSED_ANNOTATION
                    + ": \"true\": no restart until it is removed"));
        rechecks.add(PAUSED_RECHECK);
      } else if (current != null && now.isBefore(settledAt)) {
        steps.add(
            pending(
                w,
                SETTLING,
                "restarts once the content has been unchanged for "
                    + settings.settle().toSeconds()
                    + "s (at "
                    + settledAt
                    + ")"));
        rechecks.add(Duration.between(now, settledAt));
      } else if (stuck.isPresent()) {
        steps.add(
            new Step(
                key,
                false,
                HELD,
                SEQUENCE_HELD,
                current,
                restartedAt,
                "waiting behind "
                    + describe(stuck.get().key())
                    + ", whose rollout did not complete"));
        rechecks.add(HELD_RECHECK);
      } else if (current != null
          && !w.reportedUpToDate()
          && w.progress().inProgress()
          && overran(w, settings, now) == null) {
        // Still rolling an older content of ours: restamping it starts the newest content in the
        // slot it holds anyway. One whose rollout was reported complete and that is busy again
        // (scaled, its spec edited) was not started in a slot of ours: it waits like the others.
        steps.add(restart(w, desiredHash, now));
        rechecks.add(ROLLING_RECHECK);
      } else if (slots > 0) {
        slots--;
        steps.add(restart(w, desiredHash, now));
        rechecks.add(ROLLING_RECHECK);
      } else {
        steps.add(
            pending(
                w,
                WAITING_FOR_SLOT,
                "waiting for a rollout slot (maxConcurrent "
                    + settings.maxConcurrent()
                    + ")"
                    + firstRolling.map(r -> ": " + describe(r.key()) + " is rolling").orElse("")));
        rechecks.add(ROLLING_RECHECK);
      }
    }
    return new Plan(
        List.copyOf(steps),
        rechecks.stream()
            .min(Duration::compareTo)
            .map(d -> d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d));
  }

  /**
   * The statuses while nothing may restart because the policy fails (e.g. the database probe):
   * every workload that is not rolling, missing or a job is Held with the failure's reason.
   */
  public static List<WorkloadStatus> hold(
      List<WorkloadStatus> previous, String reason, String message) {
    if (previous == null) return List.of();
    List<WorkloadStatus> held = new ArrayList<>();
    for (WorkloadStatus w : previous) {
      WorkloadState state = WorkloadState.of(w.state());
      if (state == RESTARTING || state == MISSING || state == NEXT_RUN) {
        held.add(w);
      } else {
        held.add(
            new WorkloadStatus(
                w.kind(),
                w.name(),
                HELD.wire(),
                reason,
                w.contentHash(),
                w.restartedAt(),
                message));
      }
    }
    return List.copyOf(held);
  }

  /** Why a workload carrying the desired hash counts as failed, or null if it does not. */
  private static String overran(Snapshot w, RolloutSettings settings, Instant now) {
    if (w.progress().failed()) return w.progress().message();
    if (w.progress().inProgress()
        && w.restartedAt() != null
        && now.isAfter(w.restartedAt().plus(settings.progressDeadline()))) {
      return "not complete "
          + settings.progressDeadline().toSeconds()
          + "s after its restart at "
          + w.restartedAt()
          + " ("
          + w.progress().message()
          + ")";
    }
    return null;
  }

  private static Step pending(Snapshot w, WorkloadReason reason, String message) {
    return new Step(w.key(), false, PENDING, reason, w.stampedHash(), w.restartedAt(), message);
  }

  private static Step restart(Snapshot w, String desiredHash, Instant now) {
    return new Step(
        w.key(), true, RESTARTING, ROLLING, desiredHash, now, "restarted for the current content");
  }

  static String describe(WorkloadKey key) {
    return key.kind() + " " + key.name();
  }
}
