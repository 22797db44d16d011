package io.pgconn.operator.budget;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Divides one server's connection budget into per-pod shares for every policy on it, in one pure
 * computation (the reconciler's per-server index of policies is {@code ServerBudgetIndex}).
 * Instances live for one {@link #decide} call only.
 *
 * <p>Steps, each independent of input order (policies are sorted by id, scopes by kind and name):
 *
 * <ol>
 *   <li>Scopes: the server, plus each role and database that has a limit. Capacity = the limit
 *       minus the largest reserve of the policies in the scope, minus the operator's own probe
 *       connections (one per distinct {@link BudgetPolicy#probeConnection}), minus unlisted usage
 *       (server only).
 *   <li>Fixed pools take pods x limit in each of their scopes first.
 *   <li>Every auto policy starts at its min, or, when held limits are kept (between explicit
 *       changes), a policy that has written a limit starts at that limit, so a newcomer gets only
 *       what the running policies leave free. In a scope where the mins do not fit, its auto
 *       policies start at 1 instead and are not satisfied: connections beyond the budget do not
 *       exist, so the largest limit that fits serves the workload better than a min that fails at
 *       connect time, and it keeps the other tenants of the server working.
 *   <li>Weighted fill: one connection per pod at a time goes to the policy whose total so far,
 *       divided by its weight, is smallest (ties: smaller id), if the step fits every scope the
 *       policy is in and stays within its max. This is weighted max-min fairness in whole
 *       connections; it never exceeds a capacity and uses what flooring shares would waste.
 *   <li>Hysteresis ({@link RaiseStep}) may keep a previous, lower limit.
 *   <li>Raises are bounded by what runs: a lower reaches a peer's pods only through its paced
 *       rollout (or never, if it is paused, opted out, {@code restart: Never} or held), while a
 *       raise would be rolled at once. So each scope counts every policy at {@code pods x
 *       max(running, written)} (see {@link BudgetPolicy#runningLimit}), and raises are granted in
 *       id order from what is left: in full if it fits, else partly (if at least a {@link
 *       RaiseStep}), else not yet. At every instant {@code sum of pods x the limit they may run <=
 *       capacity} then holds, as long as it held before and every floor (1 per pod) fits. A raise
 *       completes once its peers have rolled: their running limit drops, which changes their inputs
 *       and wakes this policy.
 * </ol>
 */
final class ServerShares {

  private final ServerKey key;
  private final boolean keepHeld;
  private final List<BudgetPolicy> policies;
  private final ServerView view;
  private final Integer unlisted;
  private final List<Scope> scopes = new ArrayList<>();
  private final List<List<Integer>> scopesOf = new ArrayList<>();
  private final int[] pods;
  private final int[] limit;
  private final boolean[] minFits;
  private final int[] blockedBy;
  private final long[] fixedUsed;
  private final long[] minDemand;

  /** The sum of the auto policies' weights in each scope, for every explanation's "weight w of". */
  private final long[] autoWeights;

  private final long[] used;
  private final int[] written;
  private final Note[] notes;
  private final boolean[] waiting;

  /** Per scope: members with a fixed pool, and members with an auto pool. */
  private final int[] fixedMembers;

  private final int[] autoMembers;

  /** Policies the fill could still raise: 0 when every auto pool starts at its max. */
  private int growing;

  private ServerShares(
      ServerKey key,
      List<BudgetPolicy> sortedPolicies,
      ServerView view,
      Integer unlisted,
      boolean keepHeld) {
    this.key = key;
    this.keepHeld = keepHeld;
    this.policies = sortedPolicies;
    this.view = view;
    this.unlisted = unlisted;
    int n = policies.size();
    pods = new int[n];
    limit = new int[n];
    minFits = new boolean[n];
    blockedBy = new int[n];
    for (int p = 0; p < n; p++) {
      pods[p] = policies.get(p).pods();
      scopesOf.add(new ArrayList<>());
      blockedBy[p] = -1;
    }
    buildScopes();
    fixedUsed = new long[scopes.size()];
    minDemand = new long[scopes.size()];
    autoWeights = new long[scopes.size()];
    used = new long[scopes.size()];
    written = new int[n];
    notes = new Note[n];
    waiting = new boolean[n];
    fixedMembers = new int[scopes.size()];
    autoMembers = new int[scopes.size()];
  }

  /**
   * {@code base} with {@code newcomer} added at its one size, as the steps above would have it (see
   * {@link #extend}, which checks that they would): it starts, and stays, at that size.
   */
  private ServerShares(ServerShares base, BudgetPolicy newcomer, List<Integer> newcomerScopes) {
    this.key = base.key;
    this.keepHeld = base.keepHeld;
    this.view = base.view;
    this.unlisted = base.unlisted;
    int n = base.policies.size();
    List<BudgetPolicy> all = new ArrayList<>(n + 1);
    all.addAll(base.policies);
    all.add(newcomer);
    this.policies = all;
    this.scopesOf.addAll(base.scopesOf);
    this.scopesOf.add(newcomerScopes);
    int size = newcomer.sizing().floorPerPod();
    int newcomerPods = newcomer.pods();
    pods = grown(base.pods, newcomerPods);
    limit = grown(base.limit, size);
    minFits = Arrays.copyOf(base.minFits, n + 1);
    minFits[n] = true;
    blockedBy = grown(base.blockedBy, -1);
    written = grown(base.written, size);
    notes = Arrays.copyOf(base.notes, n + 1);
    notes[n] =
        newcomer.sizing() instanceof PoolSizing.Auto auto
            ? new Note(DecisionTerms.Note.CAPPED_AT_MAX, -1, auto.max(), 0)
            : Note.NONE;
    waiting = Arrays.copyOf(base.waiting, n + 1);
    fixedUsed = base.fixedUsed.clone();
    minDemand = base.minDemand.clone();
    autoWeights = base.autoWeights.clone();
    used = base.used.clone();
    fixedMembers = base.fixedMembers.clone();
    autoMembers = base.autoMembers.clone();
    growing = base.growing;
    // Calm, as extend checked: the newcomer may run its size, and the others what they did.
    exposed = base.exposed.clone();
    for (int k = 0; k < base.scopes.size(); k++) {
      if (!newcomerScopes.contains(k)) {
        scopes.add(base.scopes.get(k));
        continue;
      }
      scopes.add(base.scopes.get(k).joinedBy(arithmetic(base.scopes.get(k), 1)));
      long connections = (long) newcomerPods * size;
      used[k] += connections;
      exposed[k] += connections;
      if (newcomer.sizing() instanceof PoolSizing.Fixed) {
        fixedUsed[k] += connections;
        fixedMembers[k]++;
      } else {
        PoolSizing.Auto auto = (PoolSizing.Auto) newcomer.sizing();
        minDemand[k] += connections;
        autoWeights[k] += auto.weight();
        autoMembers[k]++;
      }
    }
  }

  private static int[] grown(int[] values, int last) {
    int[] grown = Arrays.copyOf(values, values.length + 1);
    grown[values.length] = last;
    return grown;
  }

  /**
   * @param sortedPolicies policies on {@code key}, sorted by id, ids unique
   */
  static Map<String, PoolDecision> decide(
      ServerKey key, List<BudgetPolicy> sortedPolicies, Integer unlistedUsage) {
    return divide(key, sortedPolicies, unlistedUsage).decisions();
  }

  /**
   * The division by weight above the mins, every admitted policy included: what an explicit change
   * on the server (a policy's pool, pods or reserve) leads to.
   *
   * @param sortedPolicies policies on {@code key}, sorted by id, ids unique
   */
  static ServerDivision divide(
      ServerKey key, List<BudgetPolicy> sortedPolicies, Integer unlistedUsage) {
    return divide(key, sortedPolicies, unlistedUsage, false);
  }

  /**
   * @param sortedPolicies policies on {@code key}, sorted by id, ids unique
   * @param keepHeld every auto policy that has written a limit keeps it as its floor (within its
   *     min and max): a newcomer is admitted only into what they leave free, and what is free is
   *     shared by weight above those floors. When the held limits do not fit (the server's limit
   *     lowered, unlisted usage grown), the division is the one by weight above the mins, as
   *     without it: connections beyond the budget do not exist
   */
  static ServerDivision divide(
      ServerKey key, List<BudgetPolicy> sortedPolicies, Integer unlistedUsage, boolean keepHeld) {
    ServerView view = ServerView.combine(sortedPolicies);
    if (view == null) return new ServerDivision(unknownServer(sortedPolicies), false);
    if (keepHeld) {
      ServerDivision kept = divide(key, sortedPolicies, view, unlistedUsage, true);
      if (kept != null) return kept;
    }
    return divide(key, sortedPolicies, view, unlistedUsage, false);
  }

  /** The division, or null when keeping held limits and they do not fit. */
  private static ServerDivision divide(
      ServerKey key,
      List<BudgetPolicy> sortedPolicies,
      ServerView view,
      Integer unlistedUsage,
      boolean keepHeld) {
    Admission.Result admission = Admission.of(key, sortedPolicies, view, unlistedUsage, keepHeld);
    ServerShares shares =
        new ServerShares(key, admission.admitted(), view, unlistedUsage, keepHeld);
    shares.startAtFloors();
    if (keepHeld && !shares.heldFit()) return null;
    shares.fill();
    shares.holdSmallRaises();
    shares.boundRaisesByWhatRuns();
    // Sized for every policy at once: growing a map of a thousand rehashes it eight times.
    HashMap<String, PoolDecision> decisions = new HashMap<>(mapCapacity(sortedPolicies.size()));
    HashMap<String, DecisionTerms> terms = new HashMap<>(mapCapacity(sortedPolicies.size()));
    shares.decideInto(decisions, terms);
    for (Map.Entry<String, WordedDecision> refusal : admission.refused().entrySet()) {
      decisions.put(refusal.getKey(), refusal.getValue().decision());
      terms.put(refusal.getKey(), refusal.getValue().terms());
    }
    boolean calm = admission.refused().isEmpty() && shares.calm();
    return ServerDivision.divided(decisions, terms, calm, calm && keepHeld ? shares : null);
  }

  private static int mapCapacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }

  /**
   * The division of the server with {@code newcomer} added, made from {@code division} without
   * dividing again, or null when that cannot be shown to give the same result as dividing again
   * (then the caller divides). It can for a newcomer whose pool has one size, joining a calm
   * division that keeps held limits where nobody could grow: the newcomer starts and stays at its
   * size, it moves nobody's limit, and nobody's decision means anything new. Precisely, besides:
   *
   * <ul>
   *   <li>its limits are no tighter than the server's as combined so far, and it adds no scope;
   *   <li>in every scope it counts against, its reserve and probe connection take no capacity its
   *       peers did not already take, and every raise still fits in full beside it (so every
   *       newcomer is admitted, in any order, and every limit stays where it was);
   *   <li>in those scopes, at least 3 policies shared it before, a fixed pool joins at least 2 and
   *       an auto pool at least 2 auto pools (a weight is at least 1): how a peer's explanation
   *       shares the scope ("with several other policies", "in fixed pools", "weight w of") stays
   *       in the same terms, only its numbers move.
   * </ul>
   *
   * <p>At a thousand policies on one server, one division per newcomer was a third of the
   * operator's work while they converged. Extending copies the per-policy arrays, appends the
   * newcomer and recounts its scopes; every decision is made when it is read (a peer's explanation
   * names the newcomer in its counts). {@code ServerDivisionExtensionPropertiesTest} holds the
   * result to dividing again, and {@code ServerBudgetIndexExtensionPropertiesTest} the index's
   * answers to those of an index that divides at every change.
   */
  static ServerDivision extend(ServerDivision division, BudgetPolicy newcomer) {
    ServerShares base = division.shares();
    if (base == null || !division.calm() || !base.keepHeld || base.growing > 0) return null;
    if (newcomer.previousLimit() != null
        || !newcomer.sizing().isOneSize()
        || !newcomer.server().equals(base.key)
        || division.decisions().containsKey(newcomer.id())
        || !base.view.equals(base.view.with(newcomer))) {
      return null;
    }
    long connections = (long) newcomer.pods() * newcomer.sizing().floorPerPod();
    boolean fixed = newcomer.sizing() instanceof PoolSizing.Fixed;
    List<Integer> newcomerScopes = new ArrayList<>(3);
    for (LimitScope scope : Admission.scopesOf(base.key, newcomer, base.view)) {
      int k = base.indexOf(scope);
      if (k < 0) return null;
      Scope before = base.scopes.get(k);
      if (before.size() < 3
          || newcomer.reserve() > before.reserve()
          || newcomer.probeConnection() != null
              && !before.probeConnections().contains(newcomer.probeConnection())
          || base.exposed[k] + connections > before.capacity()
          || (fixed ? base.fixedMembers[k] : base.autoMembers[k]) < 2) {
        return null;
      }
      newcomerScopes.add(k);
    }
    ServerShares shares = new ServerShares(base, newcomer, List.copyOf(newcomerScopes));
    return division.extendedBy(newcomer.id(), shares);
  }

  /** The index of {@code scope} among this division's scopes, or -1. */
  private int indexOf(LimitScope scope) {
    for (int k = 0; k < scopes.size(); k++) {
      if (scopes.get(k).scope().equals(scope)) return k;
    }
    return -1;
  }

  /**
   * Whether every running policy fits at what it holds. A newcomer alone in a limit may not fit at
   * its min: it harms nobody there (see {@link Admission}), and is no reason to move the others.
   */
  private boolean heldFit() {
    for (int p = 0; p < policies.size(); p++) {
      if (policies.get(p).previousLimit() != null && !minFits[p]) return false;
    }
    return true;
  }

  /**
   * The per-pod floor of an auto policy: its min, or, when held limits are kept, the limit it has
   * written (within its min and max).
   */
  static int autoFloor(BudgetPolicy policy, PoolSizing.Auto auto, boolean keepHeld) {
    Integer held = policy.previousLimit();
    if (!keepHeld || held == null) return auto.min();
    return Math.max(auto.min(), Math.min(auto.max(), held));
  }

  /**
   * Whether a policy writing exactly its decision leaves this division as it is (see {@link
   * ServerDivision#calm}). Admission: with every floor fitting in every scope, each newcomer fits
   * whatever was admitted before it, so the policy turning from newcomer to written changes no
   * admission. The fill does not read what was written. Its own hysteresis finds its previous limit
   * equal to the decision. And the bound on raises: with every scope's pods x max(running, written)
   * within capacity, each raise still fits in full when the writer's pods count at what they may
   * run from the start rather than at its place in id order.
   */
  private boolean calm() {
    for (int p = 0; p < policies.size(); p++) {
      if (!minFits[p] || waiting[p]) return false;
      // Kept floors are what was written: a policy writing another limit moves its own floor,
      // unless that floor stays where it is.
      if (keepHeld
          && !Objects.equals(policies.get(p).previousLimit(), written[p])
          && !newcomerKeepsItsFloor(p)) {
        return false;
      }
    }
    long[] exposed = new long[scopes.size()];
    for (int p = 0; p < policies.size(); p++) {
      long mayRun = (long) pods[p] * Math.max(policies.get(p).running(), written[p]);
      for (int k : scopesOf.get(p)) exposed[k] += mayRun;
    }
    for (int k = 0; k < scopes.size(); k++) {
      if (exposed[k] > scopes.get(k).capacity()) return false;
    }
    this.exposed = exposed;
    return true;
  }

  /** Per scope, pods x max(running, written) over its members: set by a calm {@link #calm}. */
  private long[] exposed;

  /**
   * Whether a newcomer writing its decision leaves its floor where it is, and so every share: a
   * fixed limit is its floor either way, and an auto pool given its min has that min as its floor
   * before and after. (Given more, its floor would rise to what it wrote, and with it which limit
   * its peers' explanations name: the shares stay, the texts may not.) Without this, each newcomer
   * of a burst decided after its peers cost a whole new division of the server: at 1,000 policies
   * on one server, the last few hundred waited in a queue on the index's lock.
   */
  private boolean newcomerKeepsItsFloor(int p) {
    BudgetPolicy policy = policies.get(p);
    if (policy.previousLimit() != null) return false;
    return policy.sizing() instanceof PoolSizing.Fixed
        || written[p] == ((PoolSizing.Auto) policy.sizing()).min();
  }

  /**
   * What a scope leaves for pools: its limit less the reserve kept once, the operator's probe
   * connections and, for the server, the reserved slots and unlisted usage.
   */
  static long capacity(
      LimitScope scope, ServerView view, long reserve, long probes, Integer unlisted) {
    return switch (scope.kind()) {
      case SERVER ->
          (long) view.maxConnections()
              - view.reservedConnections()
              - reserve
              - probes
              - (unlisted == null ? 0 : Math.max(0, unlisted));
      case ROLE -> view.roleLimits().get(scope.name()) - reserve - probes;
      case DATABASE -> view.databaseLimits().get(scope.name()) - reserve - probes;
    };
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * What a scope counts against and what it has left for pools.
   *
   * @param members indexes into policies, at the division: a policy added by {@link #extend} is
   *     counted in {@code size} only (nothing but the steps of a division reads them)
   * @param size how many policies count against it
   */
  private record Scope(
      LimitScope scope,
      long capacity,
      String arithmetic,
      DecisionTerms.Arithmetic terms,
      List<Integer> members,
      int size,
      int reserve,
      Set<String> probeConnections) {

    /** The same scope with one more policy, whose reserve and probe connection it had already. */
    Scope joinedBy(String arithmetic) {
      return new Scope(
          scope, capacity, arithmetic, terms, members, size + 1, reserve, probeConnections);
    }
  }

  private void buildScopes() {
    Map<LimitScope, List<Integer>> members = new TreeMap<>();
    for (int p = 0; p < policies.size(); p++) {
      BudgetPolicy policy = policies.get(p);
      members.computeIfAbsent(LimitScope.server(key), s -> new ArrayList<>()).add(p);
      if (view.roleLimits().containsKey(policy.user())) {
        members.computeIfAbsent(LimitScope.role(key, policy.user()), s -> new ArrayList<>()).add(p);
      }
      if (view.databaseLimits().containsKey(policy.database())) {
        members
            .computeIfAbsent(LimitScope.database(key, policy.database()), s -> new ArrayList<>())
            .add(p);
      }
    }
    for (Map.Entry<LimitScope, List<Integer>> entry : members.entrySet()) {
      int index = scopes.size();
      Scope scope = scope(entry.getKey(), List.copyOf(entry.getValue()));
      scopes.add(scope);
      scope.members().forEach(p -> scopesOf.get(p).add(index));
    }
  }

  /** A scope and its members (indexes into policies): what it counts against, and its text. */
  private Scope scope(LimitScope scope, List<Integer> in) {
    // Loops, not streams: once per scope at every division, over every policy in the scope.
    int reserve = 0;
    // The operator's own probe connections count against the same limits as the pools do.
    Set<String> probeConnections = new HashSet<>();
    for (int p : in) {
      BudgetPolicy member = policies.get(p);
      reserve = Math.max(reserve, member.reserve());
      if (member.probeConnection() != null) probeConnections.add(member.probeConnection());
    }
    long probes = probeConnections.size();
    long capacity = capacity(scope, view, reserve, probes, unlisted);
    String arithmetic = arithmetic(scope, capacity, reserve, probes, in.size());
    boolean unlistedShown =
        scope.kind() == LimitScope.Kind.SERVER && unlisted != null && unlisted > 0;
    DecisionTerms.Arithmetic terms =
        new DecisionTerms.Arithmetic(
            scope.kind(), scope.name(), in.size() > 1, (int) Math.min(probes, 2), unlistedShown);
    return new Scope(
        scope, capacity, arithmetic, terms, in, in.size(), reserve, Set.copyOf(probeConnections));
  }

  /** {@code scope}'s arithmetic with {@code more} policies counting against it. */
  private String arithmetic(Scope scope, int more) {
    return arithmetic(
        scope.scope(),
        scope.capacity(),
        scope.reserve(),
        scope.probeConnections().size(),
        scope.size() + more);
  }

  /** How a scope's capacity comes about, in one line. */
  private String arithmetic(LimitScope scope, long capacity, int reserve, long probes, int size) {
    String reserveText =
        " - "
            + reserve
            + " reserve"
            + (size > 1 ? " (largest of " + size + " policies)" : "")
            + (probes > 0 ? " - " + probes + " probe connection" + (probes > 1 ? "s" : "") : "");
    return switch (scope.kind()) {
      case SERVER -> {
        long usage = unlisted == null ? 0 : Math.max(0, unlisted);
        yield capacity
            + " = "
            + view.maxConnections()
            + " max - "
            + view.reservedConnections()
            + " reserved"
            + reserveText
            + (usage > 0 ? " - " + usage + " used by unlisted clients" : "");
      }
      case ROLE ->
          capacity
              + " = "
              + scope.label()
              + " limit "
              + view.roleLimits().get(scope.name())
              + reserveText;
      case DATABASE ->
          capacity
              + " = "
              + scope.label()
              + " limit "
              + view.databaseLimits().get(scope.name())
              + reserveText;
    };
  }

  private void startAtFloors() {
    for (int k = 0; k < scopes.size(); k++) {
      for (int p : scopes.get(k).members()) {
        PoolSizing sizing = policies.get(p).sizing();
        if (sizing instanceof PoolSizing.Fixed fixed) {
          fixedUsed[k] += (long) pods[p] * fixed.connectionLimit();
          fixedMembers[k]++;
        } else if (sizing instanceof PoolSizing.Auto auto) {
          minDemand[k] += (long) pods[p] * autoFloor(policies.get(p), auto, keepHeld);
          autoWeights[k] += auto.weight();
          autoMembers[k]++;
        }
      }
    }
    for (int p = 0; p < policies.size(); p++) {
      PoolSizing sizing = policies.get(p).sizing();
      if (sizing instanceof PoolSizing.Fixed fixed) {
        limit[p] = fixed.connectionLimit();
        minFits[p] = floorsFit(p, false);
      } else if (sizing instanceof PoolSizing.Auto auto) {
        minFits[p] = floorsFit(p, true);
        limit[p] = minFits[p] ? autoFloor(policies.get(p), auto, keepHeld) : 1;
      }
      for (int k : scopesOf.get(p)) used[k] += (long) pods[p] * limit[p];
    }
  }

  /**
   * Whether every scope of the policy holds its fixed pools (and, with {@code mins}, the auto
   * pools' floors). A loop, not a stream with a capturing lambda: C1, the image's only compiler,
   * creates such a lambda through a method handle it does not inline, once per policy per division.
   */
  private boolean floorsFit(int p, boolean mins) {
    for (int k : scopesOf.get(p)) {
      if (fixedUsed[k] + (mins ? minDemand[k] : 0) > scopes.get(k).capacity()) return false;
    }
    return true;
  }

  private void fill() {
    // Ordered by before(): only the policy just served changes its place, so a heap serves a
    // thousand policies in (steps x log n) rather than a scan of all of them per connection.
    PriorityQueue<Integer> growing =
        new PriorityQueue<>((a, b) -> a.equals(b) ? 0 : before(a, b) ? -1 : 1);
    for (int p = 0; p < policies.size(); p++) {
      if (policies.get(p).sizing() instanceof PoolSizing.Auto auto && limit[p] < auto.max()) {
        growing.add(p);
      }
    }
    this.growing = growing.size();
    while (!growing.isEmpty()) {
      int next = growing.poll();
      int blocking = firstScopeWithout(next, pods[next]);
      if (blocking >= 0) {
        // Scopes only fill up: it stays blocked.
        blockedBy[next] = blocking;
        continue;
      }
      limit[next]++;
      for (int k : scopesOf.get(next)) used[k] += pods[next];
      if (limit[next] < ((PoolSizing.Auto) policies.get(next).sizing()).max()) {
        growing.add(next);
      }
    }
  }

  /**
   * Whether {@code a} is served first: the policy with the fewest connections per unit of weight so
   * far (water-filling, weighted max-min). Comparing totals after the step instead would favour
   * policies with few pods and, on large steps, starve the lower-weight policy.
   */
  private boolean before(int a, int b) {
    long totalA = (long) pods[a] * limit[a];
    long totalB = (long) pods[b] * limit[b];
    long weightA = ((PoolSizing.Auto) policies.get(a).sizing()).weight();
    long weightB = ((PoolSizing.Auto) policies.get(b).sizing()).weight();
    long left = totalA * weightB;
    long right = totalB * weightA;
    return left != right ? left < right : a < b;
  }

  /** The first scope of policy {@code p} that cannot take {@code more} connections, or -1. */
  private int firstScopeWithout(int p, long more) {
    for (int k : scopesOf.get(p)) {
      if (used[k] + more > scopes.get(k).capacity()) return k;
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------

  /** Step 5: a raise too small to be worth a restart of every pod keeps the previous limit. */
  private void holdSmallRaises() {
    for (int p = 0; p < policies.size(); p++) {
      BudgetPolicy policy = policies.get(p);
      written[p] = limit[p];
      notes[p] = Note.NONE;
      if (policy.sizing() instanceof PoolSizing.Auto auto) {
        Integer previous = policy.previousLimit();
        int floor = minFits[p] ? auto.min() : 1;
        if (previous != null
            && previous >= floor
            && previous <= auto.max()
            && !policy.raiseWaiting()
            && RaiseStep.holds(previous, limit[p])
            && previous != limit[p]) {
          written[p] = previous;
          notes[p] = new Note(DecisionTerms.Note.KEPT, limit[p], previous, 0);
        } else if (!minFits[p]) {
          notes[p] = new Note(DecisionTerms.Note.MIN_DOES_NOT_FIT, -1, auto.min(), 0);
        } else if (limit[p] == auto.max() && blockedBy[p] < 0) {
          notes[p] = new Note(DecisionTerms.Note.CAPPED_AT_MAX, -1, auto.max(), 0);
        }
      }
    }
  }

  /**
   * Step 6: every scope counts each policy at pods x max(running, written); raises (written above
   * running) are granted in id order from what the scope has left.
   */
  private void boundRaisesByWhatRuns() {
    long[] exposed = new long[scopes.size()];
    for (int p = 0; p < policies.size(); p++) {
      for (int k : scopesOf.get(p)) exposed[k] += (long) pods[p] * policies.get(p).running();
    }
    for (int p = 0; p < policies.size(); p++) {
      BudgetPolicy policy = policies.get(p);
      int running = policy.running();
      if (written[p] <= running) continue;
      long slack = Long.MAX_VALUE;
      for (int k : scopesOf.get(p)) slack = Math.min(slack, scopes.get(k).capacity() - exposed[k]);
      long room = running + Math.floorDiv(slack, pods[p]);
      int target = written[p];
      if (room < target) {
        Integer previous = policy.previousLimit();
        boolean partial =
            room > running
                && policy.sizing() instanceof PoolSizing.Auto
                && (previous == null || room - previous >= RaiseStep.from(previous));
        if (partial) {
          written[p] = (int) room;
        } else if (previous != null) {
          written[p] = previous;
        } else if (policy.sizing() instanceof PoolSizing.Auto) {
          // Nothing written yet and no room: the floor of 1, as when a min does not fit.
          written[p] = 1;
        }
        // A new fixed pool is written as asked: it consumes before every auto share anyway.
        if (written[p] != target) {
          waiting[p] = true;
          notes[p] =
              new Note(
                  DecisionTerms.Note.WAITING_FOR_PEERS, target, written[p], Math.max(0, slack));
        }
      }
      for (int k : scopesOf.get(p))
        exposed[k] += (long) pods[p] * Math.max(0, written[p] - running);
    }
  }

  /** How many policies this division decides (all admitted). */
  int size() {
    return policies.size();
  }

  /** The id of policy {@code p}. */
  String idAt(int p) {
    return policies.get(p).id();
  }

  /** Policy {@code p}'s decision, made when first asked for (see {@link ServerDivision}). */
  WordedDecision decided(int p) {
    WordedDecision[] made = this.made;
    if (made == null) {
      made = new WordedDecision[policies.size()];
      this.made = made;
    }
    WordedDecision decided = made[p];
    if (decided == null) {
      // Two threads may make it at once: equal decisions, either will do.
      decided = decision(p);
      made[p] = decided;
    }
    return decided;
  }

  /** Decisions made so far by {@link #decided}; a division by extension makes none up front. */
  private volatile WordedDecision[] made;

  /** Each admitted policy's decision, and the terms of its wording. */
  private void decideInto(Map<String, PoolDecision> decisions, Map<String, DecisionTerms> terms) {
    for (int p = 0; p < policies.size(); p++) {
      WordedDecision decided = decision(p);
      decisions.put(policies.get(p).id(), decided.decision());
      terms.put(policies.get(p).id(), decided.terms());
    }
  }

  private WordedDecision decision(int p) {
    BudgetPolicy policy = policies.get(p);
    int over = -1;
    for (int k : scopesOf.get(p)) {
      if (used[k] > scopes.get(k).capacity()) {
        over = k;
        break;
      }
    }
    boolean satisfied = minFits[p] && (policy.sizing() instanceof PoolSizing.Fixed || over < 0);
    int binding = binding(p, over);
    Scope scope = scopes.get(binding);
    int written = this.written[p];
    Note note = notes[p];
    DecisionTerms.Tail tail =
        policy.sizing() instanceof PoolSizing.Fixed f
            ? satisfied || written != f.connectionLimit()
                ? DecisionTerms.Tail.FIXED
                : DecisionTerms.Tail.FIXED_EXCEEDING
            : DecisionTerms.Tail.AUTO;
    String remedy = satisfied ? "" : remedy(p, firstShortScope(p));
    // Worded when read: this instance is not changed once the division is made.
    PoolDecision decision =
        PoolDecision.worded(
            written,
            pods[p],
            (int) Math.max(0, scope.capacity()),
            satisfied,
            () -> explanation(p, binding, tail),
            remedy,
            waiting[p]);
    DecisionTerms terms =
        new DecisionTerms.Admitted(
            scope.terms(),
            Pods.of(policy, false).form(),
            sharing(p, binding, false).form(),
            tail,
            note.kind(),
            note.target(),
            remedy.isEmpty() ? "" : DecisionTerms.withoutNumbers(remedy));
    return new WordedDecision(decision, terms);
  }

  /** The explanation of policy {@code p}'s decision, which shows scope {@code binding}. */
  private String explanation(int p, int binding, DecisionTerms.Tail tail) {
    int written = this.written[p];
    return scopes.get(binding).arithmetic()
        + "; "
        + Pods.of(policies.get(p), true).text()
        + sharing(p, binding, true).text()
        + switch (tail) {
          case AUTO -> " -> " + written + " each";
          case FIXED -> " -> fixed " + written + " each (" + (long) pods[p] * written + ")";
          case FIXED_EXCEEDING ->
              " -> fixed "
                  + written
                  + " each ("
                  + (long) pods[p] * written
                  + ", exceeds the budget)";
        }
        + notes[p].text();
  }

  /**
   * A note after the limit: its terms, and the numbers its text shows.
   *
   * @param target the target it names, else -1
   * @param shown KEPT: the limit kept; MIN_DOES_NOT_FIT: the min; CAPPED_AT_MAX: the max;
   *     WAITING_FOR_PEERS: the limit written until then
   * @param free WAITING_FOR_PEERS: what is free while pods still run earlier limits
   */
  private record Note(DecisionTerms.Note kind, int target, int shown, long free) {
    static final Note NONE = new Note(DecisionTerms.Note.NONE, -1, 0, 0);

    String text() {
      return switch (kind) {
        case NONE -> "";
        case KEPT ->
            " (kept "
                + shown
                + ": target "
                + target
                + " is less than a raise of "
                + RaiseStep.from(shown)
                + ")";
        case MIN_DOES_NOT_FIT -> " (min " + shown + " does not fit)";
        case CAPPED_AT_MAX -> " (capped at max " + shown + ")";
        case WAITING_FOR_PEERS ->
            " ("
                + shown
                + " until peers have rolled to lower limits: target "
                + target
                + ", "
                + free
                + " free while pods still run earlier limits)";
      };
    }
  }

  /**
   * The sharing part of an explanation, and which form it takes: 0 alone, else 1 with one other
   * policy or 2 with several, plus 4 when they hold fixed pools and 8 when weights are shown.
   */
  private record Sharing(String text, int form) {}

  /** The scope the explanation shows: where the policy does not fit, or what stopped its growth. */
  private int binding(int p, int over) {
    if (!minFits[p]) return firstShortScope(p);
    if (over >= 0) return over;
    if (blockedBy[p] >= 0) return blockedBy[p];
    int tightest = scopesOf.get(p).get(0);
    for (int k : scopesOf.get(p)) {
      if (scopes.get(k).capacity() < scopes.get(tightest).capacity()) tightest = k;
    }
    return tightest;
  }

  /** The first scope where the policy's floor demand (fixed, or mins) exceeds the capacity. */
  private int firstShortScope(int p) {
    for (int k : scopesOf.get(p)) {
      if (demand(k) > scopes.get(k).capacity()) return k;
    }
    for (int k : scopesOf.get(p)) {
      if (used[k] > scopes.get(k).capacity()) return k;
    }
    return scopesOf.get(p).get(0);
  }

  /** Connections needed in scope k with every fixed pool at its limit and every auto at its min. */
  private long demand(int k) {
    return fixedUsed[k] + minDemand[k];
  }

  /** How policy {@code p} shares scope {@code k}; worded only when {@code worded}. */
  private Sharing sharing(int p, int k, boolean worded) {
    Scope scope = scopes.get(k);
    int others = scope.size() - 1;
    if (others == 0) return new Sharing("", 0);
    int form = others == 1 ? 1 : 2;
    StringBuilder text = worded ? new StringBuilder(", shared with ") : null;
    if (worded) text.append(others).append(others == 1 ? " other policy" : " other policies");
    long othersFixed =
        fixedUsed[k]
            - (policies.get(p).sizing() instanceof PoolSizing.Fixed f
                ? (long) pods[p] * f.connectionLimit()
                : 0);
    if (othersFixed > 0) {
      if (worded) text.append(" (").append(othersFixed).append(" in fixed pools)");
      form |= 4;
    }
    if (policies.get(p).sizing() instanceof PoolSizing.Auto auto) {
      long weights = autoWeights[k];
      if (weights > auto.weight()) {
        if (worded) text.append(", weight ").append(auto.weight()).append(" of ").append(weights);
        form |= 8;
      }
    }
    return new Sharing(worded ? text.toString() : null, form);
  }

  private String remedy(int p, int k) {
    BudgetPolicy policy = policies.get(p);
    Scope scope = scopes.get(k);
    long demand = Math.max(demand(k), used[k]);
    long short_ = demand - scope.capacity();
    int floor = policy.sizing().floorPerPod();
    long othersDemand = demand - (long) pods[p] * floor;
    long fittingPods = Math.max(0, (scope.capacity() - othersDemand) / floor);
    String what = policy.sizing() instanceof PoolSizing.Fixed ? "fixed " : "min ";
    StringBuilder text =
        new StringBuilder("Not enough connections in ")
            .append(scope.scope().label())
            .append(": ")
            .append(demand)
            .append(" needed (")
            .append(pods[p])
            .append(" pods x ")
            .append(what)
            .append(floor)
            .append(othersDemand > 0 ? " + " + othersDemand + " for others" : "")
            .append(") > ")
            .append(scope.capacity())
            .append(" available, ")
            .append(short_)
            .append(" short. Change one of: fewer pods (")
            .append(fittingPods)
            .append(" fit at ")
            .append(what)
            .append(floor)
            .append(")");
    if (policy.sizing() instanceof PoolSizing.Auto) text.append(", a lower min");
    text.append(", a smaller reserve, a pooler in front of the server (spec.pool.pgbouncer), ");
    switch (scope.scope().kind()) {
      case SERVER ->
          text.append("a larger server (max_connections >= ")
              .append(view.maxConnections() + short_)
              .append(")");
      case ROLE ->
          text.append("a higher role limit (CONNECTION LIMIT >= ")
              .append(view.roleLimits().get(scope.scope().name()) + short_)
              .append(")");
      default ->
          text.append("a higher database limit (CONNECTION LIMIT >= ")
              .append(view.databaseLimits().get(scope.scope().name()) + short_)
              .append(")");
    }
    return text.toString();
  }

  /**
   * The pods part of an explanation ("3 pods (2 HPA max + 1 surge)"), and which form it takes: 0 no
   * workloads listed, 1 none running, else 2 for one pod or 3 for several, plus 2 with replicas and
   * surge shown, 4 with "incl. HPA max", 6 with "HPA max". One pass without streams: its form is
   * taken for every policy at every division of its server, its text only when a decision is read.
   */
  record Pods(String text, int form) {

    /** The pods part; its text (else null) only when {@code worded}. */
    static Pods of(BudgetPolicy policy, boolean worded) {
      List<Consumer> consumers = policy.consumers();
      int pods = policy.pods();
      int replicas = 0;
      int surge = 0;
      int autoscaled = 0;
      for (Consumer consumer : consumers) {
        replicas += consumer.replicas();
        surge += consumer.surge();
        if (consumer.autoscaled()) autoscaled++;
      }
      if (consumers.isEmpty() || replicas + surge == 0) {
        return new Pods(
            worded
                ? pods + " pod (no workloads" + (consumers.isEmpty() ? " listed" : " running") + ")"
                : null,
            consumers.isEmpty() ? 0 : 1);
      }
      boolean allHpa = autoscaled == consumers.size();
      boolean someHpa = autoscaled > 0;
      int form = pods == 1 ? 2 : 3;
      String text = worded ? pods + (pods == 1 ? " pod" : " pods") : null;
      if (surge == 0 && !someHpa) return new Pods(text, form);
      String hpa = allHpa ? " HPA max" : someHpa ? " incl. HPA max" : "";
      return new Pods(
          worded ? text + " (" + replicas + hpa + " + " + surge + " surge)" : null,
          form + (allHpa ? 6 : someHpa ? 4 : 2));
    }
  }

  private static Map<String, PoolDecision> unknownServer(List<BudgetPolicy> policies) {
    Map<String, PoolDecision> out = new LinkedHashMap<>();
    for (BudgetPolicy policy : policies) {
      PoolDecision decision;
      if (policy.sizing() instanceof PoolSizing.Fixed fixed) {
        decision =
            new PoolDecision(
                fixed.connectionLimit(),
                policy.pods(),
                null,
                true,
                "server limits unknown (no successful probe): fixed connectionLimit "
                    + fixed.connectionLimit());
      } else {
        PoolSizing.Auto auto = (PoolSizing.Auto) policy.sizing();
        Integer previous = policy.previousLimit();
        // The last computed limit was within the budget when it was computed; dropping to min
        // now would restart every pod for no known reason.
        boolean keep = previous != null && previous >= auto.min() && previous <= auto.max();
        int written = keep ? previous : auto.min();
        decision =
            new PoolDecision(
                written,
                policy.pods(),
                null,
                true,
                "server limits unknown (no successful probe): "
                    + (keep
                        ? "keeping the last computed " + written
                        : "using auto.min " + written));
      }
      out.put(policy.id(), decision);
    }
    return out;
  }
}
