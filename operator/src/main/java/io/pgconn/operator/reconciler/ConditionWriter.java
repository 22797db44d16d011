package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a condition list, keeping each condition's lastTransitionTime while its status stays
 * the same, as the Kubernetes conventions ask.
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

  ConditionWriter set(String type, boolean status, String reason, String message) {
    return set(type, status ? "True" : "False", reason, message);
  }

  ConditionWriter set(String type, String value, String reason, String message) {
    String transition = previous.stream()
        .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).findFirst().orElse(now);
    result.removeIf(c -> type.equals(c.getType()));
    result.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(transition)
        .build());
    return this;
  }

  /** Carries a condition over unchanged (for what this reconcile did not evaluate). */
  ConditionWriter keep(String type) {
    previous.stream().filter(c -> type.equals(c.getType())).findFirst().ifPresent(c -> {
      result.removeIf(r -> type.equals(r.getType()));
      result.add(c);
    });
    return this;
  }

  List<Condition> build() {
    return List.copyOf(result);
  }
}
