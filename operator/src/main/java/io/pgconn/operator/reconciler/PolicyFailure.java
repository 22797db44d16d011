package io.pgconn.operator.reconciler;

import static io.pgconn.operator.reconciler.ConditionType.CONNECTION_VERIFIED;
import static io.pgconn.operator.reconciler.ConditionType.SECRET_SYNCED;

import io.pgconn.operator.probe.FailureReason;
import io.pgconn.operator.probe.ProbeResult;

/**
 * A reason the policy cannot be brought to its desired state that the user can fix. Its message
 * says what is wrong, where, and how to fix it, and never carries a password. The target Secret
 * keeps its last good content whenever one of these is thrown.
 */
public class PolicyFailure extends Exception {

  /**
   * Why a policy cannot reach its desired state, and the condition that turns False for it. A
   * failed probe turns ConnectionVerified False with its own {@link FailureReason} instead. The
   * wire names are condition reasons users and tests match: add new ones, never rename.
   */
  public enum Reason {
    SOURCE_SECRET_NOT_FOUND(SECRET_SYNCED, "SourceSecretNotFound"),
    SOURCE_KEY_NOT_FOUND(SECRET_SYNCED, "SourceKeyNotFound"),
    INVALID_CONNECTION_STRING(SECRET_SYNCED, "InvalidConnectionString"),
    /** A value of spec.source.fields or spec.source.json no client could use. */
    INVALID_SOURCE_VALUE(SECRET_SYNCED, "InvalidSourceValue"),
    /** spec.source.json's key does not hold a JSON object. */
    INVALID_SOURCE_JSON(SECRET_SYNCED, "InvalidSourceJson"),
    /** spec.source.caSecretRef's key holds no PEM certificate, or a damaged one. */
    INVALID_CA_BUNDLE(SECRET_SYNCED, "InvalidCaBundle"),
    INVALID_SPEC(SECRET_SYNCED, "InvalidSpec"),
    SSL_MODE_WEAKENED(SECRET_SYNCED, "SslModeWeakened"),
    UNSUPPORTED_SETTING(SECRET_SYNCED, "UnsupportedSetting"),
    DUPLICATE_OUTPUT_KEY(SECRET_SYNCED, "DuplicateOutputKey"),
    TARGET_OWNED_BY_ANOTHER_POLICY(SECRET_SYNCED, "TargetOwnedByAnotherPolicy"),
    TARGET_SECRET_CONFLICT(SECRET_SYNCED, "TargetSecretConflict"),
    BACKUP_SECRET_CONFLICT(SECRET_SYNCED, "BackupSecretConflict"),
    CONFLICTING_WRITER(SECRET_SYNCED, "ConflictingWriter"),
    HASH_KEY_SECRET_CONFLICT(SECRET_SYNCED, "HashKeySecretConflict"),
    HASH_KEY_UNREADABLE(SECRET_SYNCED, "HashKeyUnreadable"),
    /** Anything unexpected (an API error, a bug): retried with backoff. */
    RECONCILE_ERROR(SECRET_SYNCED, "ReconcileError"),
    /** Not a failure and never written: see {@link ProbePending}. */
    PROBE_IN_PROGRESS(CONNECTION_VERIFIED, "ProbeInProgress"),
    /** A newcomer whose floor does not fit its server's budget: nothing written, nothing taken. */
    NOT_ADMITTED(ConditionType.BUDGET_SATISFIED, "NotAdmitted");

    private final ConditionType condition;
    private final String wire;

    Reason(ConditionType condition, String wire) {
      this.condition = condition;
      this.wire = wire;
    }

    /** The value in status.conditions[].reason. */
    public String wire() {
      return wire;
    }
  }

  private final ConditionType conditionType;
  private final String reason;
  private final transient ProbeResult probe;

  public PolicyFailure(Reason reason, String message) {
    this(reason.condition, reason.wire(), message, null);
  }

  /** The probe failed: ConnectionVerified turns False with the probe's reason and message. */
  public PolicyFailure(ProbeResult failed) {
    this(CONNECTION_VERIFIED, failed.failure().name(), failed.message(), failed);
  }

  private PolicyFailure(
      ConditionType conditionType, String reason, String message, ProbeResult probe) {
    super(message, null, false, false);
    this.conditionType = conditionType;
    this.reason = reason;
    this.probe = probe;
  }

  /** The condition that turns False: ConnectionVerified, SecretSynced, ... */
  public ConditionType conditionType() {
    return conditionType;
  }

  /** The condition reason: a {@link Reason}'s wire name, or the failed probe's FailureReason. */
  public String reason() {
    return reason;
  }

  /** The failed probe, when the failure is one. */
  public ProbeResult probe() {
    return probe;
  }
}
