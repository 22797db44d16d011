package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a condition list, keeping each condition's lastTransitionTime while its status stays the
 * same, as the Kubernetes conventions ask.
 */
final class ConditionWriter {

  private final List<Condition> previous;
  private final long generation;
  private final String now;
  private final List<Condition> result = new ArrayList<>();

  ConditionWriter(List<Condition> previous, long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now.toString();
  }

  ConditionWriter set(ConditionType type, boolean status, String reason, String message) {
    return set(type, ConditionStatus.of(status), reason, message);
  }

  ConditionWriter set(ConditionType type, ConditionStatus status, String reason, String message) {
    String name = type.wire();
    String value = status.wire();
    String transition =
        previous.stream()
            .filter(c -> name.equals(c.getType()) && value.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(now);
    result.removeIf(c -> name.equals(c.getType()));
    result.add(
        new ConditionBuilder()
            .withType(name)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build());
    return this;
  }

  /** Carries a condition over unchanged (for what this reconcile did not evaluate). */
  ConditionWriter keep(ConditionType type) {
    previous.stream()
        .filter(c -> type.wire().equals(c.getType()))
        .findFirst()
        .ifPresent(
            c -> {
              result.removeIf(r -> type.wire().equals(r.getType()));
              result.add(c);
            });
    return this;
  }

  /** The first condition written so far, in list order, whose status is False. */
  Optional<Condition> firstFalse(java.util.function.Predicate<Condition> among) {
    return result.stream()
        .filter(c -> ConditionStatus.FALSE.wire().equals(c.getStatus()))
        .filter(among)
        .findFirst();
  }

  List<Condition> build() {
    return List.copyOf(result);
  }
}
