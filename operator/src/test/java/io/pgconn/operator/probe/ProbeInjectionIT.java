package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host that smuggles pgjdbc properties must not change how the probe connects. The server has no
 * TLS, so a probe that asks for sslmode=require must fail: if it succeeds, something turned TLS off
 * behind the policy's back.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.NONE,
    operator = false,
    postgres = 16,
    superuserPassword = CANARY + "-su")
class ProbeInjectionIT {

  private final LocalPostgres pg;

  ProbeInjectionIT(LocalPostgres pg) {
    this.pg = pg;
  }

  @BeforeAll
  static void role(LocalPostgres pg) {
    pg.createRole("app", CANARY, null);
  }

  @Test
  void withoutInjectionRequireFailsOnAServerWithoutTls() {
    try (ServerProbe probe = new ServerProbe(Clock.systemUTC())) {
      ProbeResult result = probe.probe(target(pg, "app", CANARY, "postgres", "require"));
      assertThat(result.failure()).isEqualTo(FailureReason.SslNotSupported);
    }
  }

  @Test
  void aHostCarryingUrlSyntaxIsRefusedBeforeAnyConnection() {
    // A two-host source whose second host carries the query: concatenated, the first host is
    // the real server and everything after the second host's '?' becomes pgjdbc properties.
    ProbeTarget target =
        new ProbeTarget(
            List.of(
                new ProbeTarget.Endpoint(LocalPostgres.HOST, pg.port()),
                new ProbeTarget.Endpoint(LocalPostgres.HOST + "/postgres?sslmode=disable&x=", 1)),
            "postgres",
            "app",
            CANARY,
            "require",
            5);
    try (ServerProbe probe = new ServerProbe(Clock.systemUTC())) {
      ProbeResult result = probe.probe(target);
      assertThat(result.ok())
          .as("probe through an injected sslmode=disable: %s", result.message())
          .isFalse();
      assertThat(result.failure()).as(result.message()).isEqualTo(FailureReason.InvalidHost);
      assertThat(result.message()).doesNotContain(CANARY).doesNotContain("sslmode=disable");
    }
  }
}
