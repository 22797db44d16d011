package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.PolicyCheck;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PoolStatus;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.ProbeStatus;
import io.pgconn.operator.api.ServerStatus;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import java.util.List;
import java.util.Optional;

/** The parts of status that are plain translations of what the operator found or decided. */
final class StatusParts {

  private StatusParts() {}

  static ServerStatus server(ServerFacts facts) {
    ServerStatus server = new ServerStatus();
    server.setVersion(facts.version());
    server.setMaxConnections(facts.maxConnections());
    server.setReservedConnections(facts.reservedTotal());
    server.setRoleConnectionLimit(facts.roleConnectionLimit());
    server.setDatabaseConnectionLimit(facts.databaseConnectionLimit());
    server.setInUse(facts.inUse());
    server.setUsage((facts.inUse() == null ? "?" : facts.inUse()) + "/" + facts.maxConnections());
    return server;
  }

  static PoolStatus pool(PoolDecision decision, String sslMode) {
    PoolStatus pool = new PoolStatus();
    pool.setConnectionLimit(decision.connectionLimit());
    pool.setConsumers(decision.consumers());
    pool.setBudget(decision.budget());
    pool.setExplanation(decision.explanation());
    pool.setSslMode(sslMode);
    return pool;
  }

  static ProbeStatus probe(ProbeResult result) {
    return new ProbeStatus(
        result.time().toString(), result.latencyMs(), result.result(), result.message());
  }

  /**
   * ConnectionVerified's message after a probe that failed but did not stop the reconcile: a full
   * server (53300, any mode) or any failure in Observe mode.
   */
  static String failedProbe(ProbeResult probed, ProbeMode mode, int limit) {
    if (PolicyProbe.saturated(probed)) {
      return "the server is full: the probe itself was refused ("
          + probed.failure().name()
          + "), so the pool is kept at "
          + limit
          + " per pod and may only be lowered until a probe succeeds. Make room: end idle"
          + " sessions, lower the pools of other clients, put a pooler in front of the server or"
          + " raise max_connections. The probe's error: "
          + probed.message();
    }
    return probed.message() + " (probe mode " + mode + ": the content was published anyway)";
  }

  /** BudgetSatisfied: Unknown for a pool no server's budget counts (its probe never logged in). */
  static ConditionStatus budgetStatus(PoolDecision decision) {
    return decision.budgeted() ? ConditionStatus.of(decision.satisfied()) : ConditionStatus.UNKNOWN;
  }

  /** Whether two checklists give the same verdicts, whatever their messages' samples say. */
  static boolean sameVerdicts(List<PolicyCheck> before, List<PolicyCheck> after) {
    return before != null
        && before.stream()
            .map(c -> c.name() + "=" + c.status())
            .toList()
            .equals(after.stream().map(c -> c.name() + "=" + c.status()).toList());
  }

  /** The condition of this type in {@code status}, if it has one. */
  static Optional<Condition> condition(PolicyStatus status, ConditionType type) {
    return status == null || status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream().filter(c -> type.wire().equals(c.getType())).findFirst();
  }

  static PolicyStatus copyOf(PolicyStatus previous) {
    PolicyStatus copy = new PolicyStatus();
    copy.setObservedGeneration(previous.getObservedGeneration());
    copy.setConditions(previous.getConditions());
    copy.setServer(previous.getServer());
    copy.setPool(previous.getPool());
    copy.setSecret(previous.getSecret());
    copy.setWorkloads(previous.getWorkloads());
    copy.setLastProbe(previous.getLastProbe());
    copy.setWarnings(previous.getWarnings());
    copy.setChecks(previous.getChecks());
    copy.setObservedSourceVersion(previous.getObservedSourceVersion());
    return copy;
  }
}
