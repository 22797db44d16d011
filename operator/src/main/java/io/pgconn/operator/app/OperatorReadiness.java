package io.pgconn.operator.app;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Ready once the operator runs and every informer JOSDK started is healthy. Reads the operator the
 * lifecycle started and never builds one.
 */
@Singleton
@Readiness
public class OperatorReadiness implements HealthIndicator {

  private final OperatorLifecycle lifecycle;

  public OperatorReadiness(OperatorLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    boolean started = lifecycle.isStarted();
    boolean healthy =
        lifecycle.started().map(o -> o.getRuntimeInfo().allEventSourcesAreHealthy()).orElse(false);
    return Publishers.just(
        HealthResult.builder("operator", healthy ? HealthStatus.UP : HealthStatus.DOWN)
            .details(Map.of("started", started, "informersHealthy", healthy))
            .build());
  }
}
