package io.pgconn.operator.app;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/** Ready once the operator runs and every informer JOSDK started is healthy. */
@Singleton
@Readiness
public class OperatorReadiness implements HealthIndicator {

  private final Provider<Operator> operator;
  private final OperatorLifecycle lifecycle;

  public OperatorReadiness(Provider<Operator> operator, OperatorLifecycle lifecycle) {
    this.operator = operator;
    this.lifecycle = lifecycle;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    boolean started = lifecycle.isStarted();
    boolean healthy = started && operator.get().getRuntimeInfo().allEventSourcesAreHealthy();
    return Publishers.just(HealthResult.builder("operator", healthy ? HealthStatus.UP : HealthStatus.DOWN)
        .details(Map.of("started", started, "informersHealthy", healthy))
        .build());
  }
}
