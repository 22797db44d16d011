package io.pgconn.operator.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Executable;
import jakarta.inject.Singleton;

/** The Prometheus text page of every meter; {@link MetricsRoute} serves it on the metrics port. */
@Singleton
public class MetricsPage {

  private final PrometheusMeterRegistry registry;

  public MetricsPage(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Executable
  public String scrape() {
    return registry.scrape();
  }
}
