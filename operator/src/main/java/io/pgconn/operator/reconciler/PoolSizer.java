package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import io.pgconn.operator.rollout.Workload;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.HostPort;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sizes a policy's pool together with every policy on the same server, and wakes those whose share
 * moves. Pods count at their HPA's maximum, so autoscaling changes nothing.
 */
final class PoolSizer {

  private final ServerBudgetIndex budgets = new ServerBudgetIndex();
  private final Map<String, ResourceID> policies = new ConcurrentHashMap<>();
  private final PeerEventSource peers;

  PoolSizer(PeerEventSource peers) {
    this.peers = peers;
  }

  /**
   * @param consumers the workloads as pool consumers, counted at their HPA maximum
   * @param found the same workloads as found: whether they all run the current content decides
   *     whether peers may raise into what this policy's pods still hold
   */
  PoolDecision size(
      PostgresConnectionPolicy policy,
      PolicyView view,
      ConnectionString server,
      ProbeResult probed,
      List<Consumer> consumers,
      List<Workload> found) {
    var pool = view.spec().getPool();
    var auto = pool.autoOrDefault();
    PoolSizing sizing =
        pool.getConnectionLimit() != null
            ? new PoolSizing.Fixed(pool.getConnectionLimit())
            : new PoolSizing.Auto(
                auto.getMin(), Math.max(auto.getMin(), auto.getMax()), auto.getWeight());
    HostPort endpoint =
        server.hosts().isEmpty() ? new HostPort("localhost", null) : server.hosts().get(0);
    var previous = policy.getStatus();
    Integer previousLimit =
        previous == null || previous.getPool() == null
            ? null
            : previous.getPool().getConnectionLimit();
    boolean probedOk = probed != null && probed.ok();
    String id = budgetId(view);
    policies.put(id, new ResourceID(view.name(), view.namespace()));
    BudgetPolicy input =
        new BudgetPolicy(
            id,
            new ServerKey(
                endpoint.host().isEmpty() ? "localhost" : endpoint.host(),
                endpoint.portOrDefault()),
            server.user(),
            server.database(),
            auto.getReserve(),
            sizing,
            consumers,
            probedOk ? limits(probed.facts()) : null,
            previousLimit);
    ServerBudgetIndex.Usage seen =
        probedOk
            ? new ServerBudgetIndex.Usage(probed.facts().connectionsByApplication(), probed.time())
            : null;
    ServerBudgetIndex.Allocation allocation =
        budgets.put(
            input,
            ServerBudgetIndex.rolledOut(view.name(), previous, found),
            found.isEmpty(),
            view.applicationName(),
            seen);
    peers.wake(resourceIds(allocation.peersToWake()));
    return allocation.decision();
  }

  /** Forgets a deleted policy; its peers' shares may grow. */
  void forget(PolicyView view) {
    String id = budgetId(view);
    Collection<ResourceID> wake = resourceIds(budgets.remove(id));
    policies.remove(id);
    peers.wake(wake);
  }

  private List<ResourceID> resourceIds(Collection<String> ids) {
    return ids.stream().map(policies::get).filter(java.util.Objects::nonNull).toList();
  }

  private static String budgetId(PolicyView view) {
    return view.namespace() + "/" + view.name();
  }

  private static ServerLimits limits(ServerFacts facts) {
    return new ServerLimits(
        facts.maxConnections(),
        facts.reservedTotal(),
        facts.roleConnectionLimit(),
        facts.databaseConnectionLimit());
  }
}
