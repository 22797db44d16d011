package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.LocalPostgres;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a server says about itself, read by an unprivileged role on real PostgreSQL 16 and 17: the
 * same server reached through two spellings of its host reports one identity, which survives a
 * restart; another server reports another; and when EXECUTE on pg_control_system() is revoked from
 * PUBLIC (as some providers do) the probe still succeeds and still identifies the server.
 */
class ServerIdentityIT {

  static LocalPostgres pg16;
  static LocalPostgres pg17;
  static ServerProbe probe;

  @BeforeAll
  static void start() {
    pg16 = LocalPostgres.builder().version(16).superuserPassword(CANARY + "-su").start();
    pg17 = LocalPostgres.builder().version(17).superuserPassword(CANARY + "-su").start();
    for (LocalPostgres pg : new LocalPostgres[] {pg16, pg17}) {
      pg.createRole("app", CANARY, null);
    }
    probe = new ServerProbe(Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (probe != null) probe.close();
    if (pg16 != null) pg16.close();
    if (pg17 != null) pg17.close();
  }

  @Test
  void twoSpellingsOfOneServerReportOneIdentityThatSurvivesARestart() {
    ServerIdentity loopback = identity(pg16, LocalPostgres.HOST);
    ServerIdentity localhost = identity(pg16, "localhost");
    assertThat(loopback.systemIdentifier()).as("readable by PUBLIC by default").isNotNull();
    assertThat(localhost.key()).isEqualTo(loopback.key());

    probe.closeAll();
    pg16.stop();
    pg16.start();
    assertThat(identity(pg16, "localhost").key()).isEqualTo(loopback.key());
  }

  @Test
  void anotherServerReportsAnotherIdentity() {
    assertThat(identity(pg17, LocalPostgres.HOST).key())
        .isNotEqualTo(identity(pg16, LocalPostgres.HOST).key());
  }

  @Test
  void withoutPgControlSystemTheServerIsStillIdentified() {
    pg17.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
    try {
      probe.closeAll();
      ServerIdentity loopback = identity(pg17, LocalPostgres.HOST);
      assertThat(loopback.systemIdentifier()).isNull();
      assertThat(identity(pg17, "localhost").key()).isEqualTo(loopback.key());
      assertThat(loopback.key()).isNotEqualTo(identity(pg16, LocalPostgres.HOST).key());
    } finally {
      pg17.execute("GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC");
    }
  }

  private static ServerIdentity identity(LocalPostgres pg, String host) {
    ProbeResult result =
        probe.probe(ProbeFixtures.target(host, pg.port(), "app", CANARY, "postgres", "disable", 5));
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(result.facts().identity()).isNotNull();
    return result.facts().identity();
  }
}
