package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.ConnectionLedger.Allotment;
import io.pgconn.operator.budget.ConnectionLedger.ConsumerId;
import io.pgconn.operator.budget.ConnectionLedger.Line;
import io.pgconn.operator.budget.ConnectionLedger.Standing;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who holds connections on a server, against what the policies allotted. */
class ConnectionLedgerTest {

  private static final String PROBE = "pgconn-operator-probe";

  @Test
  void aConsumerHoldingTwiceItsAllotmentIsOverIt() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(new ConsumerId("shop", "shop_app"), 20, new ConsumerId("billing", "bill"), 3),
            List.of(
                new Allotment("shop", "shop_app", 5, 2), new Allotment("billing", "bill", 4, 1)),
            PROBE);

    assertThat(ledger.overAllotted())
        .containsExactly(new Line("shop", "shop_app", 20, 10, Standing.OVER_ALLOTMENT));
    assertThat(ledger.line(new ConsumerId("billing", "bill")))
        .contains(new Line("billing", "bill", 3, 4, Standing.WITHIN));
  }

  @Test
  void holdingExactlyTheAllotmentIsWithinIt() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(new ConsumerId("shop", "shop_app"), 10),
            List.of(new Allotment("shop", "shop_app", 5, 2)),
            PROBE);

    assertThat(ledger.overAllotted()).isEmpty();
  }

  @Test
  void theSameNameUnderAnotherRoleIsNotBudgeted() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(new ConsumerId("shop", "postgres"), 2),
            List.of(new Allotment("shop", "shop_app", 5, 2)),
            PROBE);

    assertThat(ledger.line(new ConsumerId("shop", "postgres")))
        .contains(new Line("shop", "postgres", 2, null, Standing.NOT_BUDGETED));
    assertThat(ledger.line(new ConsumerId("shop", "shop_app")))
        .contains(new Line("shop", "shop_app", 0, 10, Standing.WITHIN));
  }

  @Test
  void unlistedClientsAreNotBudgetedAndTheProbeIsNamed() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(new ConsumerId("nightly-report", "shop_app"), 4, new ConsumerId(PROBE, "x"), 1),
            List.of(),
            PROBE);

    assertThat(ledger.lines())
        .containsExactly(
            new Line("nightly-report", "shop_app", 4, null, Standing.NOT_BUDGETED),
            new Line(PROBE, "x", 1, null, Standing.OPERATOR_PROBE));
    assertThat(ledger.overAllotted()).as("no allotment to exceed").isEmpty();
  }

  @Test
  void aNameTheServerRewroteStillMatchesItsPolicy() {
    String name = "ä-shop";
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(
                new ConsumerId(StoredApplicationName.of(name, 15), "r"), 3,
                new ConsumerId(StoredApplicationName.of(name, 16), "r"), 4),
            List.of(new Allotment(name, "r", 3, 2)),
            PROBE);

    assertThat(ledger.lines()).containsExactly(new Line(name, "r", 7, 6, Standing.OVER_ALLOTMENT));
  }

  @Test
  void policiesAllottingTheSameConsumerAddUp() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(new ConsumerId("shop", "r"), 9),
            List.of(new Allotment("shop", "r", 2, 3), new Allotment("shop", "r", 1, 3)),
            PROBE);

    assertThat(ledger.lines()).containsExactly(new Line("shop", "r", 9, 9, Standing.WITHIN));
  }

  @Test
  void aPolicyShowsItsOwnConsumerFirstThenTheOverAllottedThenTheBusiest() {
    ConnectionLedger ledger =
        ConnectionLedger.of(
            Map.of(
                new ConsumerId("greedy", "r"), 30,
                new ConsumerId("busy", "r"), 25,
                new ConsumerId("cron", "r"), 2,
                new ConsumerId("idle-peer", "r"), 0),
            List.of(
                new Allotment("own", "r", 5, 2),
                new Allotment("greedy", "r", 5, 1),
                new Allotment("busy", "r", 10, 3),
                new Allotment("idle-peer", "r", 5, 1)),
            PROBE);

    assertThat(ledger.shownFor(new ConsumerId("own", "r"), 10))
        .extracting(Line::applicationName)
        .containsExactly("own", "greedy", "busy", "cron");
    assertThat(ledger.shownFor(new ConsumerId("own", "r"), 2))
        .extracting(Line::applicationName)
        .containsExactly("own", "greedy");
  }
}
