package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import io.pgconn.operator.rollout.Workload;
import io.pgconn.operator.url.ConnectionString;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Sizes a policy's pool together with every policy on the same server, and wakes those whose share
 * moves. Pods count at their HPA's maximum, so autoscaling changes nothing. Only policies whose
 * probe logged in count in a server's budget, keyed by what the server reports about itself (see
 * {@link VerifiedServers}); any other policy gets a limit of its own and takes nothing from anyone
 * (its decision needs no peers, so the rebuild below does not hold it).
 *
 * <p>After a start (a restart, a new leader) the index is empty: sizing the first policies to
 * reconcile would size them as if alone on their server, write a larger limit, restart their pods
 * and cut them back as peers arrive. So no decision is taken until every policy in the informer
 * cache has reconciled once since start (been registered in the index, or failed before sizing):
 * until then each policy is only registered, at the limit its Secret holds, and its reconcile ends
 * with no write. The last one to arrive decides on the complete set and wakes the others, whose
 * decisions are then the ones taken before the restart. Holding rather than seeding the index from
 * each policy's last status keeps one source of truth for a policy's inputs (its own reconcile: the
 * source Secret, the probe, the workloads at their HPA maximum), none of which status carries in
 * full. A policy that never gets that far (an API error every time) delays the first decisions by
 * at most {@link #REBUILD_LIMIT}.
 */
final class PoolSizer {

  static final Duration REBUILD_LIMIT = Duration.ofMinutes(2);

  private final ServerBudgetIndex budgets = new ServerBudgetIndex();
  private final Map<String, ResourceID> policies = new ConcurrentHashMap<>();
  private final Set<String> settled = ConcurrentHashMap.newKeySet();

  /** Which server's budget each policy counts in, as its probe established it. */
  private final VerifiedServers servers = new VerifiedServers();

  private final NewcomerSettle newcomers = new NewcomerSettle();

  private final PeerEventSource peers;
  private final Clock clock;
  private Instant rebuildStarted;
  private boolean rebuilt;

  PoolSizer(PeerEventSource peers, Clock clock) {
    this.peers = peers;
    this.clock = clock;
  }

  /**
   * @param consumers the workloads as pool consumers, counted at their HPA maximum
   * @param found the same workloads as found: whether they all run the current content decides
   *     whether peers may raise into what this policy's pods still hold
   * @param known every policy the informer cache holds
   * @throws PolicyFailure when the server is full (the probe was refused with 53300) and nothing
   *     was written for this policy yet; with a limit written, a full server only lets it lower
   * @throws SizingHeld while the index is rebuilt after a start: nothing may be written yet
   */
  PoolDecision size(
      PostgresConnectionPolicy policy,
      PolicyView view,
      ConnectionString server,
      ProbeResult probed,
      List<Consumer> consumers,
      List<Workload> found,
      Supplier<Stream<PostgresConnectionPolicy>> known)
      throws PolicyFailure {
    var pool = view.spec().getPool();
    var auto = pool.autoOrDefault();
    PoolSizing sizing =
        pool.getConnectionLimit() != null
            ? new PoolSizing.Fixed(pool.getConnectionLimit())
            : new PoolSizing.Auto(
                auto.getMin(), Math.max(auto.getMin(), auto.getMax()), auto.getWeight());
    var previous = policy.getStatus();
    Integer previousLimit =
        previous == null || previous.getPool() == null
            ? null
            : previous.getPool().getConnectionLimit();
    boolean saturated = PolicyProbe.saturated(probed);
    if (saturated && previousLimit == null) {
      // Nothing written yet: a newcomer takes nothing from a full server.
      throw new PolicyFailure(probed);
    }
    String id = budgetId(view);
    policies.put(id, new ResourceID(view.name(), view.namespace()));
    VerifiedServers.Verified verified = servers.verify(id, server, probed);
    if (verified == null) {
      // Its own limit, taking nothing from anyone: the peers it shared a budget with get it back.
      Collection<ResourceID> wake = resourceIds(budgets.remove(id));
      rebuilt(id, known);
      peers.wake(wake);
      return BudgetAllocator.unbudgeted(
          sizing,
          consumers,
          previousLimit,
          VerifiedServers.whyUnverified(view.spec().getProbe().getMode(), probed));
    }
    Integer ceiling = verified.held() ? previousLimit : null;
    BudgetPolicy input =
        new BudgetPolicy(
            id,
            verified.key(),
            server.user(),
            server.database(),
            auto.getReserve(),
            ceiling == null ? sizing : capped(sizing, ceiling),
            consumers,
            verified.limits(),
            BudgetPolicy.Written.rolledOut(previousLimit),
            PolicyProbe.connection(view, server));
    budgets.present(id, found.isEmpty() ? 1 : found.stream().mapToInt(Workload::existing).sum());
    boolean changedUnseen = changedSinceWritten(policy, input);
    ServerBudgetIndex.Usage seen =
        probed.ok()
            ? new ServerBudgetIndex.Usage(probed.facts().connectionsByApplication(), probed.time())
            : null;
    if (!rebuilt(id, known)) {
      budgets.hold(input, view.applicationName(), seen, changedUnseen);
      throw new SizingHeld(REBUILD_LIMIT);
    }
    if (previousLimit == null) {
      // Its peers count it from now on.
      budgets.hold(input, view.applicationName(), seen, changedUnseen);
      if (!newcomers.waits(id) && budgets.fitsAtItsSize(input)) {
        // Its pool has one size, which it gets whoever else arrives, and once written no arrival
        // moves it: waiting for the other newcomers would change nothing but when it is Ready.
        // Those held on its server wait for it as for any arrival.
        newcomers.passedThrough(verified.key(), clock.instant());
      } else {
        // Its first decision waits for the other newcomers.
        NewcomerSettle.Hold settle = newcomers.hold(id, verified.key(), clock.instant());
        if (settle.lookAgainIn().isPresent()) throw new SizingHeld(settle.lookAgainIn().get());
        peers.wake(resourceIds(settle.release()));
      }
    }
    newcomers.decided(id);
    ServerBudgetIndex.Allocation allocation =
        budgets.put(
            input,
            ServerBudgetIndex.rolledOut(view.name(), previous, found),
            found.isEmpty(),
            view.applicationName(),
            seen,
            ceiling == null
                ? null
                : new ServerBudgetIndex.Ceiling(
                    ceiling,
                    saturated
                        ? "while the server refuses new connections"
                        : "until a probe logs in again"),
            changedUnseen);
    peers.wake(resourceIds(allocation.peersToWake()));
    PoolDecision decision = allocation.decision();
    if (!decision.admitted()) {
      // Woken again when a division admits it (a peer leaves or lowers, the server grows).
      throw new PolicyFailure(
          PolicyFailure.Reason.NOT_ADMITTED,
          "Pool " + decision.explanation() + ". " + decision.remedy());
    }
    return decision;
  }

  /**
   * The lines of the connection ledger the policy shows (its own consumer first, see {@link
   * ConnectionLedger#shownFor}): who holds connections on its server against what every policy
   * there allots, from this probe's sessions; empty when the probe failed or the server is not
   * verified (then the policy shares no budget to hold anyone against).
   */
  Optional<List<ConnectionLedger.Line>> ledger(
      PolicyView view, ProbeResult probed, ConnectionLedger.ConsumerId own, int max) {
    ServerKey key = budgets.serverOf(budgetId(view));
    if (key == null || probed == null || !probed.ok()) return Optional.empty();
    Map<ConnectionLedger.ConsumerId, Integer> held =
        ConnectionLedger.held(
            probed.facts().sessions(),
            ServerFacts.Client::applicationName,
            ServerFacts.Client::role);
    return Optional.of(budgets.consumersShown(key, held, own, max));
  }

  /**
   * Whether the policy's spec or pods moved since the limit in its status was decided: its
   * generation is not the one status observed, or its pods are not the ones status counted. What
   * the index uses, after a start, to tell an explicit change made while the operator was away.
   */
  private static boolean changedSinceWritten(PostgresConnectionPolicy policy, BudgetPolicy input) {
    var status = policy.getStatus();
    if (status == null || status.getPool() == null || status.getPool().getConnectionLimit() == null)
      return false;
    return !java.util.Objects.equals(
            policy.getMetadata().getGeneration(), status.getObservedGeneration())
        || !java.util.Objects.equals(status.getPool().getConsumers(), input.pods());
  }

  /**
   * A held policy takes no more from its peers than its last limit, whatever its spec asks now (a
   * lower still applies).
   */
  private static PoolSizing capped(PoolSizing sizing, int ceiling) {
    if (sizing instanceof PoolSizing.Fixed fixed) {
      return new PoolSizing.Fixed(Math.min(fixed.connectionLimit(), ceiling));
    }
    PoolSizing.Auto auto = (PoolSizing.Auto) sizing;
    int max = Math.min(auto.max(), ceiling);
    return new PoolSizing.Auto(Math.min(auto.min(), max), max, auto.weight());
  }

  /** A policy failed before it could be sized: the rebuild after a start does not wait for it. */
  void failed(PolicyView view, Supplier<Stream<PostgresConnectionPolicy>> known) {
    String id = budgetId(view);
    policies.put(id, new ResourceID(view.name(), view.namespace()));
    rebuilt(id, known);
  }

  /**
   * Whether decisions may be taken: every policy in the cache (but those being deleted) has
   * reconciled once since start, or the rebuild has waited long enough. The call that completes the
   * rebuild wakes every policy held so far.
   */
  private boolean rebuilt(String id, Supplier<Stream<PostgresConnectionPolicy>> known) {
    Set<String> held;
    synchronized (this) {
      settled.add(id);
      if (rebuilt) return true;
      Instant now = clock.instant();
      if (rebuildStarted == null) rebuildStarted = now;
      boolean all =
          known
              .get()
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              // Only policies an earlier run sized: a newcomer has nothing to keep, and waiting
              // for it would let one that cannot be probed hold every other.
              .filter(p -> p.getStatus() != null && p.getStatus().getPool() != null)
              .allMatch(
                  p ->
                      settled.contains(
                          p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
      if (!all && now.isBefore(rebuildStarted.plus(REBUILD_LIMIT))) return false;
      rebuilt = true;
      settled.clear();
      held = budgets.ids();
    }
    held.remove(id);
    peers.wake(resourceIds(held));
    return true;
  }

  /** Forgets a deleted policy; its peers' shares may grow. */
  void forget(PolicyView view) {
    String id = budgetId(view);
    Collection<ResourceID> wake = resourceIds(budgets.remove(id));
    policies.remove(id);
    servers.forget(id);
    newcomers.decided(id);
    peers.wake(wake);
  }

  private List<ResourceID> resourceIds(Collection<String> ids) {
    return ids.stream().map(policies::get).filter(java.util.Objects::nonNull).toList();
  }

  private static String budgetId(PolicyView view) {
    return view.namespace() + "/" + view.name();
  }
}
