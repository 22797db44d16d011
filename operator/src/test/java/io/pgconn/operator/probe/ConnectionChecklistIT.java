package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.LocalPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server-side checks against real PostgreSQL: busy servers and forgotten transactions. */
class ConnectionChecklistIT {

  private static CheckResult find(List<CheckResult> checks, String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void busyServerAndIdleTransactionFail(int version) throws Exception {
    try (LocalPostgres pg =
            LocalPostgres.builder()
                .version(version)
                .superuserPassword(CANARY)
                .maxConnections(10)
                .superuserReservedConnections(2)
                .start();
        // Threshold zero: any session idle in a transaction counts, so no one has to wait 60 s.
        ServerProbe probe =
            new ServerProbe(
                Clock.systemUTC(),
                ProbeSettings.defaults().withIdleInTransactionThreshold(Duration.ZERO))) {
      pg.createRole("app", CANARY, null);
      ConnectionChecklist checklist = new ConnectionChecklist(probe, 5);
      String url = pg.url("app", CANARY, "postgres") + "?connection_limit=2";

      List<CheckResult> calm = checklist.run(url);
      assertThat(calm).extracting(CheckResult::status).containsOnly(CheckStatus.Pass);

      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          held.add(connect(pg, "app", CANARY, "postgres"));
        }
        Statement st = held.get(0).createStatement();
        held.get(0).setAutoCommit(false);
        st.execute("select 1"); // now idle in transaction

        List<CheckResult> busy = checklist.run(url);
        CheckResult usage = find(busy, ConnectionChecklist.USAGE_BELOW_80_PERCENT);
        assertThat(usage.status()).as(usage.message()).isEqualTo(CheckStatus.Fail);
        assertThat(usage.message()).startsWith("7 of 8 usable connections");
        CheckResult idle = find(busy, ConnectionChecklist.IDLE_IN_TRANSACTION);
        assertThat(idle.status()).as(idle.message()).isEqualTo(CheckStatus.Fail);
        assertThat(idle.message()).startsWith("1 session(s) idle in a transaction");
        assertThat(busy).extracting(CheckResult::message).noneMatch(m -> m.contains(CANARY));
      } finally {
        ProbeFixtures.closeAll(held);
      }
    }
  }
}
