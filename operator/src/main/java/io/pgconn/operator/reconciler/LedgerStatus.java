package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.budget.ConnectionLedger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The connection ledger as one policy's status shows it (status.server.consumers), and the rule for
 * when it is written: counts move with every probe and wait for the hourly refresh like inUse, but
 * a change in who is over its allotment is news and is written at once.
 */
final class LedgerStatus {

  /** Lines a policy's status shows at most (the CRD description says so). */
  static final int MAX_CONSUMERS = 10;

  private LedgerStatus() {}

  /** The ledger's lines a policy shows, as its status writes them. */
  static List<ConsumerStatus> shown(List<ConnectionLedger.Line> lines) {
    return lines.stream()
        .map(
            l ->
                new ConsumerStatus(
                    l.applicationName(), l.role(), l.held(), l.allotted(), l.standing().wire()))
        .toList();
  }

  /** The policy's own consumer: its pools' application_name and its URL's role. */
  static ConnectionLedger.ConsumerId own(PolicyView view, String role) {
    return new ConnectionLedger.ConsumerId(view.applicationName(), role);
  }

  /**
   * Whether {@code next} must be written although the counts alone would wait: the ledger appears,
   * or who is over its allotment changed.
   */
  static boolean newsIn(List<ConsumerStatus> before, List<ConsumerStatus> next) {
    if (next == null) return false;
    if (before == null) return true;
    return !over(before).equals(over(next));
  }

  /** Who is over its allotment: application_name and role. */
  static Set<List<String>> over(List<ConsumerStatus> consumers) {
    return consumers == null
        ? Set.of()
        : consumers.stream()
            .filter(ConsumerStatus::overAllotted)
            .map(
                c ->
                    List.of(
                        Objects.toString(c.applicationName(), ""), Objects.toString(c.role(), "")))
            .collect(Collectors.toSet());
  }

  /** The line of the policy's own consumer, if shown. */
  static Optional<ConsumerStatus> ownLine(
      List<ConsumerStatus> consumers, ConnectionLedger.ConsumerId own) {
    return consumers == null
        ? Optional.empty()
        : consumers.stream().filter(c -> isOwn(c, own)).findFirst();
  }

  /** Whether {@code line} is the policy's own consumer. */
  static boolean isOwn(ConsumerStatus line, ConnectionLedger.ConsumerId own) {
    return own.applicationName().equals(line.applicationName())
        && own.role().equals(Objects.toString(line.role(), ""));
  }
}
