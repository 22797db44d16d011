package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Usage feedback through pg_stat_activity: a policy's pods report its application_name, the probe
 * reads what the server stored, and the index counts every other client as unlisted usage. The
 * simulated server stores names as PostgreSQL 16 does (independently of the production code): bytes
 * outside printable ASCII become {@code \xNN}, then the name is cut to 63 bytes.
 *
 * <p>Each step is one probe interval: every policy probes once (same reading), is sized, and its
 * pods then use some share of the limit they got. Foreign usage (psql, migrations) is the input.
 */
class UsageFeedbackPropertiesTest {

  static final ServerKey SERVER = new ServerKey("db.internal", 5432);
  static final Duration STEP = Duration.ofSeconds(30);

  record PolicyGen(String name, int pods, int max, int weight, int reserve) {}

  record World(int maxConnections, List<PolicyGen> policies) {}

  @Provide
  Arbitrary<World> worlds() {
    Arbitrary<String> shortAscii =
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> longAscii =
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(64).ofMaxLength(120);
    Arbitrary<String> nonAscii =
        Arbitraries.strings().withChars("abcé日本ü-_ ").ofMinLength(1).ofMaxLength(40);
    Arbitrary<String> name = Arbitraries.oneOf(shortAscii, longAscii, nonAscii);
    Arbitrary<PolicyGen> policy =
        Combinators.combine(
                name,
                Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(1, 30),
                Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(0, 5))
            .as(PolicyGen::new);
    return Combinators.combine(
            Arbitraries.integers().between(20, 200),
            policy
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .filter(l -> l.stream().map(p -> p.name()).distinct().count() == l.size()))
        .as(World::new);
  }

  @Provide
  Arbitrary<List<Integer>> foreign() {
    return Arbitraries.integers()
        .between(0, 60)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .flatMap(
            levels ->
                Arbitraries.integers()
                    .between(1, 6)
                    .list()
                    .ofSize(levels.size())
                    .map(
                        lengths -> {
                          List<Integer> out = new ArrayList<>();
                          for (int i = 0; i < levels.size(); i++) {
                            for (int j = 0; j < lengths.get(i); j++) out.add(levels.get(i));
                          }
                          return out;
                        }));
  }

  /** What PostgreSQL 16+ shows in pg_stat_activity for an application_name the client sent. */
  static String asPostgresStoresIt(String name) {
    StringBuilder out = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      out.append(c < 32 || c > 126 ? String.format("\\x%02x", c) : String.valueOf((char) c));
    }
    return out.length() > 63 ? out.substring(0, 63) : out.toString();
  }

  /** Limits per step and policy, as the pods got them. */
  static List<List<Integer>> run(World world, List<Integer> foreign, long seed, boolean ownUsage) {
    Random random = new Random(seed);
    ServerBudgetIndex index = new ServerBudgetIndex();
    int n = world.policies().size();
    Integer[] written = new Integer[n];
    int[] ownConnections = new int[n];
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    List<List<Integer>> limits = new ArrayList<>();
    for (int step = 0; step < foreign.size(); step++) {
      Map<String, Integer> seen = new TreeMap<>();
      seen.merge("psql", foreign.get(step), Integer::sum);
      for (int p = 0; p < n; p++) {
        if (ownConnections[p] > 0) {
          seen.merge(
              asPostgresStoresIt(world.policies().get(p).name()), ownConnections[p], Integer::sum);
        }
      }
      // Every policy probes once per step; peers the index names reconcile at once (same reading).
      java.util.Deque<Integer> queue = new java.util.ArrayDeque<>();
      for (int p = 0; p < n; p++) queue.add(p);
      for (int reconciles = 0; !queue.isEmpty() && reconciles < 20 * n; reconciles++) {
        int p = queue.poll();
        PolicyGen gen = world.policies().get(p);
        BudgetPolicy policy =
            new BudgetPolicy(
                "ns/p" + p,
                SERVER,
                "app",
                "shop",
                gen.reserve(),
                new PoolSizing.Auto(1, gen.max(), gen.weight()),
                List.of(
                    new io.pgconn.operator.budget.Consumer("Deployment", "d" + p, gen.pods(), 0)),
                new ServerLimits(world.maxConnections(), 3, -1, -1),
                BudgetPolicy.Written.rolledOut(written[p]),
                null);
        ServerBudgetIndex.Allocation allocation =
            index.put(policy, true, false, gen.name(), new ServerBudgetIndex.Usage(seen, now));
        written[p] = allocation.decision().connectionLimit();
        for (String id : allocation.peersToWake()) {
          int peer = Integer.parseInt(id.substring("ns/p".length()));
          if (!queue.contains(peer)) queue.add(peer);
        }
      }
      limits.add(List.of(written.clone()));
      // The pods use some of what they were given; the next probe sees it.
      for (int p = 0; p < n; p++) {
        int most = world.policies().get(p).pods() * written[p];
        int use = random.nextInt(most + 1);
        ownConnections[p] = ownUsage ? use : 0;
      }
      now = now.plus(STEP);
    }
    return limits;
  }

  @Property(tries = 400)
  void thePodsOwnConnectionsNeverMoveALimit(
      @ForAll("worlds") World world, @ForAll("foreign") List<Integer> foreign, @ForAll long seed) {
    assertThat(run(world, foreign, seed, true)).isEqualTo(run(world, foreign, seed, false));
  }

  @Property(tries = 400)
  void steadyForeignUsageLeavesLimitsAloneAfterTheWindow(
      @ForAll("worlds") World world, @ForAll("foreign") List<Integer> foreign, @ForAll long seed) {
    List<List<Integer>> limits = run(world, foreign, seed, true);
    // Once the input has been the same for a full window (3 probes) and one more probe (a raise
    // completes only after the peers' lowers have rolled out, which here takes one probe),
    // nothing may change until it changes: a change then could only come from feedback.
    int same = 0;
    for (int t = 1; t < foreign.size(); t++) {
      same = foreign.get(t).equals(foreign.get(t - 1)) ? same + 1 : 0;
      if (same >= 4) {
        assertThat(limits.get(t)).as("step %d of %s", t, foreign).isEqualTo(limits.get(t - 1));
      }
    }
  }

  @Property(tries = 400)
  void aBurstShorterThanTheWindowChangesNoLimit(
      @ForAll("worlds") World world, @ForAll int base, @ForAll int burst, @ForAll long seed) {
    int level = Math.floorMod(base, 10);
    int peak = level + 1 + Math.floorMod(burst, 60);
    // Steady, then a burst seen by two probes, then steady again.
    List<Integer> foreign = new ArrayList<>();
    for (int i = 0; i < 4; i++) foreign.add(level);
    foreign.add(peak);
    foreign.add(peak);
    for (int i = 0; i < 3; i++) foreign.add(level);
    List<List<Integer>> limits = run(world, foreign, seed, true);
    for (int t = 4; t < foreign.size(); t++) {
      assertThat(limits.get(t)).as("step %d of %s", t, foreign).isEqualTo(limits.get(3));
    }
  }
}
