package io.pgconn.operator.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.reconciler.PolicyObserver;
import io.pgconn.operator.reconciler.PolicyObserver.Attention;
import io.pgconn.operator.reconciler.PolicyObserver.Sizing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics: per policy a handful of series (its Ready state, a conflicting writer, a held
 * rollout, probe results by reason, the server's max, usable and in-use connections, the computed
 * limit and consumers, restarts), the ones the chart's alerts and dashboard use; probe durations
 * are one histogram per result for the whole operator, since a histogram per policy is about 70
 * series each. Every series of a policy is removed when the policy goes, so a deleted policy does
 * not linger in dashboards or alerts.
 *
 * <p>The connection ledger adds, per policy, two series per consumer it names (its own, the ones
 * over their allotment and the ones no policy budgets; at most 10): connections held and, for
 * budgeted ones, allotted, labelled application_name and role. Every policy on a server names the
 * same over-allotted consumer: alert on {@code max by (application_name, role)}.
 */
public class PolicyMetrics implements PolicyObserver {

  private final MeterRegistry registry;
  private final Map<String, PolicyGauges> gauges = new ConcurrentHashMap<>();

  public PolicyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void probed(String namespace, String name, ProbeResult result) {
    Timer.builder("pgconn.probe.duration")
        .description("Time to connect and read the server's limits, every policy's probes")
        .publishPercentileHistogram()
        .tags("result", result.result())
        .register(registry)
        .record(Duration.ofMillis(result.latencyMs()));
    Counter.builder("pgconn.probe.results")
        .description("Probes by result (Success or a reason)")
        .tags(tags(namespace, name).and("result", result.result()))
        .register(registry)
        .increment();
  }

  @Override
  public void readiness(String namespace, String name, boolean ready) {
    gauges(namespace, name).ready.set(ready ? 1 : 0);
  }

  @Override
  public void sized(String namespace, String name, Sizing sizing) {
    PolicyGauges g = gauges(namespace, name);
    g.limit.set(sizing.connectionLimit());
    g.consumers.set(sizing.consumers());
    if (sizing.serverMaxConnections() != null) g.maxConnections.set(sizing.serverMaxConnections());
    if (sizing.serverUsableConnections() != null) {
      g.usableConnections.set(sizing.serverUsableConnections());
    }
    if (sizing.serverInUse() != null) g.inUse.set(sizing.serverInUse());
  }

  @Override
  public void attention(String namespace, String name, Attention attention) {
    PolicyGauges g = gauges(namespace, name);
    g.conflictingWriter.set(attention.conflictingWriter() ? 1 : 0);
    g.rolloutHeld.set(attention.rolloutHeld() ? 1 : 0);
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
  public void ledger(String namespace, String name, List<ConsumerStatus> consumers) {
    gauges(namespace, name).ledger(consumers);
  }

  @Override
  public void forgotten(String namespace, String name) {
    PolicyGauges g = gauges.remove(namespace + "/" + name);
    if (g != null) g.remove();
    // Counters (probe results, restarts) too: a deleted policy must not linger in alerts.
    registry.getMeters().stream()
        .filter(
            m ->
                namespace.equals(m.getId().getTag("namespace"))
                    && name.equals(m.getId().getTag("policy")))
        .toList()
        .forEach(registry::remove);
  }

  private PolicyGauges gauges(String namespace, String name) {
    return gauges.computeIfAbsent(
        namespace + "/" + name, k -> new PolicyGauges(registry, tags(namespace, name)));
  }

  private static Tags tags(String namespace, String name) {
    return Tags.of("namespace", namespace, "policy", name);
  }

  private static final class PolicyGauges {
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger limit = new AtomicInteger();
    final AtomicInteger consumers = new AtomicInteger();
    final AtomicInteger maxConnections = new AtomicInteger();
    final AtomicInteger inUse = new AtomicInteger();
    final AtomicInteger usableConnections = new AtomicInteger();
    final AtomicInteger conflictingWriter = new AtomicInteger();
    final AtomicInteger rolloutHeld = new AtomicInteger();
    final java.util.List<Gauge> registered;
    private final MeterRegistry registry;
    private final Tags tags;

    PolicyGauges(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      registered =
          java.util.List.of(
              gauge(
                  "pgconn.policy.ready",
                  ready,
                  "1 while the policy's Ready condition is True, else 0 (the reason is in its"
                      + " status and events)"),
              gauge("pgconn.pool.connection.limit", limit, "Per-pod pool size written"),
              gauge("pgconn.pool.consumers", consumers, "Pods that may hold a pool at once"),
              gauge(
                  "pgconn.server.max.connections", maxConnections, "The server's max_connections"),
              gauge(
                  "pgconn.server.usable.connections",
                  usableConnections,
                  "The server's max_connections minus its reserved slots: what clients can hold"),
              gauge(
                  "pgconn.server.connections.in.use",
                  inUse,
                  "Client connections visible in pg_stat_activity"),
              gauge(
                  "pgconn.policy.conflicting.writer",
                  conflictingWriter,
                  "1 while a condition is False because another writer or owner is in the way"
                      + " (ConflictingWriter, TargetOwnedByAnotherPolicy, TargetSecretConflict,"
                      + " BackupSecretConflict, HashKeySecretConflict), else 0"),
              gauge(
                  "pgconn.rollout.held",
                  rolloutHeld,
                  "1 while the rollout sequence holds a workload back (ProgressDeadlineExceeded,"
                      + " SequenceHeld), else 0"));
    }

    private Gauge gauge(String name, AtomicInteger value, String description) {
      return Gauge.builder(name, value, AtomicInteger::get)
          .description(description)
          .tags(tags)
          .register(registry);
    }

    /** One gauge pair per consumer named, keyed by application_name and role. */
    private final Map<List<String>, ConsumerGauges> ledger = new ConcurrentHashMap<>();

    synchronized void ledger(List<ConsumerStatus> lines) {
      Map<List<String>, ConsumerStatus> now = new HashMap<>();
      lines.forEach(c -> now.put(List.of(c.applicationName(), c.role()), c));
      ledger
          .entrySet()
          .removeIf(
              e -> {
                ConsumerStatus line = now.get(e.getKey());
                boolean gone =
                    line == null || (line.allotted() == null) != (e.getValue().allotted == null);
                if (gone) e.getValue().remove();
                return gone;
              });
      now.forEach(
          (key, line) -> {
            ConsumerGauges g =
                ledger.computeIfAbsent(
                    key,
                    k ->
                        new ConsumerGauges(
                            line.allotted() != null, line.applicationName(), line.role()));
            g.held.set(line.held() == null ? 0 : line.held());
            if (g.allotted != null) g.allotted.set(line.allotted());
          });
    }

    private final class ConsumerGauges {
      final AtomicInteger held = new AtomicInteger();
      final AtomicInteger allotted;
      final List<Gauge> registered = new ArrayList<>();

      ConsumerGauges(boolean budgeted, String applicationName, String role) {
        Tags consumer = tags.and("application_name", applicationName, "role", role);
        registered.add(
            Gauge.builder("pgconn.consumer.connections.held", held, AtomicInteger::get)
                .description(
                    "Client connections a consumer (application_name and role) holds on the"
                        + " policy's server: the policy's own, one over its allotment, or one no"
                        + " policy budgets")
                .tags(consumer)
                .register(registry));
        allotted = budgeted ? new AtomicInteger() : null;
        if (budgeted) {
          registered.add(
              Gauge.builder("pgconn.consumer.connections.allotted", allotted, AtomicInteger::get)
                  .description(
                      "Connections the policies on the server allot the consumer: per-pod limit"
                          + " times the pods its workloads have now")
                  .tags(consumer)
                  .register(registry));
        }
      }

      void remove() {
        registered.forEach(registry::remove);
      }
    }

    void remove() {
      registered.forEach(registry::remove);
      ledger.values().forEach(ConsumerGauges::remove);
      ledger.clear();
    }
  }
}
