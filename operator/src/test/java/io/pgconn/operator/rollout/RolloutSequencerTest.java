package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.rollout.RolloutSequencer.Plan;
import io.pgconn.operator.rollout.RolloutSequencer.Snapshot;
import io.pgconn.operator.rollout.RolloutSequencer.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutSequencerTest {

  static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
  static final Instant LONG_AGO = NOW.minusSeconds(3600);
  static final String OLD = "sha256:old";
  static final String NEW = "sha256:new";
  static final RolloutSettings ONE_AT_A_TIME =
      new RolloutSettings(true, false, 1, Duration.ofSeconds(5), Duration.ofSeconds(600));

  static WorkloadKey key(String name) {
    return new WorkloadKey(WorkloadKind.Deployment, "ns", name);
  }

  static Snapshot done(String name, String hash) {
    return new Snapshot(key(name), hash, false, RolloutProgress.complete(), null, false);
  }

  static Snapshot rolling(String name, String hash, Instant restartedAt) {
    return new Snapshot(
        key(name), hash, false, RolloutProgress.inProgress("1 of 2 updated"), restartedAt, false);
  }

  /**
   * Its rollout of {@code hash} was reported complete; now it is in progress for another reason.
   */
  static Snapshot busyAgain(String name, String hash) {
    return new Snapshot(
        key(name),
        hash,
        false,
        RolloutProgress.inProgress("waiting for the Deployment controller to see generation 3"),
        NOW.minusSeconds(10),
        true);
  }

  static Plan plan(RolloutSettings settings, Snapshot... workloads) {
    return RolloutSequencer.plan(List.of(workloads), NEW, LONG_AGO, settings, NOW);
  }

  static List<String> states(Plan plan) {
    return plan.steps().stream()
        .map(
            s ->
                s.key().name()
                    + "="
                    + s.state().wire()
                    + (s.reason() == null ? "" : "/" + s.reason().wire()))
        .toList();
  }

  static List<String> stamped(Plan plan) {
    return plan.stamps().stream().map(s -> s.key().name()).toList();
  }

  @Test
  void unchangedContentRestartsNothingAndNeedsNoEarlyLook() {
    Plan plan = plan(ONE_AT_A_TIME, done("a", NEW), done("b", NEW));
    assertThat(stamped(plan)).isEmpty();
    assertThat(states(plan)).containsExactly("a=UpToDate", "b=UpToDate");
    assertThat(plan.recheckAfter()).isEmpty();
  }

  @Test
  void oneAtATimeStartsOnlyTheFirstAndQueuesTheRest() {
    Plan plan = plan(ONE_AT_A_TIME, done("a", OLD), done("b", OLD), done("c", OLD));
    assertThat(stamped(plan)).containsExactly("a");
    assertThat(states(plan))
        .containsExactly(
            "a=Restarting/RolloutInProgress",
            "b=Pending/WaitingForSlot",
            "c=Pending/WaitingForSlot");
    Step a = plan.steps().get(0);
    assertThat(a.contentHash()).isEqualTo(NEW);
    assertThat(a.restartedAt()).isEqualTo(NOW);
    assertThat(plan.steps().get(1).contentHash()).isEqualTo(OLD);
    assertThat(plan.recheckAfter()).contains(RolloutSequencer.ROLLING_RECHECK);
  }

  @Test
  void theNextStartsOnlyOnceThePreviousCompleted() {
    Plan whileRolling =
        plan(ONE_AT_A_TIME, rolling("a", NEW, NOW.minusSeconds(3)), done("b", OLD), done("c", OLD));
    assertThat(stamped(whileRolling)).isEmpty();
    assertThat(states(whileRolling))
        .containsExactly(
            "a=Restarting/RolloutInProgress",
            "b=Pending/WaitingForSlot",
            "c=Pending/WaitingForSlot");
    assertThat(whileRolling.steps().get(1).message()).contains("Deployment a is rolling");
    // restartedAt survives from the snapshot (status), it is not reset
    assertThat(whileRolling.steps().get(0).restartedAt()).isEqualTo(NOW.minusSeconds(3));

    Plan afterA = plan(ONE_AT_A_TIME, done("a", NEW), done("b", OLD), done("c", OLD));
    assertThat(stamped(afterA)).containsExactly("b");
  }

  @Test
  void maxConcurrentBoundsTheWorkloadsRollingAtOnce() {
    RolloutSettings two =
        new RolloutSettings(true, false, 2, Duration.ZERO, Duration.ofMinutes(10));
    assertThat(stamped(plan(two, done("a", OLD), done("b", OLD), done("c", OLD))))
        .containsExactly("a", "b");
    assertThat(stamped(plan(two, rolling("a", NEW, NOW), done("b", OLD), done("c", OLD))))
        .containsExactly("b");
    // a rollout of our content in progress takes a slot even when it was started by someone
    // else (no restart time known), e.g. an image change after our stamp
    assertThat(stamped(plan(two, rolling("x", NEW, null), rolling("y", NEW, null), done("c", OLD))))
        .isEmpty();
  }

  @Test
  void aWorkloadRollingAnOlderContentIsRestampedInItsOwnSlot() {
    Plan plan = plan(ONE_AT_A_TIME, done("a", OLD), rolling("b", OLD, NOW.minusSeconds(1)));
    assertThat(stamped(plan)).containsExactly("b");
    assertThat(states(plan))
        .containsExactly("a=Pending/WaitingForSlot", "b=Restarting/RolloutInProgress");
  }

  /**
   * Found on a real node: b and c had completed their rollouts of the older content when their
   * specs were edited (minReadySeconds; a scale does the same) just before a new content came. In
   * progress then, they were taken for rollouts of ours and both restamped "in their own slot": two
   * rolling at once under maxConcurrent 1. Busy for another reason, they hold no slot of ours to
   * restamp in: they wait, and so does everything else until they are done.
   */
  @Test
  void aWorkloadBusyAgainAfterItsRolloutCompletedIsNotRestampedOutsideTheSlots() {
    Plan plan = plan(ONE_AT_A_TIME, done("a", OLD), busyAgain("b", OLD), busyAgain("c", OLD));
    assertThat(stamped(plan)).isEmpty();
    assertThat(states(plan))
        .containsExactly(
            "a=Pending/WaitingForSlot", "b=Pending/WaitingForSlot", "c=Pending/WaitingForSlot");
    // once they are done, one at a time again
    assertThat(stamped(plan(ONE_AT_A_TIME, done("a", OLD), done("b", OLD), done("c", OLD))))
        .containsExactly("a");
  }

  @Test
  void justCreatedWorkloadsAreAdoptedOneSlotAtATime() {
    Plan plan = plan(ONE_AT_A_TIME, rolling("a", null, null), rolling("b", null, null));
    assertThat(stamped(plan)).containsExactly("a");
    assertThat(states(plan))
        .containsExactly("a=Restarting/RolloutInProgress", "b=Pending/WaitingForSlot");
    // once a rolls our content, b waits for it
    assertThat(stamped(plan(ONE_AT_A_TIME, rolling("a", NEW, NOW), rolling("b", null, null))))
        .isEmpty();
  }

  @Test
  void changesCloseTogetherWaitForTheContentToSettle() {
    Instant changed = NOW.minusSeconds(2);
    Plan plan =
        RolloutSequencer.plan(
            List.of(done("a", OLD), done("b", OLD)), NEW, changed, ONE_AT_A_TIME, NOW);
    assertThat(stamped(plan)).isEmpty();
    assertThat(states(plan)).containsExactly("a=Pending/Settling", "b=Pending/Settling");
    assertThat(plan.recheckAfter()).contains(Duration.ofSeconds(3));

    Plan settled =
        RolloutSequencer.plan(
            List.of(done("a", OLD), done("b", OLD)),
            NEW,
            changed,
            ONE_AT_A_TIME,
            NOW.plusSeconds(3));
    assertThat(stamped(settled)).containsExactly("a");
  }

  @Test
  void aWorkloadNeverStampedIsAdoptedWithoutWaitingToSettle() {
    Plan plan = RolloutSequencer.plan(List.of(done("a", null)), NEW, NOW, ONE_AT_A_TIME, NOW);
    assertThat(stamped(plan)).containsExactly("a");
  }

  @Test
  void aFailedRolloutHoldsTheSequence() {
    Snapshot failed =
        new Snapshot(
            key("a"),
            NEW,
            false,
            RolloutProgress.failed("ProgressDeadlineExceeded: ReplicaSet a-1 has timed out"),
            NOW,
            false);
    Plan plan = plan(ONE_AT_A_TIME, failed, done("b", OLD));
    assertThat(stamped(plan)).isEmpty();
    assertThat(states(plan))
        .containsExactly("a=Held/ProgressDeadlineExceeded", "b=Held/SequenceHeld");
    assertThat(plan.steps().get(0).message()).contains("timed out");
    assertThat(plan.steps().get(1).message()).contains("Deployment a");
    assertThat(plan.recheckAfter()).contains(RolloutSequencer.HELD_RECHECK);
  }

  @Test
  void theOperatorsOwnDeadlineHoldsTooButOnlyOnceItPassed() {
    Plan before = plan(ONE_AT_A_TIME, rolling("a", NEW, NOW.minusSeconds(599)), done("b", OLD));
    assertThat(states(before))
        .containsExactly("a=Restarting/RolloutInProgress", "b=Pending/WaitingForSlot");
    Plan after = plan(ONE_AT_A_TIME, rolling("a", NEW, NOW.minusSeconds(601)), done("b", OLD));
    assertThat(states(after))
        .containsExactly("a=Held/ProgressDeadlineExceeded", "b=Held/SequenceHeld");
    assertThat(stamped(after)).isEmpty();
  }

  @Test
  void aNewContentRestartsAWorkloadHeldOnAnOlderOne() {
    Snapshot failedOld =
        new Snapshot(
            key("a"),
            OLD,
            false,
            RolloutProgress.failed("ProgressDeadlineExceeded"),
            LONG_AGO,
            false);
    assertThat(stamped(plan(ONE_AT_A_TIME, failedOld, done("b", OLD)))).containsExactly("a");
  }

  @Test
  void pausedNeverAndOptedOutRestartNothing() {
    RolloutSettings paused =
        new RolloutSettings(true, true, 1, Duration.ZERO, Duration.ofMinutes(10));
    Plan p = plan(paused, done("a", OLD));
    assertThat(stamped(p)).isEmpty();
    assertThat(states(p)).containsExactly("a=Pending/Paused");
    assertThat(p.recheckAfter()).contains(RolloutSequencer.PAUSED_RECHECK);

    RolloutSettings never =
        new RolloutSettings(false, false, 1, Duration.ZERO, Duration.ofMinutes(10));
    assertThat(states(plan(never, done("a", OLD)))).containsExactly("a=Pending/RestartNever");

    Snapshot optedOut = new Snapshot(key("a"), OLD, true, RolloutProgress.complete(), null, false);
    Plan o = plan(ONE_AT_A_TIME, optedOut, done("b", OLD));
    assertThat(states(o)).containsExactly("a=Pending/OptedOut", "b=Restarting/RolloutInProgress");
    assertThat(stamped(o)).containsExactly("b");
  }

  @Test
  void resumingMidSequenceNeverRestampsAWorkloadThatCarriesTheHash() {
    // what an operator restarted while b rolls sees: a done, b rolling, c old
    Plan plan = plan(ONE_AT_A_TIME, done("a", NEW), rolling("b", NEW, null), done("c", OLD));
    assertThat(stamped(plan)).isEmpty();
    assertThat(states(plan))
        .containsExactly(
            "a=UpToDate", "b=Restarting/RolloutInProgress", "c=Pending/WaitingForSlot");
  }

  @Test
  void holdMarksSettledWorkloadsHeldAndLeavesRollingMissingAndJobsAlone() {
    List<WorkloadStatus> held =
        RolloutSequencer.hold(
            List.of(
                new WorkloadStatus(WorkloadKind.Deployment, "a", "UpToDate", null, NEW, "t", null),
                new WorkloadStatus(
                    WorkloadKind.Deployment,
                    "b",
                    "Restarting",
                    "RolloutInProgress",
                    NEW,
                    "t",
                    null),
                new WorkloadStatus(
                    WorkloadKind.Deployment, "c", "Missing", "NotFound", null, null, "x"),
                new WorkloadStatus(WorkloadKind.CronJob, "d", "NextRun", null, null, null, null)),
            "ConnectionRefused",
            "no restart");
    assertThat(held)
        .extracting(WorkloadStatus::state)
        .containsExactly("Held", "Restarting", "Missing", "NextRun");
    assertThat(held.get(0).reason()).isEqualTo("ConnectionRefused");
    assertThat(held.get(0).contentHash()).isEqualTo(NEW);
    assertThat(held.get(0).restartedAt()).isEqualTo("t");
  }

  @Test
  void conditionBlocksReadyOnlyWhenSomeoneMustAct() {
    var rolling =
        WorkloadsCondition.of(
            List.of(
                new WorkloadStatus(
                    WorkloadKind.Deployment,
                    "a",
                    "Restarting",
                    "RolloutInProgress",
                    NEW,
                    null,
                    "1 of 2"),
                new WorkloadStatus(
                    WorkloadKind.Deployment, "b", "Pending", "WaitingForSlot", OLD, null, "w")));
    assertThat(rolling.upToDate()).isFalse();
    assertThat(rolling.reason().wire()).isEqualTo("RolloutInProgress");
    assertThat(rolling.blocksReady()).isFalse();

    var held =
        WorkloadsCondition.of(
            List.of(
                new WorkloadStatus(
                    WorkloadKind.Deployment,
                    "a",
                    "Held",
                    "ProgressDeadlineExceeded",
                    NEW,
                    null,
                    "stuck")));
    assertThat(held.reason().wire()).isEqualTo("RolloutHeld");
    assertThat(held.blocksReady()).isTrue();

    var done =
        WorkloadsCondition.of(
            List.of(
                new WorkloadStatus(WorkloadKind.Deployment, "a", "UpToDate", null, NEW, null, null),
                new WorkloadStatus(WorkloadKind.CronJob, "c", "NextRun", null, null, null, null)));
    assertThat(done.upToDate()).isTrue();
  }
}
