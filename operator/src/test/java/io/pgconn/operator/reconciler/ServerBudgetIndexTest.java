package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A policy whose server now reports another identity (a standby restarted, a failover, a URL that
 * points elsewhere) moves to that budget: it leaves its old one, whose peers get their share back,
 * and it raises only once the peers that are on the same server have been identified there too.
 */
class ServerBudgetIndexTest {

  static final ServerKey BEFORE = ServerKey.reported("system 1 port 5432 standby started 100");
  static final ServerKey AFTER = ServerKey.reported("system 1 port 5432 standby started 200");
  static final ServerLimits LIMITS = new ServerLimits(40, 3, -1, -1);

  final ServerBudgetIndex index = new ServerBudgetIndex();
  final Map<String, Integer> written = new HashMap<>();

  @Test
  void aPolicyWhoseServerIdentifiesAsAnotherLeavesItsOldBudgetAndRaisesOnlyWithItsPeers() {
    settle();
    assertThat(written).containsEntry("ns/a", 19).containsEntry("ns/b", 18);

    // a's server restarted: a is identified anew, alone under the new key for now.
    ServerBudgetIndex.Allocation moved = put("ns/a", AFTER);
    assertThat(moved.peersToWake()).as("the peers it left").containsExactly("ns/b");
    assertThat(moved.decision().connectionLimit())
        .as("no raise while b, on the same server, is still known under the old key")
        .isEqualTo(19);
    assertThat(moved.decision().explanation()).contains("kept at 19");

    // Woken, b probes too: it finds the same new identity and shares with a again.
    ServerBudgetIndex.Allocation followed = put("ns/b", AFTER);
    assertThat(followed.peersToWake()).containsExactly("ns/a");
    assertThat(followed.decision().connectionLimit()).isEqualTo(18);
    assertThat(put("ns/a", AFTER).decision().connectionLimit()).isEqualTo(19);
  }

  @Test
  void aLowerOfAPolicyThatRestartsNothingWakesThePeerWhoseRaiseWaitedForIt() {
    settle();
    // An explicit change: b's weight goes to 3, so the server is divided again (a 10, b 27).
    ServerBudgetIndex.Allocation raised =
        putSized("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 3));
    assertThat(raised.decision().raiseWaiting()).isTrue();
    assertThat(raised.peersToWake()).containsExactly("ns/a");
    // a lowers, and with no pods to roll its share is free at once: b must hear of it, or its
    // raise waits for an event that may not come for a whole probe interval.
    ServerBudgetIndex.Allocation lowered = put("ns/a", BEFORE);
    assertThat(lowered.decision().connectionLimit()).isEqualTo(10);
    assertThat(lowered.peersToWake()).containsExactly("ns/b");
    assertThat(
            putSized("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 3))
                .decision()
                .connectionLimit())
        .isEqualTo(27);
  }

  @Test
  void aNewcomerGetsOnlyWhatIsFreeAndTheRunningPoliciesKeepWhatTheyHold() {
    settle();
    ServerBudgetIndex.Allocation arrived = put("ns/c", BEFORE);
    assertThat(arrived.decision().admitted()).isFalse();
    assertThat(arrived.decision().explanation())
        .contains("has 0 of 37 left beside what the 2 policies already running there hold");
    assertThat(arrived.peersToWake()).isEmpty();
    assertThat(put("ns/a", BEFORE).decision().connectionLimit()).isEqualTo(19);
    assertThat(put("ns/b", BEFORE).decision().connectionLimit()).isEqualTo(18);

    // An explicit change (a's max lowered to 10) divides the server again, c included.
    ServerBudgetIndex.Allocation lowered =
        putSized("ns/a", BEFORE, null, new PoolSizing.Auto(1, 10, 1));
    assertThat(lowered.decision().connectionLimit()).isEqualTo(10);
    assertThat(lowered.peersToWake()).contains("ns/c");
    assertThat(put("ns/c", BEFORE).decision().admitted()).isTrue();
  }

  /**
   * A newcomer refused while an explicit change divides the server by weight is told again once
   * that division is in place: from then on what it is refused against is what the running policies
   * hold, and its message says so.
   */
  @Test
  void aNewcomerRefusedDuringADivisionIsToldAgainWhenTheRunningPoliciesKeepTheirShares() {
    settle();
    // An explicit change (a's max lowered to 10): the server is divided by weight again.
    assertThat(putSized("ns/a", BEFORE, null, new PoolSizing.Auto(1, 10, 1)).decision())
        .extracting(PoolDecision::connectionLimit)
        .isEqualTo(10);
    ServerBudgetIndex.Allocation refused = putSized("ns/c", BEFORE, null, new PoolSizing.Fixed(36));
    assertThat(refused.decision().admitted()).isFalse();
    assertThat(refused.decision().explanation()).contains("left after the floors of");

    // b takes its share of that division: it is in place, running policies keep what they hold.
    ServerBudgetIndex.Allocation realized = put("ns/b", BEFORE);
    assertThat(realized.decision().connectionLimit()).isEqualTo(27);
    assertThat(realized.peersToWake()).as("c's refusal now reads otherwise").contains("ns/c");
    assertThat(putSized("ns/c", BEFORE, null, new PoolSizing.Fixed(36)).decision().explanation())
        .contains("left beside what the 2 policies already running there hold");
  }

  @Test
  void thePeersAPolicyLeftGetItsShareBack() {
    settle();
    // a now reaches another server altogether; b stays.
    put("ns/a", ServerKey.reported("system 2 port 5432"));
    assertThat(put("ns/b", BEFORE).decision().connectionLimit()).isEqualTo(37);
    // Next time a is sized, its new server is its own budget.
    assertThat(put("ns/a", ServerKey.reported("system 2 port 5432")).decision().connectionLimit())
        .isEqualTo(37);
  }

  @Test
  void afterAStartAChangeMadeWhileTheOperatorWasAwayDividesTheServerAgain() {
    settle();
    PoolSizing heavier = new PoolSizing.Auto(1, 50, 3);
    // A new operator: its index is rebuilt from what each policy's status holds. a's weight went
    // to 3 while no operator ran (its generation is not the one its status observed).
    ServerBudgetIndex restarted = new ServerBudgetIndex();
    restarted.hold(policy("ns/a", BEFORE, null, heavier), "ns/a", null, true);
    restarted.hold(
        policy("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 1)), "ns/b", null, false);
    ServerBudgetIndex.Allocation b =
        restarted.put(
            policy("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 1)), true, true, "ns/b", null);
    assertThat(b.decision().connectionLimit()).as("b lowers for a's weight").isEqualTo(9);

    // Without the change, the same restart keeps every limit.
    ServerBudgetIndex unchanged = new ServerBudgetIndex();
    unchanged.hold(policy("ns/a", BEFORE, null, heavier), "ns/a", null, false);
    unchanged.hold(
        policy("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 1)), "ns/b", null, false);
    assertThat(
            unchanged
                .put(
                    policy("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 1)),
                    true,
                    true,
                    "ns/b",
                    null)
                .decision()
                .connectionLimit())
        .isEqualTo(18);
  }

  @Test
  void eachProbeConnectionTakesOneSlotOnceHoweverManyPoliciesShareIt() {
    // a's max leaves room for the newcomers: they get only what is free.
    PoolSizing small = new PoolSizing.Auto(1, 10, 1);
    PoolDecision alone = putSized("ns/a", BEFORE, "probe-app", small).decision();
    assertThat(alone.budget()).isEqualTo(36);
    assertThat(alone.explanation()).startsWith("36 = 40 max - 3 reserved - 0 reserve - 1 probe");
    putSized("ns/b", BEFORE, "probe-app", small);
    PoolDecision shared = putSized("ns/a", BEFORE, "probe-app", small).decision();
    assertThat(shared.budget()).isEqualTo(36);
    putWith("ns/c", BEFORE, "probe-other-role");
    assertThat(putSized("ns/a", BEFORE, "probe-app", small).decision().budget()).isEqualTo(35);
  }

  @Test
  void eachPolicyAllotsItsLimitTimesThePodsItsWorkloadsHaveNowOnItsServerOnly() {
    settle();
    index.present("ns/a", 3);
    put("ns/c", ServerKey.reported("system 2 port 5432"));

    // b's pods were never reported: it counts at the pods it was budgeted for (one, no workload).
    assertThat(index.allotments(BEFORE))
        .containsExactlyInAnyOrder(
            new io.pgconn.operator.budget.ConnectionLedger.Allotment("ns/a", "app", 19, 3),
            new io.pgconn.operator.budget.ConnectionLedger.Allotment("ns/b", "app", 18, 1));

    index.remove("ns/a");
    assertThat(index.allotments(BEFORE))
        .extracting(io.pgconn.operator.budget.ConnectionLedger.Allotment::applicationName)
        .containsExactly("ns/b");
  }

  /** a and b arrive together (held while newcomers settle, as the sizer does) and share BEFORE. */
  /**
   * A newcomer whose pool has one size is decided without waiting for other newcomers only where
   * the division admits it at that size: whoever else arrives, it would get just that.
   */
  @Test
  void aNewcomerFitsAtItsSizeOnlyWithOneSizeAdmittedInFull() {
    assertThat(arrives("ns/fixed", new PoolSizing.Fixed(5))).isTrue();
    assertThat(arrives("ns/min-is-max", new PoolSizing.Auto(3, 3, 1))).isTrue();
    assertThat(arrives("ns/auto", new PoolSizing.Auto(1, 50, 1)))
        .as("its size depends on who else arrives")
        .isFalse();
    assertThat(arrives("ns/large", new PoolSizing.Fixed(40)))
        .as("admitted alone in its limit, below its size: it waits like any other")
        .isFalse();
  }

  @Test
  void aFullServerAdmitsNoNewcomerAtItsSize() {
    settle();
    assertThat(arrives("ns/c", new PoolSizing.Fixed(1))).isFalse();
  }

  /**
   * Looking whether it fits divides the server, but tells nobody: its decision still wakes the
   * peers its arrival moved. Here the server is divided again by weight after an explicit change
   * (b's weight to 3), so the arrival of a fixed pool of 5 lowers a's share of what is left.
   */
  @Test
  void aNewcomerThatLookedFirstStillWakesThePeersItsArrivalMoved() {
    settle();
    putSized("ns/b", BEFORE, null, new PoolSizing.Auto(1, 50, 3));
    assertThat(arrives("ns/f", new PoolSizing.Fixed(5))).isTrue();
    ServerBudgetIndex.Allocation decided = putSized("ns/f", BEFORE, null, new PoolSizing.Fixed(5));
    assertThat(decided.decision().connectionLimit()).isEqualTo(5);
    assertThat(decided.peersToWake()).contains("ns/a");
  }

  /**
   * A newcomer that was told nothing yet is on its way to its own first decision: waking it for a
   * peer's would make it decide, and write, twice.
   */
  @Test
  void aNewcomerNotYetDecidedIsNotWokenForAPeersDecision() {
    index.hold(policy("ns/h", BEFORE, null, new PoolSizing.Auto(1, 50, 1)), "ns/h", null, false);
    putSized("ns/r", BEFORE, null, new PoolSizing.Fixed(5));
    index.hold(policy("ns/n", BEFORE, null, new PoolSizing.Fixed(5)), "ns/n", null, false);
    ServerBudgetIndex.Allocation decided = putSized("ns/f", BEFORE, null, new PoolSizing.Fixed(5));
    assertThat(decided.peersToWake()).doesNotContain("ns/n");
  }

  private boolean arrives(String id, PoolSizing sizing) {
    BudgetPolicy newcomer = policy(id, BEFORE, null, sizing);
    index.hold(newcomer, id, null, false);
    return index.fitsAtItsSize(newcomer);
  }

  private void settle() {
    for (String id : List.of("ns/a", "ns/b")) {
      index.hold(policy(id, BEFORE, null, new PoolSizing.Auto(1, 50, 1)), id, null, false);
    }
    put("ns/a", BEFORE);
    put("ns/b", BEFORE);
  }

  private ServerBudgetIndex.Allocation put(String id, ServerKey server) {
    return putWith(id, server, null);
  }

  private ServerBudgetIndex.Allocation putWith(String id, ServerKey server, String probe) {
    return putSized(id, server, probe, new PoolSizing.Auto(1, 50, 1));
  }

  private ServerBudgetIndex.Allocation putSized(String id, String probe, int max) {
    return putSized(id, BEFORE, probe, new PoolSizing.Auto(1, max, 1));
  }

  private ServerBudgetIndex.Allocation putSized(
      String id, ServerKey server, String probe, PoolSizing sizing) {
    ServerBudgetIndex.Allocation allocation =
        index.put(policy(id, server, probe, sizing), true, true, id, null);
    if (allocation.decision().admitted()) {
      written.put(id, allocation.decision().connectionLimit());
    }
    return allocation;
  }

  private BudgetPolicy policy(String id, ServerKey server, String probe, PoolSizing sizing) {
    return new BudgetPolicy(
        id,
        server,
        "app",
        "shop",
        0,
        sizing,
        List.of(),
        LIMITS,
        BudgetPolicy.Written.rolledOut(written.get(id)),
        probe);
  }
}
