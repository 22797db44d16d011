package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.kube.EventRecorder;
import io.pgconn.operator.kube.EventRecorder.Type;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Events on a policy, for transitions only (never one per probe). */
final class PolicyEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvents.class);

  /** The reasons of the events besides Ready's transitions, which carry Ready's own reason. */
  private enum Reason {
    SECRET_UPDATED("SecretUpdated"),
    CONSUMER_OVER_ALLOTMENT("ConsumerOverAllotment");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }
  }

  private final EventRecorder events;

  PolicyEvents(EventRecorder events) {
    this.events = events;
  }

  /** What a reconcile wrote to the target, for its event. */
  record TargetWrite(String secretName, RenderedContent content) {
    String describe() {
      return "wrote "
          + content.data().size()
          + " keys to Secret "
          + secretName
          + " ("
          + content.hash()
          + ")";
    }
  }

  /**
   * One event for a reconcile: Ready's transition, which also tells the target's write when the
   * same reconcile made one (a new policy's first reconcile does both: one event, not two), or else
   * the write alone.
   */
  void reconciled(
      PostgresConnectionPolicy policy,
      PolicyStatus previous,
      PolicyStatus current,
      Optional<TargetWrite> written) {
    if (readyTransition(policy, previous, current, written)) return;
    written.ifPresent(
        w ->
            events.record(
                EventRecorder.referenceTo(policy),
                Type.Normal,
                Reason.SECRET_UPDATED.wire,
                w.describe()));
  }

  /**
   * A Warning when the policy's own consumer starts holding more than it was allotted (not while it
   * stays over: the transition only). Status remembers the standing, and a change of it is written
   * at once, so the next reconcile sees this one's. Other policies' consumers are theirs to warn
   * about; clients no policy lists are shown in status, not warned about (the reserve is theirs).
   */
  void ledgerTransition(
      PostgresConnectionPolicy policy,
      ConnectionLedger.ConsumerId own,
      PolicyStatus previous,
      PolicyStatus current) {
    Optional<ConsumerStatus> after = LedgerStatus.ownLine(consumers(current), own);
    if (after.isEmpty() || !after.get().overAllotted()) return;
    boolean wasOver =
        LedgerStatus.ownLine(consumers(previous), own)
            .map(ConsumerStatus::overAllotted)
            .orElse(false);
    if (wasOver) return;
    ConsumerStatus line = after.get();
    String message =
        "application_name \""
            + line.applicationName()
            + "\" with role \""
            + line.role()
            + "\" holds "
            + line.held()
            + " connections, allotted "
            + line.allotted()
            + " (the pool limit times the pods its workloads have now): a client ignores"
            + " connection_limit, a pool leaks, or pods the policy does not list use its Secret";
    events.record(
        EventRecorder.referenceTo(policy),
        Type.Warning,
        Reason.CONSUMER_OVER_ALLOTMENT.wire,
        message);
    LOG.info(
        "policy {}/{}: {}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        message);
  }

  private static List<ConsumerStatus> consumers(PolicyStatus status) {
    return status == null || status.getServer() == null ? null : status.getServer().getConsumers();
  }

  /** An event and a log line when Ready changes status or reason. */
  void readyTransition(
      PostgresConnectionPolicy policy, PolicyStatus previous, PolicyStatus current) {
    readyTransition(policy, previous, current, Optional.empty());
  }

  /** Whether Ready changed status or reason: then an event, with the write if there was one. */
  private boolean readyTransition(
      PostgresConnectionPolicy policy,
      PolicyStatus previous,
      PolicyStatus current,
      Optional<TargetWrite> written) {
    Optional<Condition> before = ready(previous);
    Condition after = ready(current).orElseThrow();
    boolean same =
        before.isPresent()
            && Objects.equals(before.get().getStatus(), after.getStatus())
            && Objects.equals(before.get().getReason(), after.getReason());
    if (same) return false;
    boolean ready = ConditionStatus.TRUE.wire().equals(after.getStatus());
    events.record(
        EventRecorder.referenceTo(policy),
        ready ? Type.Normal : Type.Warning,
        after.getReason(),
        after.getMessage() + written.map(w -> "; " + w.describe()).orElse(""));
    LOG.info(
        "policy {}/{}: Ready={} reason={}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        after.getStatus(),
        after.getReason());
    return true;
  }

  private static Optional<Condition> ready(PolicyStatus status) {
    return StatusParts.condition(status, ConditionType.READY);
  }
}
