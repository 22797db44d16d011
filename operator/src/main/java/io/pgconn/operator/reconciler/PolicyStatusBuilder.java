package io.pgconn.operator.reconciler;

import static io.pgconn.operator.reconciler.ConditionReason.*;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PolicyCheck;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PoolStatus;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.ProbeStatus;
import io.pgconn.operator.api.SecretStatus;
import io.pgconn.operator.api.ServerStatus;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.rollout.WorkloadsCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a policy's next status from its previous one: plain values in, a status out, so the rules
 * users read (which failure makes Ready False, when Stalled and Reconciling are set, when a
 * timestamp moves) are tested on their own.
 */
final class PolicyStatusBuilder {

  /**
   * What a reconcile that ran to the end found and did.
   *
   * @param probed the probe's result, or null when there was none (probe mode Off, Accelerate)
   * @param keys the keys the target Secret holds now
   * @param sourceVersion the resourceVersion of the source Secret as read
   * @param consumers the connection ledger as this policy shows it, or null without one (the probe
   *     failed, the server is not verified)
   */
  record Reconciled(
      String targetSecretName,
      ProbeMode probeMode,
      ProbeResult probed,
      PoolDecision decision,
      SecretStatus secret,
      List<String> keys,
      List<WorkloadStatus> workloads,
      List<String> warnings,
      List<PolicyCheck> checks,
      String sslMode,
      String sourceVersion,
      List<ConsumerStatus> consumers) {}

  /**
   * How long a probe that keeps saying the same thing leaves status.lastProbe and status.server as
   * they are: probe timestamps and usage samples alone do not justify a write every probe (with a
   * thousand policies probed every 5 minutes that was a status patch every 0.3 s, forever). Every
   * probe still reaches the metrics.
   */
  static final Duration PROBE_REFRESH = Duration.ofHours(1);

  private final PolicyStatus previous;
  private final long generation;
  private final Instant now;

  PolicyStatusBuilder(PolicyStatus previous, long generation, Instant now) {
    this.previous = previous == null ? new PolicyStatus() : previous;
    this.generation = generation;
    this.now = now;
  }

  PolicyStatus previous() {
    return previous;
  }

  /** status.secret: updatedAt moves only when the content or the Secret's name moved. */
  SecretStatus secret(String name, String contentHash, boolean changed) {
    SecretStatus before = previous.getSecret();
    boolean same =
        !changed
            && before != null
            && contentHash.equals(before.getContentHash())
            && name.equals(before.getName());
    return new SecretStatus(name, contentHash, same ? before.getUpdatedAt() : now.toString());
  }

  PolicyStatus reconciled(Reconciled r) {
    PolicyStatus status = new PolicyStatus();
    status.setObservedGeneration(generation);
    status.setObservedSourceVersion(r.sourceVersion());
    boolean refresh = r.probed() != null && refreshProbe(r.probed());
    boolean probedOk = r.probed() != null && r.probed().ok();
    status.setServer(probedOk ? server(r.probed(), refresh, r.consumers()) : previous.getServer());
    boolean specChanged = !Objects.equals(previous.getObservedGeneration(), generation);
    PoolStatus pool = StatusParts.pool(r.decision(), r.sslMode());
    String budgetMessage = r.decision().message();
    if (!refresh && !specChanged && !sizingNews(r)) {
      pool.setBudget(previous.getPool().getBudget());
      pool.setExplanation(previous.getPool().getExplanation());
      budgetMessage = previousBudgetMessage().orElse(budgetMessage);
    }
    status.setPool(pool);
    status.setSecret(r.secret());
    status.setWorkloads(r.workloads());
    status.setLastProbe(refresh ? StatusParts.probe(r.probed()) : previous.getLastProbe());
    status.setWarnings(boundedWarnings(r.warnings()));
    // The checklist's messages carry usage and latency samples: like them, they wait for the
    // refresh unless a verdict changed.
    status.setChecks(
        refresh || specChanged || !StatusParts.sameVerdicts(previous.getChecks(), r.checks())
            ? r.checks()
            : previous.getChecks());
    status.setConditions(conditions(r, budgetMessage));
    return status;
  }

  /**
   * Whether the decision means something new to this policy: another share, pods, verdict or terms
   * ({@link SizingVerdict}), or content of its own that just changed. Otherwise the budget's
   * numbers that merely drifted with its peers (unlisted usage, a newcomer that fits) wait for the
   * hourly refresh, as usage samples do.
   */
  private boolean sizingNews(Reconciled r) {
    Optional<SizingVerdict> before = SizingVerdict.of(previous);
    boolean ownContentMoved =
        previous.getSecret() == null
            || !Objects.equals(previous.getSecret().getContentHash(), r.secret().getContentHash());
    return ownContentMoved
        || before.isEmpty()
        || previous.getPool().getExplanation() == null
        || !before.get().equals(SizingVerdict.of(r.decision()));
  }

  /** BudgetSatisfied's message as the previous status has it. */
  private Optional<String> previousBudgetMessage() {
    return StatusParts.condition(previous, ConditionType.BUDGET_SATISFIED)
        .map(Condition::getMessage);
  }

  /**
   * A failure stopped the reconcile before anything was written: the failing part and Ready turn
   * False, Stalled says a human is needed, everything else keeps what it said.
   *
   * @param held status.workloads while nothing may restart
   */
  PolicyStatus failed(PolicyFailure failure, List<WorkloadStatus> held) {
    PolicyStatus status = StatusParts.copyOf(previous);
    status.setObservedGeneration(generation);
    if (failure.probe() != null && refreshProbe(failure.probe())) {
      status.setLastProbe(StatusParts.probe(failure.probe()));
    }
    ConditionWriter conditions = writer();
    ConditionType.PARTS.forEach(conditions::keep);
    conditions.set(failure.conditionType(), false, failure.reason(), failure.getMessage());
    // kstatus (Flux, Argo CD's health assessment) reads Stalled=True as "needs a human".
    conditions.set(ConditionType.STALLED, true, failure.reason(), failure.getMessage());
    status.setWorkloads(held);
    conditions.set(
        ConditionType.READY,
        false,
        failure.reason(),
        failure.getMessage()
            + (previous.getSecret() == null
                ? ""
                : " The target Secret keeps its last good content."));
    status.setConditions(conditions.build());
    return status;
  }

  private List<Condition> conditions(Reconciled r, String budgetMessage) {
    ConditionWriter conditions = writer();
    if (r.probed() == null) {
      conditions.set(
          ConditionType.CONNECTION_VERIFIED,
          ConditionStatus.UNKNOWN,
          NOT_PROBED.wire(),
          r.probeMode() == ProbeMode.Off
              ? "spec.probe.mode is Off"
              : "the source cannot be probed (see warnings)");
    } else if (r.probed().ok()) {
      conditions.set(
          ConditionType.CONNECTION_VERIFIED, true, CONNECTED.wire(), r.probed().message());
    } else {
      conditions.set(
          ConditionType.CONNECTION_VERIFIED,
          false,
          r.probed().failure().name(),
          StatusParts.failedProbe(r.probed(), r.probeMode(), r.decision().connectionLimit()));
    }
    conditions.set(
        ConditionType.SECRET_SYNCED,
        true,
        SYNCED.wire(),
        "Secret " + r.targetSecretName() + " holds " + String.join(", ", r.keys()));
    conditions.set(
        ConditionType.BUDGET_SATISFIED,
        StatusParts.budgetStatus(r.decision()),
        r.decision().reason().wire(),
        budgetMessage);
    WorkloadsCondition rollout = WorkloadsCondition.of(r.workloads());
    conditions.set(
        ConditionType.WORKLOADS_UP_TO_DATE,
        rollout.upToDate(),
        rollout.reason().wire(),
        rollout.message());
    if (!rollout.upToDate() && !rollout.blocksReady()) {
      // kstatus reads Reconciling=True as "in progress": a GitOps sync waits for the rollout.
      conditions.set(ConditionType.RECONCILING, true, rollout.reason().wire(), rollout.message());
    }
    // A rollout that is merely under way (or paused on purpose) does not make the policy un-Ready.
    Optional<Condition> failing =
        conditions.firstFalse(
            c ->
                rollout.blocksReady()
                    || !ConditionType.WORKLOADS_UP_TO_DATE.wire().equals(c.getType()));
    if (failing.isPresent()) {
      conditions.set(
          ConditionType.READY,
          false,
          failing.get().getReason(),
          failing.get().getType() + "=False: " + failing.get().getMessage());
    } else {
      conditions.set(
          ConditionType.READY,
          true,
          RECONCILED.wire(),
          "Secret "
              + r.targetSecretName()
              + " is up to date; pool "
              + r.decision().connectionLimit()
              + " per pod");
    }
    return conditions.build();
  }

  /** A new result or message, or the recorded probe is older than {@link #PROBE_REFRESH}. */
  private boolean refreshProbe(ProbeResult probed) {
    ProbeStatus last = previous.getLastProbe();
    if (last == null
        || !Objects.equals(last.result(), probed.result())
        || !Objects.equals(last.message(), probed.message())) {
      return true;
    }
    try {
      return Duration.between(Instant.parse(last.time()), now).compareTo(PROBE_REFRESH) >= 0;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * The server's facts; between refreshes the usage sample and the ledger's counts stay as they
   * were recorded, unless who is over its allotment changed (see {@link LedgerStatus#newsIn}).
   */
  private ServerStatus server(ProbeResult probed, boolean refresh, List<ConsumerStatus> consumers) {
    ServerStatus fresh = StatusParts.server(probed.facts());
    fresh.setConsumers(consumers);
    ServerStatus before = previous.getServer();
    if (refresh || before == null) return fresh;
    fresh.setInUse(before.getInUse());
    fresh.setUsage(before.getUsage());
    if (!LedgerStatus.newsIn(before.getConsumers(), consumers)) {
      fresh.setConsumers(before.getConsumers());
    }
    return fresh;
  }

  private ConditionWriter writer() {
    return new ConditionWriter(previous.getConditions(), generation, now);
  }

  static final int MAX_WARNINGS = 20;
  static final int MAX_WARNING_LENGTH = 300;

  /**
   * At most {@value #MAX_WARNINGS} warnings of at most {@value #MAX_WARNING_LENGTH} characters
   * each, the last one saying how many were left out: a source with hundreds of odd parameters must
   * not grow the policy's status (and every watch event of it) without bound.
   */
  static List<String> boundedWarnings(List<String> warnings) {
    List<String> bounded = new java.util.ArrayList<>();
    boolean cut = warnings.size() > MAX_WARNINGS;
    int keep = cut ? MAX_WARNINGS - 1 : warnings.size();
    for (String warning : warnings.subList(0, keep)) {
      bounded.add(
          warning.length() <= MAX_WARNING_LENGTH
              ? warning
              : warning.substring(0, MAX_WARNING_LENGTH - 1) + "…");
    }
    if (cut) bounded.add("… " + (warnings.size() - keep) + " more");
    return List.copyOf(bounded);
  }
}
