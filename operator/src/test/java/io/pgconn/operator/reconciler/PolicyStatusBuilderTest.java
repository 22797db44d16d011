package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.SecretStatus;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.probe.FailureReason;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rules of status, on plain values: which failure wins Ready, Stalled, Reconciling, times. */
class PolicyStatusBuilderTest {

  static final Instant T1 = Instant.parse("2026-11-28T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-11-28T10:05:00Z");
  static final Instant SOON = T1.plusSeconds(60);
  static final ServerFacts FACTS =
      new ServerFacts("16.10", 50, 3, 0, -1, -1, 7, 0, 0, Map.of(), null);
  static final ProbeResult OK = ProbeResult.success(T1, 4, FACTS);
  static final ProbeResult REFUSED = ProbeResult.failure(T1, 2, FailureReason.values()[0], "no");
  static final PoolDecision FITS = new PoolDecision(10, 4, 42, true, "42 = 50 - 3 - 5");
  static final PoolDecision SHORT = new PoolDecision(1, 40, 42, false, "40 pods", "lower replicas");
  static final WorkloadStatus UP =
      new WorkloadStatus(WorkloadKind.Deployment, "web", "UpToDate", null, "sha256:a", null, null);
  static final WorkloadStatus ROLLING =
      new WorkloadStatus(
          WorkloadKind.Deployment,
          "web",
          "Restarting",
          "RolloutInProgress",
          "sha256:a",
          T1.toString(),
          "2 of 3 pods");
  static final WorkloadStatus HELD =
      new WorkloadStatus(
          WorkloadKind.Deployment,
          "web",
          "Held",
          "ProgressDeadlineExceeded",
          "sha256:a",
          T1.toString(),
          "stuck");

  @Test
  void allPartsTrueMakesReadyTrueWithNeitherStalledNorReconciling() {
    PolicyStatus status = builder(null, T1).reconciled(outcome(OK, FITS, List.of(UP)));
    Map<String, Condition> c = byType(status);
    assertThat(c.get("Ready").getStatus()).isEqualTo("True");
    assertThat(c.get("Ready").getReason()).isEqualTo("Reconciled");
    assertThat(c).doesNotContainKeys("Stalled", "Reconciling");
    assertThat(status.getConditions()).allMatch(x -> x.getObservedGeneration() == 3L);
    assertThat(status.getServer().getUsage()).isEqualTo("7/50");
  }

  @Test
  void theFirstFalsePartInOrderWinsReady() {
    PolicyStatus status = builder(null, T1).reconciled(outcome(REFUSED, SHORT, List.of(HELD)));
    Condition ready = byType(status).get("Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(REFUSED.failure().name());
    assertThat(ready.getMessage()).startsWith("ConnectionVerified=False: ");

    status = builder(null, T1).reconciled(outcome(OK, SHORT, List.of(HELD)));
    ready = byType(status).get("Ready");
    assertThat(ready.getReason()).isEqualTo("InsufficientConnections");
    assertThat(ready.getMessage()).startsWith("BudgetSatisfied=False: 40 pods");

    ready = byType(builder(null, T1).reconciled(outcome(OK, FITS, List.of(HELD)))).get("Ready");
    assertThat(ready.getReason()).isEqualTo("RolloutHeld");
  }

  @Test
  void aRolloutUnderWayKeepsReadyTrueAndSetsReconciling() {
    Map<String, Condition> c =
        byType(builder(null, T1).reconciled(outcome(OK, FITS, List.of(ROLLING))));
    assertThat(c.get("Ready").getStatus()).isEqualTo("True");
    assertThat(c.get("WorkloadsUpToDate").getStatus()).isEqualTo("False");
    assertThat(c.get("Reconciling").getStatus()).isEqualTo("True");
  }

  @Test
  void probeModeOffLeavesConnectionUnknownAndTheLastServerFactsInPlace() {
    PolicyStatus before = builder(null, T1).reconciled(outcome(OK, FITS, List.of()));
    var r = outcome(ProbeMode.Off, null, FITS, List.of());
    PolicyStatus after = builder(before, T2).reconciled(r);
    assertThat(byType(after).get("ConnectionVerified").getStatus()).isEqualTo("Unknown");
    assertThat(after.getServer()).isEqualTo(before.getServer());
    assertThat(after.getLastProbe()).isEqualTo(before.getLastProbe());
  }

  @Test
  void aFailureTurnsItsPartAndReadyFalseSetsStalledAndKeepsTheRest() {
    PolicyStatus good = builder(null, T1).reconciled(outcome(OK, FITS, List.of(UP)));
    PolicyFailure failure =
        new PolicyFailure(PolicyFailure.Reason.SOURCE_KEY_NOT_FOUND, "Secret a/b has no key URL");
    PolicyStatus failed = builder(good, T2).failed(failure, List.of(HELD));
    Map<String, Condition> c = byType(failed);
    assertThat(c.get("SecretSynced").getReason()).isEqualTo("SourceKeyNotFound");
    assertThat(c.get("Stalled").getStatus()).isEqualTo("True");
    assertThat(c.get("Ready").getMessage())
        .endsWith("The target Secret keeps its last good content.");
    assertThat(c.get("Ready").getLastTransitionTime()).isEqualTo(T2.toString());
    assertThat(c.get("ConnectionVerified")).isEqualTo(byType(good).get("ConnectionVerified"));
    assertThat(failed.getSecret()).isEqualTo(good.getSecret());
    assertThat(failed.getWorkloads()).containsExactly(HELD);
  }

  @Test
  void aFailedProbeInEnforceModeIsRecordedAsTheLastProbe() {
    PolicyFailure failure = new PolicyFailure(REFUSED);
    PolicyStatus failed = builder(null, T1).failed(failure, List.of());
    assertThat(failed.getLastProbe().result()).isEqualTo(REFUSED.failure().name());
    assertThat(byType(failed).get("Ready").getMessage()).isEqualTo("no");
  }

  @Test
  void aFullServerSaysSoAndWhatHappenedToTheLimitNotThatObservePublishedAnyway() {
    ProbeResult full =
        ProbeResult.failure(
            T1,
            2,
            FailureReason.TooManyConnections,
            "too many connections: FATAL: sorry, too many clients already");
    PolicyStatus status = builder(null, T1).reconciled(outcome(full, FITS, List.of(UP)));
    Condition verified = byType(status).get("ConnectionVerified");
    assertThat(verified.getStatus()).isEqualTo("False");
    assertThat(verified.getReason()).isEqualTo("TooManyConnections");
    assertThat(verified.getMessage())
        .doesNotContain("Observe")
        .contains("server is full")
        .contains("kept at 10")
        .contains("max_connections");

    // A failure in Observe mode that is not a full server still says the content went out.
    var observed =
        outcome(
            ProbeMode.Observe,
            ProbeResult.failure(T1, 2, FailureReason.AuthenticationFailed, "wrong password"),
            FITS,
            List.of());
    assertThat(
            byType(builder(null, T1).reconciled(observed)).get("ConnectionVerified").getMessage())
        .contains("probe mode Observe");
  }

  @Test
  void aPoolNoBudgetCountsLeavesBudgetSatisfiedUnknownAndReadyTrue() {
    PoolDecision own =
        new PoolDecision(1000, 1, null, true, "not counted in any server's budget (x): fixed 1000");
    Map<String, Condition> c = byType(builder(null, T1).reconciled(outcome(OK, own, List.of(UP))));
    assertThat(c.get("BudgetSatisfied").getStatus()).isEqualTo("Unknown");
    assertThat(c.get("BudgetSatisfied").getReason()).isEqualTo("NotBudgeted");
    assertThat(c.get("Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void transitionTimesMoveOnlyWhenTheStatusFlips() {
    PolicyStatus first = builder(null, T1).reconciled(outcome(OK, FITS, List.of(UP)));
    PolicyStatus same = builder(first, T2).reconciled(outcome(OK, FITS, List.of(UP)));
    assertThat(byType(same).get("Ready").getLastTransitionTime()).isEqualTo(T1.toString());
    PolicyStatus flipped = builder(same, T2).reconciled(outcome(OK, SHORT, List.of(UP)));
    assertThat(byType(flipped).get("Ready").getLastTransitionTime()).isEqualTo(T2.toString());
  }

  @Test
  void secretUpdatedAtMovesOnlyWithTheContent() {
    PolicyStatus before = new PolicyStatus();
    before.setSecret(new SecretStatus("t", "sha256:a", T1.toString()));
    PolicyStatusBuilder b = builder(before, T2);
    assertThat(b.secret("t", "sha256:a", false).getUpdatedAt()).isEqualTo(T1.toString());
    assertThat(b.secret("t", "sha256:b", true).getUpdatedAt()).isEqualTo(T2.toString());
    assertThat(b.secret("other", "sha256:a", false).getUpdatedAt()).isEqualTo(T2.toString());
  }

  @Test
  void aProbeThatSaysTheSameThingChangesNothingUntilTheRefreshIsDue() {
    PolicyStatus first = builder(null, T1).reconciled(outcome(OK, FITS, List.of(UP)));
    ServerFacts busier = new ServerFacts("16.10", 50, 3, 0, -1, -1, 19, 0, 0, Map.of(), null);
    ProbeResult later = ProbeResult.success(SOON, 9, busier);
    PolicyStatus same = builder(first, SOON).reconciled(outcome(later, FITS, List.of(UP)));
    assertThat(same).as("no write at rest").isEqualTo(first);

    Instant due = T1.plus(PolicyStatusBuilder.PROBE_REFRESH);
    PolicyStatus refreshed =
        builder(same, due)
            .reconciled(outcome(ProbeResult.success(due, 9, busier), FITS, List.of(UP)));
    assertThat(refreshed.getLastProbe().time()).isEqualTo(due.toString());
    assertThat(refreshed.getServer().getUsage()).isEqualTo("19/50");

    ProbeResult failed = ProbeResult.failure(T2, 2, FailureReason.values()[0], "no");
    PolicyStatus changed = builder(first, T2).reconciled(outcome(failed, FITS, List.of(UP)));
    assertThat(changed.getLastProbe().result()).isEqualTo(failed.result());
  }

  static final ConsumerStatus OWN_WITHIN = new ConsumerStatus("web", "app", 4, 10, "Within");
  static final ConsumerStatus OWN_OVER = new ConsumerStatus("web", "app", 20, 10, "OverAllotment");
  static final ConsumerStatus CRON = new ConsumerStatus("cron", "app", 2, null, "NotBudgeted");

  @Test
  void ledgerCountsThatMerelyMoveWaitForTheRefreshButWhoIsOverIsWrittenAtOnce() {
    PolicyStatus first = builder(null, T1).reconciled(withLedger(OK, List.of(OWN_WITHIN, CRON)));
    assertThat(first.getServer().getConsumers()).containsExactly(OWN_WITHIN, CRON);

    // Counts move, a client comes and goes: nothing a reader must know now.
    ProbeResult later = ProbeResult.success(SOON, 9, FACTS);
    PolicyStatus moved =
        builder(first, SOON)
            .reconciled(
                withLedger(later, List.of(new ConsumerStatus("web", "app", 9, 10, "Within"))));
    assertThat(moved).as("no write for counts").isEqualTo(first);

    // Its own consumer goes over: written at once, with the counts of now.
    PolicyStatus over = builder(moved, SOON).reconciled(withLedger(later, List.of(OWN_OVER, CRON)));
    assertThat(over.getServer().getConsumers()).containsExactly(OWN_OVER, CRON);
    assertThat(over.getServer().getInUse()).as("inUse keeps its own cadence").isEqualTo(7);

    // Staying over with other counts is no news either; going back within is.
    ConsumerStatus greedier = new ConsumerStatus("web", "app", 25, 10, "OverAllotment");
    assertThat(builder(over, SOON).reconciled(withLedger(later, List.of(greedier))))
        .isEqualTo(over);
    PolicyStatus within = builder(over, SOON).reconciled(withLedger(later, List.of(OWN_WITHIN)));
    assertThat(within.getServer().getConsumers()).containsExactly(OWN_WITHIN);

    // At the hourly refresh the counts catch up.
    Instant due = T1.plus(PolicyStatusBuilder.PROBE_REFRESH);
    ConsumerStatus now = new ConsumerStatus("web", "app", 6, 10, "Within");
    PolicyStatus refreshed =
        builder(within, due)
            .reconciled(withLedger(ProbeResult.success(due, 9, FACTS), List.of(now)));
    assertThat(refreshed.getServer().getConsumers()).containsExactly(now);
  }

  private static PolicyStatusBuilder.Reconciled withLedger(
      ProbeResult probed, List<ConsumerStatus> consumers) {
    PolicyStatusBuilder.Reconciled r = outcome(probed, FITS, List.of(UP));
    return new PolicyStatusBuilder.Reconciled(
        r.targetSecretName(),
        r.probeMode(),
        r.probed(),
        r.decision(),
        r.secret(),
        r.keys(),
        r.workloads(),
        r.warnings(),
        r.checks(),
        r.sslMode(),
        r.sourceVersion(),
        consumers);
  }

  @Test
  void arithmeticThatMerelyDriftsWaitsForTheRefreshButANewShareOrNewTermsAreWrittenAtOnce() {
    PoolDecision shared =
        new PoolDecision(
            1, 1, 1096, true, "1096 = 1100 max - 3 reserved - 0 reserve - 1 probe connection");
    PolicyStatus first = builder(null, T1).reconciled(outcome(OK, shared, List.of(UP)));

    // A peer rotated its credentials: one probe connection more, the same share of 1.
    PoolDecision drifted =
        new PoolDecision(
            1, 1, 1095, true, "1095 = 1100 max - 3 reserved - 0 reserve - 2 probe connections");
    ProbeResult later = ProbeResult.success(SOON, 4, FACTS);
    PolicyStatus same = builder(first, SOON).reconciled(outcome(later, drifted, List.of(UP)));
    assertThat(same).as("a peer's rotation writes nothing here").isEqualTo(first);

    Instant due = T1.plus(PolicyStatusBuilder.PROBE_REFRESH);
    PolicyStatus refreshed =
        builder(same, due)
            .reconciled(outcome(ProbeResult.success(due, 4, FACTS), drifted, List.of(UP)));
    assertThat(refreshed.getPool().getBudget()).isEqualTo(1095);
    assertThat(byType(refreshed).get("BudgetSatisfied").getMessage()).startsWith("1095 = ");

    PoolDecision raised = new PoolDecision(2, 1, 1095, true, drifted.explanation());
    assertThat(builder(first, SOON).reconciled(outcome(later, raised, List.of(UP))).getPool())
        .as("a new share")
        .extracting(p -> p.getConnectionLimit(), p -> p.getBudget())
        .containsExactly(2, 1095);
    PoolDecision unlisted =
        new PoolDecision(1, 1, 1092, true, drifted.explanation() + " - 3 used by unlisted clients");
    assertThat(
            builder(first, SOON)
                .reconciled(outcome(later, unlisted, List.of(UP)))
                .getPool()
                .getExplanation())
        .as("new terms")
        .endsWith("3 used by unlisted clients");
  }

  @Test
  void aFailureThatRepeatsItselfWritesNothingMore() {
    PolicyFailure failure = new PolicyFailure(REFUSED);
    PolicyStatus first = builder(null, T1).failed(failure, List.of());
    ProbeResult again = ProbeResult.failure(SOON, 3, REFUSED.failure(), "no");
    PolicyStatus second = builder(first, SOON).failed(new PolicyFailure(again), List.of());
    assertThat(second).isEqualTo(first);
  }

  private static PolicyStatusBuilder builder(PolicyStatus previous, Instant now) {
    return new PolicyStatusBuilder(previous, 3, now);
  }

  private static PolicyStatusBuilder.Reconciled outcome(
      ProbeResult probed, PoolDecision decision, List<WorkloadStatus> workloads) {
    return outcome(ProbeMode.Enforce, probed, decision, workloads);
  }

  private static PolicyStatusBuilder.Reconciled outcome(
      ProbeMode mode, ProbeResult probed, PoolDecision decision, List<WorkloadStatus> workloads) {
    return new PolicyStatusBuilder.Reconciled(
        "t",
        mode,
        probed,
        decision,
        new SecretStatus("t", "sha256:a", T1.toString()),
        List.of("DATABASE_URL"),
        workloads,
        List.of(),
        List.of(),
        "require",
        "7",
        null);
  }

  private static Map<String, Condition> byType(PolicyStatus status) {
    return status.getConditions().stream().collect(Collectors.toMap(Condition::getType, c -> c));
  }
}
