package io.pgconn.operator.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.ConsumerPods;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import io.pgconn.operator.testenv.LocalPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The worst moment of a rolling update, on a real PostgreSQL: every pod that can exist at once
 * (replicas or HPA maximum, plus surge) opens its whole HikariCP pool concurrently and holds it.
 * Once with the per-pod limits {@link BudgetAllocator} computes for the scenario, once with
 * Prisma's default connection_limit (physical CPUs x 2 + 1; 9 for a typical 4-core node).
 *
 * <p>Not a test: run it by hand (see docs/benchmarks/connection-storm.md). Loopback only; every
 * scenario is bounded (connection timeout, hold time, at most a few hundred connections).
 */
public final class ConnectionStormBenchmark {

  static final int MAX_CONNECTIONS = 50;
  static final int PRISMA_DEFAULT = 2 * 4 + 1;
  static final int CONNECT_TIMEOUT_MS = 4000;
  static final int HOLD_MS = 1000;
  static final String USER = "app";
  static final String PASSWORD = "storm-bench";

  /** One workload of a scenario; hpaMax null without an HPA. */
  record Workload(
      String name, int replicas, Integer hpaMax, String maxSurge, PoolSizing sizing, int reserve) {
    Consumer consumer() {
      return ConsumerPods.of("Deployment", name, replicas, hpaMax, maxSurge);
    }
  }

  record Scenario(String name, List<Workload> workloads) {}

  /** What one storm produced. */
  record Outcome(
      int pods, long wanted, long obtained, Map<String, Integer> failures, int serverRejections) {
    long failed() {
      return failures.values().stream().mapToLong(Integer::longValue).sum();
    }
  }

  static List<Scenario> scenarios() {
    PoolSizing auto = new PoolSizing.Auto(1, 20, 1);
    return List.of(
        new Scenario(
            "3 deployments x 4 replicas + 25% surge",
            List.of(
                new Workload("api", 4, null, "25%", auto, 2),
                new Workload("worker", 4, null, "25%", auto, 2),
                new Workload("web", 4, null, "25%", auto, 2))),
        new Scenario(
            "2 deployments x 6 replicas + 25% surge, weights 2:1",
            List.of(
                new Workload("api", 6, null, "25%", new PoolSizing.Auto(1, 20, 2), 2),
                new Workload("worker", 6, null, "25%", auto, 2))),
        new Scenario(
            "HPA 2..6 + 25% surge, 3 replicas + 1 surge, 1 fixed pod of 3",
            List.of(
                new Workload("web", 2, 6, "25%", auto, 2),
                new Workload("worker", 3, null, "1", auto, 2),
                new Workload("cron", 1, null, "0", new PoolSizing.Fixed(3), 0))),
        new Scenario(
            "1 deployment x 10 replicas + 25% surge",
            List.of(new Workload("api", 10, null, "25%", auto, 5))),
        new Scenario(
            "at the floor: 3 x 12 replicas + 25% surge",
            List.of(
                new Workload("api", 12, null, "25%", auto, 2),
                new Workload("worker", 12, null, "25%", auto, 2),
                new Workload("web", 12, null, "25%", auto, 2))));
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("pgconn.pg.binaries") == null) {
      // exec:exec forks java in the module directory, where the build unpacked the binaries.
      java.nio.file.Path unpacked = java.nio.file.Path.of("target", "postgres-binaries");
      if (!Files.isDirectory(unpacked)) {
        throw new IllegalStateException(
            "set -Dpgconn.pg.binaries=operator/target/postgres-binaries"
                + " (run mvn -pl operator test-compile first to unpack them)");
      }
      System.setProperty("pgconn.pg.binaries", unpacked.toAbsolutePath().toString());
    }
    try (LocalPostgres pg =
        LocalPostgres.builder().version(16).maxConnections(MAX_CONNECTIONS).start()) {
      pg.createRole(USER, PASSWORD, null);
      ServerLimits limits = readLimits(pg);
      System.out.printf(
          "PostgreSQL 16 on %s:%d, max_connections=%d, reserved=%d; Prisma default"
              + " per pod = 2 x 4 cores + 1 = %d%n%n",
          pg.host(),
          pg.port(),
          limits.maxConnections(),
          limits.reservedConnections(),
          PRISMA_DEFAULT);
      System.out.println(
          "| scenario | pods | operator limits (budget) | satisfied | operator:"
              + " wanted / got / failed | Prisma default 9: wanted / got / failed | 53300 rejections"
              + " logged (operator / default) |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (Scenario scenario : scenarios()) {
        ServerKey key = new ServerKey(pg.host(), pg.port());
        List<BudgetPolicy> policies = new ArrayList<>();
        for (Workload w : scenario.workloads()) {
          policies.add(
              new BudgetPolicy(
                  "bench/" + w.name(),
                  key,
                  USER,
                  "postgres",
                  w.reserve(),
                  w.sizing(),
                  List.of(w.consumer()),
                  limits,
                  BudgetPolicy.Written.NONE,
                  null));
        }
        // Nothing else is connected: unlisted usage is measured as 0.
        Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies, Map.of(key, 0));
        List<Integer> operatorPools = new ArrayList<>();
        List<Integer> defaultPools = new ArrayList<>();
        StringBuilder limitsText = new StringBuilder();
        boolean satisfied = true;
        Integer budget = null;
        for (Workload w : scenario.workloads()) {
          PoolDecision d = decisions.get("bench/" + w.name());
          satisfied &= d.satisfied();
          budget = d.budget();
          limitsText
              .append(limitsText.isEmpty() ? "" : ", ")
              .append(w.name())
              .append(' ')
              .append(d.consumers())
              .append("x")
              .append(d.connectionLimit());
          for (int i = 0; i < d.consumers(); i++) {
            operatorPools.add(d.connectionLimit());
            defaultPools.add(PRISMA_DEFAULT);
          }
          System.err.println(
              "  "
                  + w.name()
                  + ": "
                  + d.explanation()
                  + (d.remedy().isEmpty() ? "" : " | " + d.remedy()));
        }
        Outcome withOperator = storm(pg, operatorPools);
        Outcome withDefault = storm(pg, defaultPools);
        System.out.printf(
            "| %s | %d | %s (%d) | %s | %d / %d / %d %s | %d / %d / %d %s | %d / %d |%n",
            scenario.name(),
            operatorPools.size(),
            limitsText,
            budget,
            satisfied ? "yes" : "no",
            withOperator.wanted(),
            withOperator.obtained(),
            withOperator.failed(),
            withOperator.failures().isEmpty() ? "" : withOperator.failures(),
            withDefault.wanted(),
            withDefault.obtained(),
            withDefault.failed(),
            withDefault.failures().isEmpty() ? "" : withDefault.failures(),
            withOperator.serverRejections(),
            withDefault.serverRejections());
      }
    }
  }

  static ServerLimits readLimits(LocalPostgres pg) throws SQLException {
    try (Connection c = pg.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('max_connections')::int,"
                    + " current_setting('superuser_reserved_connections')::int"
                    + " + current_setting('reserved_connections')::int")) {
      rs.next();
      return new ServerLimits(rs.getInt(1), rs.getInt(2), -1, -1);
    }
  }

  /** Every pod opens its pool's connections at once, holds them, then all close. */
  static Outcome storm(LocalPostgres pg, List<Integer> pools) throws Exception {
    waitForIdleServer(pg);
    long logBefore = Files.size(pg.logFile());
    List<HikariDataSource> sources = new ArrayList<>();
    int threads = pools.stream().mapToInt(Integer::intValue).sum();
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    try {
      for (int pod = 0; pod < pools.size(); pod++) {
        HikariDataSource ds = dataSource(pg, "pod-" + pod, pools.get(pod));
        sources.add(ds);
        for (int i = 0; i < pools.get(pod); i++) {
          results.add(
              executor.submit(
                  () -> {
                    start.await();
                    try (Connection c = ds.getConnection()) {
                      release.await(HOLD_MS + CONNECT_TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS);
                      return null;
                    } catch (SQLException e) {
                      return classify(e);
                    }
                  }));
        }
      }
      start.countDown();
      Thread.sleep(CONNECT_TIMEOUT_MS + HOLD_MS);
      release.countDown();
      Map<String, Integer> failures = new TreeMap<>();
      long obtained = 0;
      for (Future<String> result : results) {
        String failure = result.get(CONNECT_TIMEOUT_MS * 3L, TimeUnit.MILLISECONDS);
        if (failure == null) obtained++;
        else failures.merge(failure, 1, Integer::sum);
      }
      closeAll(sources);
      String log = Files.readString(pg.logFile()).substring((int) logBefore);
      int rejections =
          (int)
              log.lines()
                  .filter(
                      l ->
                          l.contains("too many clients")
                              || l.contains("remaining connection slots are reserved"))
                  .count();
      return new Outcome(pools.size(), threads, obtained, failures, rejections);
    } finally {
      release.countDown();
      sources.forEach(HikariDataSource::close);
      executor.shutdownNow();
      executor.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  /** Closes pools in parallel: a pool still adding connections waits seconds for its adder. */
  static void closeAll(List<HikariDataSource> sources) throws InterruptedException {
    ExecutorService closer = Executors.newFixedThreadPool(Math.max(1, sources.size()));
    sources.forEach(ds -> closer.execute(ds::close));
    closer.shutdown();
    closer.awaitTermination(60, TimeUnit.SECONDS);
  }

  static HikariDataSource dataSource(LocalPostgres pg, String pod, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl("postgres"));
    config.setUsername(USER);
    config.setPassword(PASSWORD);
    config.setPoolName(pod);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    config.setInitializationFailTimeout(-1); // start even if the first connection is refused
    return new HikariDataSource(config);
  }

  /** The server's refusal that stopped a connection, by SQLSTATE and the message's gist. */
  static String classify(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      String state = t instanceof SQLException s && s.getSQLState() != null ? s.getSQLState() : "";
      if (message.contains("too many clients")) return state + " too many clients";
      if (message.contains("remaining connection slots are reserved"))
        return state + " reserved slots";
    }
    return "other: " + e.getSQLState() + " " + e.getMessage();
  }

  /**
   * Waits until no client backend of a previous storm holds a slot (backends exit asynchronously).
   */
  static void waitForIdleServer(LocalPostgres pg) throws Exception {
    for (int i = 0; i < 200; i++) {
      try (Connection c = pg.superuserConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity"
                      + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
        rs.next();
        if (rs.getInt(1) == 0) return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("connections of the previous storm did not go away");
  }
}
