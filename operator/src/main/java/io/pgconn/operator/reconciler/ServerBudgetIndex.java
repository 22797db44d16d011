package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.budget.AllotmentBook;
import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.ServerDivision;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.StoredApplicationName;
import io.pgconn.operator.budget.UsageWindow;
import io.pgconn.operator.probe.ProbePools;
import io.pgconn.operator.rollout.Workload;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reconciler's index of every policy's latest sizing inputs, by the server its URL reaches (the
 * pure division of one server's budget is {@code budget.ServerShares}), so that one policy's
 * decision is computed together with every other policy on that server. When a policy's inputs
 * change, the others on its server are named so they can be recomputed too: the allocation is a
 * function of the whole set, so the result does not depend on which policy reconciled first. The
 * same holds when the server's sustained unlisted usage changes: every policy there is recomputed,
 * so the end of a burst frees every pool at the first probe that sees it.
 *
 * <p>It also remembers, per policy, the highest limit its pods may run: while a rollout is under
 * way (or held, paused, opted out) pods run the old and the new content side by side, and status
 * only says which content they roll to. Peers' raises are bounded by it (see {@code
 * budget.ServerShares}), and when a rollout completes the policy's running limit drops, which wakes
 * the peers whose raise was waiting.
 *
 * <p>In memory only: after a start it is rebuilt before any decision (see {@code
 * reconciler.PoolSizer}): every policy is {@link #hold held} at the limit its Secret holds until
 * every policy the informer cache knows has reconciled once, so the first decision after a restart
 * is taken on the same set of peers as the last one before it.
 */
final class ServerBudgetIndex {

  record Allocation(PoolDecision decision, Set<String> peersToWake) {}

  /**
   * A limit a decision may not exceed, and why: only a lower may be written while a policy's probe
   * fails (a full server refuses it), so its pods never take a slot their server may not have.
   */
  record Ceiling(int limit, String why) {}

  /** Client connections by application_name, as a probe saw them on a server at a time. */
  record Usage(Map<String, Integer> byApplication, Instant seenAt) {}

  /**
   * A division and the inputs it was computed from: the server's version (see {@link #versions})
   * and its unlisted usage.
   */
  private record Division(long version, OptionalInt unlisted, ServerDivision division) {
    Map<String, PoolDecision> decisions() {
      return division.decisions();
    }
  }

  private final Map<String, BudgetPolicy> policies = new HashMap<>();

  /** The same policies by server, by id: a server's set without a scan of every server's. */
  private final Map<ServerKey, Map<String, BudgetPolicy>> byServer = new HashMap<>();

  /** Each server's last division of its budget, and the inputs it was computed from. */
  private final Map<ServerKey, Division> divisions = new HashMap<>();

  /**
   * A policy new to the index, held on a server whose division was current just before: the only
   * input of that division that moved since (see {@link #divide}).
   */
  private record Arrival(long fromVersion, long toVersion, BudgetPolicy policy) {}

  /** Each server's last arrival, while it may still be the only change since its division. */
  private final Map<ServerKey, Arrival> arrivals = new HashMap<>();

  /**
   * What every policy on each server was last told (or is queued to hear): the division the last
   * decision there handed out. Apart from {@link #divisions}, so that a newcomer looking whether it
   * fits at its size ({@link #fitsAtItsSize}) tells nobody anything: the next decision still wakes
   * the peers its arrival moved.
   */
  private final Map<ServerKey, Division> told = new HashMap<>();

  /**
   * Each server's version: it moves whenever an input of its division does (a policy's inputs or
   * application_name, a policy joining or leaving), so a division is known current without
   * comparing every policy's inputs, which at ten thousand policies cost more than most decisions.
   */
  private final Map<ServerKey, Long> versions = new HashMap<>();

  /**
   * The reserves a server's policies ask for, counted by size: the largest is what the server keeps
   * free ({@link BudgetPolicy#reserveOf}), without a pass over every policy per arrival.
   */
  private final Map<ServerKey, TreeMap<Integer, Integer>> reserves = new HashMap<>();

  /**
   * Each server's allotments, kept one policy at a time as its limit, pods or name move ({@link
   * #rebook}): reading them whole on every reconcile cost a thousand newcomers a pass over every
   * peer each.
   */
  private final Map<ServerKey, AllotmentBook> books = new HashMap<>();

  /** The server whose book holds each policy's allotment. */
  private final Map<String, ServerKey> bookedOn = new HashMap<>();

  /** Every form a server may store the operator's probe application_name in. */
  private final Set<String> probeForms = StoredApplicationName.forms(ProbePools.APPLICATION_NAME);

  /**
   * Servers being divided again by weight above the mins, after an explicit change of one of their
   * policies (its pool, pods or reserve), until every policy there has written its share of that
   * division. Elsewhere, running policies keep what they hold and newcomers share what is free.
   */
  private final Set<ServerKey> redividing = new HashSet<>();

  /**
   * Whether a division may be extended by a newcomer rather than divided again ({@link #divide}).
   */
  private final boolean extending;

  /** Divisions extended so far, for tests and benchmarks. */
  private long extensions;

  ServerBudgetIndex() {
    this(true);
  }

  private ServerBudgetIndex(boolean extending) {
    this.extending = extending;
  }

  /**
   * An index that divides again at every change, as before divisions were extended: what an
   * extending index must answer exactly as (ServerBudgetIndexExtensionPropertiesTest).
   */
  static ServerBudgetIndex dividingAtEveryChange() {
    return new ServerBudgetIndex(false);
  }

  private final Map<String, String> applicationNames = new HashMap<>();
  private final Map<ServerKey, UsageWindow> usage = new HashMap<>();
  private final Map<String, Integer> running = new HashMap<>();
  private final Map<String, Integer> podsNow = new HashMap<>();

  /**
   * Whether every pod of the policy runs the content its Secret holds now (the content its previous
   * status names): every workload found carries that content's stamp and its own rollout is
   * complete. Read from the workloads as they are now, not from the previous status, so that the
   * reconcile that sees a rollout finish also frees the peers' raises (after it there may be no
   * other reconcile for a whole probe interval). Workloads not restarted by design (Jobs, CronJobs)
   * and missing ones are not in {@code found}. True when nothing was written yet.
   */
  static boolean rolledOut(String policyName, PolicyStatus previous, List<Workload> found) {
    if (previous == null || previous.getSecret() == null) return true;
    String hash = previous.getSecret().getContentHash();
    return found.stream()
        .allMatch(
            w ->
                Objects.equals(hash, w.stampedHash(policyName))
                    && w.progress() != null
                    && w.progress().isComplete());
  }

  /**
   * @param policy with previousLimit the limit now in its Secret; its runningLimit is ignored
   * @param rolledOut whether every pod runs that content ({@link #rolledOut})
   * @param restartsNothing the policy lists no workload it restarts: its limit counts as it is
   *     written
   * @param applicationName what the policy's pools report as application_name: their connections
   *     are the policy's own, every other client's count as unlisted usage
   * @param seen the server's connections as this policy's probe saw them, or null
   */
  synchronized Allocation put(
      BudgetPolicy policy,
      boolean rolledOut,
      boolean restartsNothing,
      String applicationName,
      Usage seen) {
    return put(policy, rolledOut, restartsNothing, applicationName, seen, null, false);
  }

  /**
   * As above; the decision never exceeds {@code ceiling}, if there is one.
   *
   * @param changedUnseen the policy's pool or pods changed since its last write, as its status
   *     shows; consulted only when the index does not know the policy yet (after a start), since
   *     otherwise it compares with what it knows
   */
  synchronized Allocation put(
      BudgetPolicy policy,
      boolean rolledOut,
      boolean restartsNothing,
      String applicationName,
      Usage seen,
      Ceiling ceiling,
      boolean changedUnseen) {
    Integer written = policy.previousLimit();
    Integer before = running.get(policy.id());
    BudgetPolicy previous = policies.get(policy.id());
    noteExplicitChange(previous, policy, changedUnseen);
    if (ceiling == null
        && written != null
        && previous != null
        && !previous.server().equals(policy.server())) {
      // Its server now identifies as another (a standby restarted, a failover, a new URL): peers
      // still known under the old key may be on the same server, and join the new key only as
      // each probes again. Raising before they have would count the same slots twice.
      ceiling = new Ceiling(written, "while peers on its server are identified again");
    }
    // Rolling: pods may still run any limit written since the last completed rollout.
    policy =
        policy
            .withRunningLimit(
                rolledOut || before == null
                    ? written
                    : written == null ? before : Integer.valueOf(Math.max(before, written)))
            .withRaiseWaiting(
                previous != null
                    && previous.raiseWaiting()
                    && Objects.equals(previous.previousLimit(), written));
    store(policy);
    name(policy, applicationName);
    ServerKey server = policy.server();
    record(server, seen);
    OptionalInt unlisted = unlistedBeyondReserves(server);
    Division lastTold = told.get(server);
    Division now = divide(server, unlisted);
    PoolDecision divided = now.decisions().get(policy.id());
    PoolDecision decision = divided;
    if (ceiling != null && decision.connectionLimit() > ceiling.limit()) {
      decision =
          new PoolDecision(
              ceiling.limit(),
              decision.consumers(),
              decision.budget(),
              decision.satisfied(),
              decision.explanation() + "; kept at " + ceiling.limit() + " " + ceiling.why(),
              decision.remedy(),
              false);
    }
    if (!decision.admitted()) {
      // Refused: nothing is written, it stays a newcomer and counts for nobody. Peers hear of it
      // only if its arrival moved them (it did not: a refused newcomer takes nothing).
      Set<String> wake = new TreeSet<>(changed(lastTold, now));
      wake.remove(policy.id());
      told.put(server, now);
      return new Allocation(decision, wake);
    }
    // From now on the Secret holds this decision and pods roll to it: peers count it.
    int limit = decision.connectionLimit();
    // A policy that restarts nothing has no rollout to wait for: nothing would ever mark it done.
    int mayRun =
        policy.runningLimit() == null || restartsNothing
            ? limit
            : Math.max(policy.runningLimit(), limit);
    if (!Objects.equals(running.put(policy.id(), mayRun), mayRun)) rebook(policy.id());
    store(policy.withWritten(decision, mayRun));
    // Peers see this policy as it is now written, and what its pods may now run (a lower that has
    // rolled out frees room a waiting raise may take): that division is the one they would get.
    // In a calm division, writing exactly the decision moves nobody (ServerDivision.calm): the
    // division stands for the inputs as written, and the next decision here starts from it.
    Division next =
        now.division().calm() && decision == divided
            ? relabel(server, now)
            : divide(server, unlisted);
    if (redividing.contains(server) && realized(server, next)) {
      // Every policy holds its share of the division the change asked for: from now on they keep
      // it, and a newcomer gets only what is free. The same shares for the running policies; a
      // newcomer that division refused is refused against what they hold now, and is told so.
      redividing.remove(server);
      touch(server);
      next = divide(server, unlisted);
    }
    Set<String> wake = new TreeSet<>();
    if (previous != null && !previous.server().equals(server)) {
      // Its old server's policies are divided without it from their own next decision on.
      wake.addAll(idsOn(previous.server()));
      wake.addAll(idsOn(server));
    } else {
      wake.addAll(changed(lastTold, next));
    }
    wake.remove(policy.id());
    told.put(server, next);
    return new Allocation(decision, wake);
  }

  /**
   * The policies whose decision differs between what they were last told and the division they
   * would get now: only they need a reconcile. A rotation that names a new role, a lower no raise
   * waits for, or a peer's own news that moves nobody else's share then wakes nobody; before, each
   * woke every policy on the server (a thousand reconciles that wrote nothing). Nor does a newcomer
   * that fits: it moves every peer's explanation by its numbers only ("shared with 999 other
   * policies"), which a peer's status shows only with its next news ({@link SizingVerdict}), so
   * waking them all for it made every arrival cost a reconcile of every peer (at 10,000 policies,
   * most of the convergence). Every policy when nothing was divided here yet.
   */
  private Set<String> changed(Division told, Division now) {
    if (told == null) return now.decisions().keySet();
    if (told.division() == now.division()) return Set.of();
    List<String> added = now.division().addedSince(told.division());
    if (added != null) {
      // Extended from what they were told, one newcomer at a time: nobody else's decision means
      // anything new (BudgetAllocator.extend), and a newcomer counts only once it has written.
      Set<String> changed = new TreeSet<>();
      for (String id : added) {
        if (wrote(id)) changed.add(id);
      }
      return changed;
    }
    Set<String> changed = new TreeSet<>();
    now.decisions()
        .forEach(
            (id, decision) -> {
              PoolDecision before = told.decisions().get(id);
              if (before == null
                  ? wrote(id)
                  : !SizingVerdict.sameMeaning(
                      before,
                      told.division().terms().get(id),
                      decision,
                      now.division().terms().get(id))) {
                changed.add(id);
              }
            });
    return changed;
  }

  /**
   * Whether the policy has written a limit. One that has not, and was told nothing yet, is a
   * newcomer on its way to its own first decision (held, or deciding right now on another thread):
   * waking it would only make it decide again, and write again, once it has.
   */
  private boolean wrote(String id) {
    BudgetPolicy policy = policies.get(id);
    return policy != null && policy.previousLimit() != null;
  }

  /**
   * Whether the division of its server admits a newcomer, already {@link #hold held}, at the one
   * size of its pool ({@link io.pgconn.operator.budget.PoolSizing#isOneSize}), satisfied and with
   * no raise waiting for peers to roll: arrivals after it could not change that size, and once
   * written none moves it. The division is the one its decision then takes, so looking costs no
   * second division.
   */
  synchronized boolean fitsAtItsSize(BudgetPolicy policy) {
    if (!policy.sizing().isOneSize() || policies.get(policy.id()) == null) return false;
    ServerKey server = policy.server();
    PoolDecision decision =
        divide(server, unlistedBeyondReserves(server)).decisions().get(policy.id());
    return decision != null
        && decision.admitted()
        && decision.satisfied()
        && !decision.raiseWaiting()
        && decision.connectionLimit() == policy.sizing().floorPerPod();
  }

  /**
   * Registers a policy's inputs without deciding anything: its Secret keeps the limit it holds (its
   * previousLimit), and peers count it at that limit. Used while the index is being rebuilt after a
   * start, so that no decision is taken on a partial set of peers.
   */
  synchronized void hold(
      BudgetPolicy policy, String applicationName, Usage seen, boolean changedUnseen) {
    Division last = divisions.get(policy.server());
    long dividedAt = version(policy.server());
    boolean arriving =
        policies.get(policy.id()) == null && last != null && last.version() == dividedAt;
    noteExplicitChange(policies.get(policy.id()), policy, changedUnseen);
    Integer before = running.get(policy.id());
    Integer written = policy.previousLimit();
    Integer mayRun =
        before == null
            ? written
            : written == null ? before : Integer.valueOf(Math.max(before, written));
    store(policy.withRunningLimit(mayRun));
    if (mayRun != null && !mayRun.equals(running.put(policy.id(), mayRun))) rebook(policy.id());
    name(policy, applicationName);
    record(policy.server(), seen);
    if (arriving) {
      arrivals.put(
          policy.server(),
          new Arrival(dividedAt, version(policy.server()), policies.get(policy.id())));
    }
  }

  /**
   * A running policy's own pool, pods or reserve changed: an explicit change, after which its
   * server is divided by weight above the mins again (the policies waiting to be admitted included)
   * until every policy holds its new share. A newcomer, or a policy that only now reports a limit,
   * changes nothing here: shares never move because a policy appeared.
   */
  private void noteExplicitChange(BudgetPolicy known, BudgetPolicy now, boolean changedUnseen) {
    if (now.previousLimit() == null) return;
    boolean changed =
        known == null
            ? changedUnseen
            : known.previousLimit() != null
                && known.server().equals(now.server())
                && (!known.sizing().equals(now.sizing())
                    || known.pods() != now.pods()
                    || known.reserve() != now.reserve());
    if (changed && redividing.add(now.server())) touch(now.server());
  }

  /**
   * Whether every admitted policy on the server has written its decision of {@code division} and no
   * raise waits: the division an explicit change asked for is in place.
   */
  private boolean realized(ServerKey server, Division division) {
    for (BudgetPolicy policy : byServer.getOrDefault(server, Map.of()).values()) {
      PoolDecision decision = division.decisions().get(policy.id());
      if (decision == null || !decision.admitted()) continue;
      if (decision.raiseWaiting()
          || !Objects.equals(policy.previousLimit(), decision.connectionLimit())) {
        return false;
      }
    }
    return true;
  }

  /** Adds what a probe saw, if anything, to the server's usage window. */
  private void record(ServerKey server, Usage seen) {
    if (seen == null) return;
    usage.merge(
        server,
        UsageWindow.empty().with(seen.seenAt().toEpochMilli(), seen.byApplication()),
        (window, ignored) -> window.with(seen.seenAt().toEpochMilli(), seen.byApplication()));
  }

  /**
   * The pods a policy's workloads have now (not the budgeted count: what the connection ledger
   * multiplies its limit by).
   */
  synchronized void present(String id, int pods) {
    if (Objects.equals(podsNow.put(id, pods), pods)) return;
    BudgetPolicy policy = policies.get(id);
    if (policy != null) rebook(id);
  }

  /**
   * What one policy shows of its server's connection ledger ({@link AllotmentBook#shownFor}): every
   * policy on {@code server} allots its consumer the highest limit its pods may run (during a
   * rollout old pods keep the old one) times the pods its workloads have now.
   */
  synchronized List<ConnectionLedger.Line> consumersShown(
      ServerKey server,
      Map<ConnectionLedger.ConsumerId, Integer> held,
      ConnectionLedger.ConsumerId own,
      int max) {
    AllotmentBook book = book(server);
    return book == null
        ? ConnectionLedger.of(held, List.of(), ProbePools.APPLICATION_NAME).shownFor(own, max)
        : book.shownFor(held, ProbePools.APPLICATION_NAME, own, max);
  }

  /** What every policy on {@code server} allots, one per policy. */
  synchronized Collection<ConnectionLedger.Allotment> allotments(ServerKey server) {
    AllotmentBook book = book(server);
    return book == null ? List.of() : book.allotments();
  }

  /**
   * The same allotments read whole from the index, as they were before the book: what the book must
   * always equal (ServerBudgetIndexBookPropertiesTest).
   */
  synchronized List<ConnectionLedger.Allotment> allotmentsReadWhole(ServerKey server) {
    return byServer.getOrDefault(server, Map.of()).values().stream()
        .filter(p -> applicationNames.get(p.id()) != null)
        .map(p -> allotmentOf(p, applicationNames.get(p.id())))
        .toList();
  }

  /** The largest reserve a policy on {@code server} asks for. */
  synchronized int reserve(ServerKey server) {
    TreeMap<Integer, Integer> asked = reserves.get(server);
    return asked == null ? 0 : asked.lastKey();
  }

  /** The policies on {@code server} as the index holds them. */
  synchronized List<BudgetPolicy> policiesOn(ServerKey server) {
    return List.copyOf(byServer.getOrDefault(server, Map.of()).values());
  }

  private void countReserve(BudgetPolicy policy, int delta) {
    TreeMap<Integer, Integer> asked =
        reserves.computeIfAbsent(policy.server(), s -> new TreeMap<>());
    asked.merge(policy.reserve(), delta, (n, d) -> n + d == 0 ? null : n + d);
    if (asked.isEmpty()) reserves.remove(policy.server());
  }

  private AllotmentBook book(ServerKey server) {
    return books.get(server);
  }

  /** Brings the book up to date with what policy {@code id} allots now. */
  private void rebook(String id) {
    BudgetPolicy p = policies.get(id);
    String name = applicationNames.get(id);
    ServerKey was = bookedOn.remove(id);
    if (was != null && (p == null || name == null || !was.equals(p.server()))) {
      AllotmentBook old = books.get(was);
      if (old != null) old.remove(id);
    }
    if (p == null || name == null) return;
    books.computeIfAbsent(p.server(), s -> new AllotmentBook()).put(id, allotmentOf(p, name));
    bookedOn.put(id, p.server());
  }

  /** The highest limit its pods may run times the pods its workloads have now. */
  private ConnectionLedger.Allotment allotmentOf(BudgetPolicy p, String name) {
    return new ConnectionLedger.Allotment(
        name,
        p.user(),
        Objects.requireNonNullElse(
            running.get(p.id()), Objects.requireNonNullElse(p.previousLimit(), 0)),
        podsNow.getOrDefault(p.id(), p.pods()));
  }

  /** The server a policy counts on, or null while the index does not hold it (unverified). */
  synchronized ServerKey serverOf(String id) {
    BudgetPolicy policy = policies.get(id);
    return policy == null ? null : policy.server();
  }

  /** Every policy the index knows, on any server. */
  synchronized Set<String> ids() {
    return new TreeSet<>(policies.keySet());
  }

  /** How many divisions were extended by a newcomer rather than divided again. */
  synchronized long extensions() {
    return extensions;
  }

  /** Forgets a policy; returns the peers whose share may now grow. */
  synchronized Set<String> remove(String id) {
    applicationNames.remove(id);
    running.remove(id);
    podsNow.remove(id);
    BudgetPolicy removed = policies.remove(id);
    if (removed == null) return Set.of();
    countReserve(removed, -1);
    unindex(removed);
    touch(removed.server());
    rebook(id);
    return idsOn(removed.server());
  }

  private Set<String> idsOn(ServerKey server) {
    return new TreeSet<>(byServer.getOrDefault(server, Map.of()).keySet());
  }

  private void store(BudgetPolicy policy) {
    BudgetPolicy before = policies.put(policy.id(), policy);
    if (policy.equals(before)) return;
    if (before != null) countReserve(before, -1);
    countReserve(policy, 1);
    if (before != null && !before.server().equals(policy.server())) {
      unindex(before);
      touch(before.server());
    }
    byServer.computeIfAbsent(policy.server(), s -> new TreeMap<>()).put(policy.id(), policy);
    touch(policy.server());
    rebook(policy.id());
  }

  /** Records what the policy's pools report as application_name; a change moves its server. */
  private void name(BudgetPolicy policy, String applicationName) {
    if (!Objects.equals(applicationNames.put(policy.id(), applicationName), applicationName)) {
      touch(policy.server());
      rebook(policy.id());
    }
  }

  /** An input of the server's division moved: its version too. */
  private void touch(ServerKey server) {
    versions.merge(server, 1L, Long::sum);
  }

  private long version(ServerKey server) {
    return versions.getOrDefault(server, 0L);
  }

  private void unindex(BudgetPolicy policy) {
    Map<String, BudgetPolicy> on = byServer.get(policy.server());
    on.remove(policy.id());
    if (on.isEmpty()) {
      byServer.remove(policy.server());
      divisions.remove(policy.server());
      arrivals.remove(policy.server());
      told.remove(policy.server());
      redividing.remove(policy.server());
      books.remove(policy.server());
    }
  }

  /**
   * The division of a server's budget among its policies, recomputed only when one of its inputs
   * moved. Peers woken by one policy's lower find every input as the first of them to reconcile
   * left it: a thousand woken peers cost one division, not a thousand (each is a pass over every
   * policy on the server).
   */
  private Division divide(ServerKey server, OptionalInt unlisted) {
    Division last = divisions.get(server);
    long version = version(server);
    if (last != null && last.version() == version && last.unlisted().equals(unlisted)) {
      return last;
    }
    Arrival arrival = arrivals.remove(server);
    if (extending
        && last != null
        && arrival != null
        && arrival.fromVersion() == last.version()
        && arrival.toVersion() == version
        && last.unlisted().equals(unlisted)
        && !redividing.contains(server)) {
      // Only a newcomer moved since the last division: extend it by the newcomer when that gives
      // what dividing again would. One division per newcomer made a thousand arrivals on one
      // server cost a pass over all of them each, most of the operator's work while converging.
      ServerDivision extended = BudgetAllocator.extend(last.division(), arrival.policy());
      if (extended != null) {
        extensions++;
        Division division = new Division(version, unlisted, extended);
        divisions.put(server, division);
        return division;
      }
    }
    Division division =
        new Division(
            version,
            unlisted,
            BudgetAllocator.divide(
                server,
                List.copyOf(byServer.get(server).values()),
                unlisted.isPresent() ? unlisted.getAsInt() : null,
                !redividing.contains(server)));
    divisions.put(server, division);
    return division;
  }

  /** The same division, standing for the server's inputs as they are now. */
  private Division relabel(ServerKey server, Division division) {
    Division now = new Division(version(server), division.unlisted(), division.division());
    divisions.put(server, now);
    return now;
  }

  /**
   * Sustained connections of clients no policy on the server accounts for, beyond what the
   * policies' reserves keep free for them (see {@link UsageWindow}). The operator's own probe
   * connections are not counted.
   */
  private OptionalInt unlistedBeyondReserves(ServerKey server) {
    UsageWindow window = usage.get(server);
    if (window == null) return OptionalInt.empty();
    AllotmentBook book = book(server);
    return window.sustainedUnlistedBeyond(
        name -> probeForms.contains(name) || book != null && book.lists(name), reserve(server));
  }
}
