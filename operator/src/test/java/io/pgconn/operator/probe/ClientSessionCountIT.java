package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgconn.operator.testenv.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Only client backends take one of max_connections' slots: parallel workers, autovacuum workers and
 * WAL senders have slots of their own. Counting them as usage made a busy server look fuller than
 * it is, and since parallel workers copy their leader's application_name, a policy's own pods or
 * unlisted clients counted several times over, shrinking every pool on the server.
 */
class ClientSessionCountIT {

  private static LocalPostgres pg;

  @BeforeAll
  static void start() {
    pg = LocalPostgres.builder().superuserPassword(CANARY + "-su").start();
    pg.execute(
        "create table rows_to_scan as select g from generate_series(1, 200000) g;"
            + " analyze rows_to_scan");
  }

  @AfterAll
  static void stop() {
    if (pg != null) pg.close();
  }

  @Test
  void parallelWorkersOfOneSessionCountAsThatOneSession() throws Exception {
    try (Connection leader = pg.superuserConnection();
        Statement st = leader.createStatement();
        ServerProbe probe = new ServerProbe(Clock.systemUTC())) {
      st.execute("set application_name = 'parallel-app'");
      st.execute("set max_parallel_workers_per_gather = 2");
      st.execute("set parallel_setup_cost = 0");
      st.execute("set parallel_tuple_cost = 0");
      st.execute("set min_parallel_table_scan_size = 0");
      CompletableFuture<Void> query =
          CompletableFuture.runAsync(
              () -> {
                try (Statement q = leader.createStatement()) {
                  // pg_sleep per row keeps the workers alive while the probe looks.
                  q.executeQuery(
                      "select count(*) from rows_to_scan where pg_sleep(0.0001) is not null");
                } catch (Exception e) {
                  // cancelled at the end of the test
                }
              });
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> parallelWorkers() >= 1);

        ProbeResult result =
            probe.probe(target(pg, "postgres", CANARY + "-su", "postgres", "disable"));

        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(parallelWorkers()).as("the workers still ran while probed").isPositive();
        assertThat(result.facts().connectionsByApplication()).containsEntry("parallel-app", 1);
        assertThat(result.facts().inUse())
            .as("the leader and the probe's own session")
            .isEqualTo(2);
      } finally {
        try (Connection other = pg.superuserConnection();
            Statement cancel = other.createStatement()) {
          cancel.execute(
              "select pg_cancel_backend(pid) from pg_stat_activity"
                  + " where application_name = 'parallel-app' and backend_type = 'client backend'");
        }
        query.get();
      }
    }
  }

  @Test
  void sessionsOfRolesTheProbeMayNotInspectStillCount() throws Exception {
    pg.createRole("unprivileged", CANARY, null);
    try (Connection first = other("someone-else");
        Connection second = other("someone-else");
        ServerProbe probe = new ServerProbe(Clock.systemUTC())) {
      ProbeResult result = probe.probe(target(pg, "unprivileged", CANARY, "postgres", "disable"));

      assertThat(result.ok()).as(result.message()).isTrue();
      // The server hides backend_type of these sessions from the probe's role.
      assertThat(result.facts().connectionsByApplication()).containsEntry("someone-else", 2);
      assertThat(result.facts().hiddenSessions()).isGreaterThanOrEqualTo(2);
    }
  }

  /**
   * The operator holds one probe connection per server address list, so a server two policies reach
   * by two addresses (here 127.0.0.1 and localhost) has two of the operator's sessions at once, of
   * two roles. The other one is the operator's own, never idle in a transaction: counting it as
   * hidden turned every peer's idle-in-transaction check from Pass to Unknown, and rewrote a
   * thousand statuses for one rotation (when each role had a probe connection of its own).
   */
  @Test
  void theOperatorsOwnProbeSessionsOfOtherRolesAreNotHiddenFromAPeersProbe() throws Exception {
    pg.createRole("peer", CANARY, null);
    pg.createRole("rotated", CANARY + "-rotated", null);
    try (ServerProbe operator = new ServerProbe(Clock.systemUTC())) {
      ProbeResult rotated =
          operator.probe(
              target(
                  "localhost",
                  pg.port(),
                  "rotated",
                  CANARY + "-rotated",
                  "postgres",
                  "disable",
                  5));
      assertThat(rotated.ok()).as(rotated.message()).isTrue();

      ProbeResult peer = operator.probe(target(pg, "peer", CANARY, "postgres", "disable"));

      assertThat(peer.ok()).as(peer.message()).isTrue();
      assertThat(peer.facts().sessions().keySet())
          .as("the other address's probe session is on the server")
          .anyMatch(c -> "rotated".equals(c.role()));
      assertThat(peer.facts().hiddenSessions()).isZero();
    }
  }

  private static Connection other(String applicationName) throws Exception {
    Connection c = pg.superuserConnection();
    try (Statement st = c.createStatement()) {
      st.execute("set application_name = '" + applicationName + "'");
    }
    return c;
  }

  private static int parallelWorkers() throws Exception {
    return count("backend_type = 'parallel worker'");
  }

  private static int count(String where) throws Exception {
    try (Connection c = pg.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where " + where)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
