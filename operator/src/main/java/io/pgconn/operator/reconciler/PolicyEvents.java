package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.kube.EventRecorder;
import io.pgconn.operator.kube.EventRecorder.Type;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Events on a policy, for transitions only (never one per probe). */
final class PolicyEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvents.class);

  /** The reasons of the events besides Ready's transitions, which carry Ready's own reason. */
  private enum Reason {
    SECRET_UPDATED("SecretUpdated");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }
  }

  private final EventRecorder events;

  PolicyEvents(EventRecorder events) {
    this.events = events;
  }

  void secretUpdated(PostgresConnectionPolicy policy, String secretName, RenderedContent content) {
    events.record(
        EventRecorder.referenceTo(policy),
        Type.Normal,
        Reason.SECRET_UPDATED.wire,
        "wrote "
            + content.data().size()
            + " keys to Secret "
            + secretName
            + " ("
            + content.hash()
            + ")");
  }

  /** An event and a log line when Ready changes status or reason. */
  void readyTransition(
      PostgresConnectionPolicy policy, PolicyStatus previous, PolicyStatus current) {
    Optional<Condition> before = ready(previous);
    Condition after = ready(current).orElseThrow();
    boolean same =
        before.isPresent()
            && Objects.equals(before.get().getStatus(), after.getStatus())
            && Objects.equals(before.get().getReason(), after.getReason());
    if (same) return;
    boolean ready = ConditionStatus.TRUE.wire().equals(after.getStatus());
    events.record(
        EventRecorder.referenceTo(policy),
        ready ? Type.Normal : Type.Warning,
        after.getReason(),
        after.getMessage());
    LOG.info(
        "policy {}/{}: Ready={} reason={}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        after.getStatus(),
        after.getReason());
  }

  private static Optional<Condition> ready(PolicyStatus status) {
    return status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> ConditionType.READY.wire().equals(c.getType()))
            .findFirst();
  }
}
