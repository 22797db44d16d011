package io.pgconn.operator.app;

import io.micronaut.context.ExecutionHandleLocator;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.MediaType;
import io.micronaut.web.router.DefaultRouteBuilder;
import jakarta.inject.Singleton;

/**
 * GET /prometheus on a port of its own (pgconn.metrics-port, PGCONN_METRICS_PORT), so that
 * Prometheus, a ServiceMonitor or a NetworkPolicy can be given the metrics without the health port,
 * and the kubelet's probes without the metrics. Micronaut's own prometheus endpoint is off: its
 * port setting (endpoints.all.port) would move the health endpoints too. Routes without a port, the
 * health endpoints among them, answer only on the server port (micronaut.server.port) once a route
 * has a port of its own.
 */
@Singleton
public class MetricsRoute extends DefaultRouteBuilder {

  public static final String PATH = "/prometheus";

  public MetricsRoute(
      ExecutionHandleLocator locator,
      MetricsPage page,
      @Value("${pgconn.metrics-port:8081}") int port) {
    super(locator);
    GET(PATH, page, "scrape").produces(MediaType.TEXT_PLAIN_TYPE).exposedPort(port);
  }
}
