package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.probeSessions;
import static io.pgconn.operator.probe.ProbeFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgconn.operator.testenv.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The probe never becomes the client that uses up connections: measured in pg_stat_activity. */
class ProbePoolsIT {

  private static final Duration IDLE = ProbeSettings.MIN_IDLE_TIMEOUT;

  /** Idle timeout, plus the sweeper's 1 s period, plus the backend's own exit. */
  private static final Duration IDLE_DEADLINE = IDLE.plusSeconds(6);

  private static LocalPostgres start(int version) {
    LocalPostgres pg =
        LocalPostgres.builder().version(version).superuserPassword(CANARY + "-su").start();
    pg.createRole("app", CANARY, null);
    return pg;
  }

  private static ServerProbe newProbe() {
    return new ServerProbe(Clock.systemUTC(), ProbeSettings.defaults().withIdleTimeout(IDLE));
  }

  /** Three "policies" on one server as one role: they differ only in what does not key a pool. */
  private static List<ProbeTarget> policies(LocalPostgres pg, String password) {
    List<ProbeTarget> targets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      targets.add(
          new ProbeTarget(
              List.of(new ProbeTarget.Endpoint(LocalPostgres.HOST, pg.port())),
              "postgres",
              "app",
              password,
              "disable",
              3 + i));
    }
    return targets;
  }

  private static Set<Integer> probePids(LocalPostgres pg) {
    try (Connection c = pg.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select pid from pg_stat_activity where application_name = '"
                    + ProbePools.APPLICATION_NAME
                    + "'")) {
      Set<Integer> pids = new HashSet<>();
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
      return pids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Probes every target {@code rounds} times from 4 threads at once while a superuser session
   * samples the probe sessions in pg_stat_activity; the most seen at one sample.
   */
  private static int maxProbeSessionsWhileProbing(
      LocalPostgres pg, ServerProbe probe, List<ProbeTarget> targets, int rounds) throws Exception {
    AtomicBoolean probing = new AtomicBoolean(true);
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger samples = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (Connection sampler = pg.superuserConnection()) {
      Future<?> sampling =
          threads.submit(
              () -> {
                try (Statement st = sampler.createStatement()) {
                  while (probing.get()) {
                    try (ResultSet rs =
                        st.executeQuery(
                            "select count(*) from pg_stat_activity"
                                + " where application_name = '"
                                + ProbePools.APPLICATION_NAME
                                + "'")) {
                      rs.next();
                      maxSeen.accumulateAndGet(rs.getInt(1), Math::max);
                      samples.incrementAndGet();
                    }
                  }
                }
                return null;
              });
      List<Future<ProbeResult>> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (ProbeTarget target : targets) {
          results.add(threads.submit(() -> probe.probe(target)));
        }
      }
      for (Future<ProbeResult> r : results) {
        ProbeResult result = r.get(30, TimeUnit.SECONDS);
        assertThat(result.ok()).as(result.message()).isTrue();
        // The probe's own session is the one in use, and it is counted.
        assertThat(result.facts().inUse()).isGreaterThanOrEqualTo(1);
      }
      probing.set(false);
      sampling.get(10, TimeUnit.SECONDS);
    } finally {
      probing.set(false);
      threads.shutdownNow();
    }
    System.out.printf(
        "%d probes of %d targets: %d samples, max probe sessions %d%n",
        rounds * targets.size(), targets.size(), samples.get(), maxSeen.get());
    assertThat(samples.get()).isPositive();
    return maxSeen.get();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void concurrentProbesOfThreePoliciesUseOneConnectionAndNoneAfterTheIdleTimeout(int version)
      throws Exception {
    try (LocalPostgres pg = start(version);
        ServerProbe probe = newProbe()) {
      List<ProbeTarget> policies = policies(pg, CANARY);
      assertThat(maxProbeSessionsWhileProbing(pg, probe, policies, 10)).isEqualTo(1);
      // The connection stays for the next probe (that is the point of sharing)...
      assertThat(probeSessions(pg)).isEqualTo(1);
      assertThat(probe.pools().size()).isEqualTo(1);

      // ...and is gone once no probe has used it for the idle timeout.
      long idleSince = System.nanoTime();
      await()
          .atMost(IDLE_DEADLINE)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> probeSessions(pg) == 0);
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - idleSince);
      System.out.printf(
          "PG %d: probe sessions 0 after %d ms idle (idleTimeout %d ms)%n",
          version, closedAfter.toMillis(), IDLE.toMillis());
      assertThat(closedAfter).isGreaterThanOrEqualTo(IDLE.minusSeconds(1));
      assertThat(probe.pools().size()).isZero();

      // The next probe simply opens a new one.
      assertThat(probe.probe(policies.get(0)).ok()).isTrue();
      assertThat(probeSessions(pg)).isEqualTo(1);
    }
  }

  /**
   * One role per service is the common case on a shared server: the operator still holds one
   * connection there at a time, whatever the roles and databases its policies name, so the budget
   * counts one probe connection per server ({@code budget.BudgetPolicy#probeConnection}).
   */
  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void probesOfThreeRolesAndTwoDatabasesOnOneServerHoldOneConnectionAtATime(int version)
      throws Exception {
    try (LocalPostgres pg = start(version);
        ServerProbe probe = newProbe()) {
      pg.createRole("app2", CANARY, null);
      pg.createRole("app3", CANARY, null);
      pg.execute("CREATE DATABASE orders");
      List<ProbeTarget> services =
          List.of(
              target(pg, "app", CANARY, "postgres", "disable"),
              target(pg, "app2", CANARY, "postgres", "disable"),
              target(pg, "app3", CANARY, "orders", "disable"),
              target(pg, "app", CANARY, "orders", "disable"));
      // Switching credentials closes the connection before the next login, but the server lists
      // the closed backend until it has exited: a sample can catch that moment (seen once in
      // about ten runs), never more (4 here when each role kept a connection of its own).
      assertThat(maxProbeSessionsWhileProbing(pg, probe, services, 5)).isLessThanOrEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> probeSessions(pg) == 1);
      assertThat(probe.pools().size()).isEqualTo(1);
      assertThat(services.stream().map(ProbePools::connectionOf).distinct())
          .as("what the budget counts")
          .hasSize(1);
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void aNewPasswordClosesThePoolOfTheOldOne(int version) {
    try (LocalPostgres pg = start(version);
        ServerProbe probe = newProbe()) {
      String newPassword = CANARY + "-rotated";
      assertThat(probe.probe(target(pg, "app", CANARY, "postgres", "disable")).ok()).isTrue();
      Set<Integer> before = probePids(pg);
      assertThat(before).hasSize(1);

      pg.execute("ALTER ROLE app PASSWORD " + LocalPostgres.quoteLiteral(newPassword));
      ProbeResult after = probe.probe(target(pg, "app", newPassword, "postgres", "disable"));
      assertThat(after.ok()).as(after.message()).isTrue();
      assertThat(probe.pools().size()).isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                Set<Integer> now = probePids(pg);
                assertThat(now).hasSize(1).doesNotContainAnyElementsOf(before);
              });
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void releaseAndCloseAllCloseTheConnectionAtOnce(int version) {
    try (LocalPostgres pg = start(version);
        ServerProbe probe = newProbe()) {
      ProbeTarget target = target(pg, "app", CANARY, "postgres", "disable");
      assertThat(probe.probe(target).ok()).isTrue();
      assertThat(probeSessions(pg)).isEqualTo(1);
      probe.release(target);
      assertThat(probe.pools().size()).isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> probeSessions(pg) == 0);

      assertThat(probe.probe(target).ok()).isTrue();
      assertThat(
              probe
                  .probe(target(pg, "postgres", pg.superuserPassword(), "postgres", "disable"))
                  .ok())
          .isTrue();
      // One server: the second role's connection replaced the first's...
      await().atMost(Duration.ofSeconds(5)).until(() -> probeSessions(pg) == 1);
      // ...so releasing the first role's target leaves the second's alone.
      probe.release(target);
      assertThat(probe.pools().size()).isEqualTo(1);
      assertThat(probeSessions(pg)).isEqualTo(1);
      probe.closeAll();
      await().atMost(Duration.ofSeconds(5)).until(() -> probeSessions(pg) == 0);
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void aFailedLoginIsTriedOnceNotRetriedByThePool(int version) throws Exception {
    try (LocalPostgres pg = start(version);
        ServerProbe probe = newProbe()) {
      String marker = "password authentication failed for user \"app\"";
      long before = occurrences(pg, marker);
      ProbeResult r = probe.probe(target(pg, "app", CANARY + "-wrong", "postgres", "disable"));
      assertThat(r.failure()).isEqualTo(FailureReason.AuthenticationFailed);
      assertThat(r.latencyMs()).isLessThan(3_000);
      assertThat(probe.pools().size()).isZero();
      // The server logs each failed attempt; HikariCP would keep retrying while a caller waits.
      // Give any retry ample time to happen, then count (a check after the fact, not a sync).
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(3))
          .until(() -> occurrences(pg, marker) - before <= 1);
      assertThat(occurrences(pg, marker) - before).isEqualTo(1);
    }
  }

  private static long occurrences(LocalPostgres pg, String text) throws Exception {
    String log = Files.readString(pg.logFile(), StandardCharsets.UTF_8);
    long n = 0;
    for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
      n++;
    }
    return n;
  }
}
