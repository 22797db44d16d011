package io.pgconn.operator.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.reconciler.PolicyObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics per policy: probe durations and results by reason, the server's max and in-use
 * connections, the computed limit and consumers, restarts. Gauges are removed when the policy goes,
 * so a deleted policy does not linger in dashboards.
 */
public class PolicyMetrics implements PolicyObserver {

  private final MeterRegistry registry;
  private final Map<String, PolicyGauges> gauges = new ConcurrentHashMap<>();

  public PolicyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void probed(String namespace, String name, ProbeResult result) {
    Tags tags = tags(namespace, name).and("result", result.result());
    Timer.builder("pgconn.probe.duration")
        .description("Time to connect and read the server's limits")
        .publishPercentileHistogram()
        .tags(tags)
        .register(registry)
        .record(Duration.ofMillis(result.latencyMs()));
    Counter.builder("pgconn.probe.results")
        .description("Probes by result (Success or a reason)")
        .tags(tags)
        .register(registry)
        .increment();
  }

  @Override
  public void sized(String namespace, String name, Sizing sizing) {
    PolicyGauges g =
        gauges.computeIfAbsent(
            namespace + "/" + name, k -> new PolicyGauges(registry, tags(namespace, name)));
    g.limit.set(sizing.connectionLimit());
    g.consumers.set(sizing.consumers());
    if (sizing.serverMaxConnections() != null) g.maxConnections.set(sizing.serverMaxConnections());
    if (sizing.serverInUse() != null) g.inUse.set(sizing.serverInUse());
  }

  @Override
  public void restarted(String namespace, String name, String workloadKind) {
    Counter.builder("pgconn.workload.restarts")
        .description("Workloads restarted for new content")
        .tags(tags(namespace, name).and("kind", workloadKind))
        .register(registry)
        .increment();
  }

  @Override
  public void forgotten(String namespace, String name) {
    PolicyGauges g = gauges.remove(namespace + "/" + name);
    if (g != null) g.remove();
  }

  private static Tags tags(String namespace, String name) {
    return Tags.of("namespace", namespace, "policy", name);
  }

  private static final class PolicyGauges {
    final AtomicInteger limit = new AtomicInteger();
    final AtomicInteger consumers = new AtomicInteger();
    final AtomicInteger maxConnections = new AtomicInteger();
    final AtomicInteger inUse = new AtomicInteger();
    final java.util.List<Gauge> registered;
    private final MeterRegistry registry;
    private final Tags tags;

    PolicyGauges(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      registered =
          java.util.List.of(
              gauge("pgconn.pool.connection.limit", limit, "Per-pod pool size written"),
              gauge("pgconn.pool.consumers", consumers, "Pods that may hold a pool at once"),
              gauge(
                  "pgconn.server.max.connections", maxConnections, "The server's max_connections"),
              gauge(
                  "pgconn.server.connections.in.use",
                  inUse,
                  "Client connections visible in pg_stat_activity"));
    }

    private Gauge gauge(String name, AtomicInteger value, String description) {
      return Gauge.builder(name, value, AtomicInteger::get)
          .description(description)
          .tags(tags)
          .register(registry);
    }

    void remove() {
      registered.forEach(registry::remove);
    }
  }
}
