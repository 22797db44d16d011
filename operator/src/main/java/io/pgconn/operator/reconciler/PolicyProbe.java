package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.probe.FailureReason;
import io.pgconn.operator.probe.ProbePools;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ProbeScheduler;
import io.pgconn.operator.probe.ProbeTarget;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.SourceKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a policy's server as its probe mode asks: Enforce stops the reconcile on a failed probe
 * (nothing is written) unless the server is only full ({@link #saturated}), Observe reports it, Off
 * never connects.
 *
 * <p>Probes run on the scheduler's few workers, never on a reconcile thread: a server that does not
 * answer cannot hold the reconcile threads. Each reconcile acts on a probe that completed after it
 * asked (as when it probed itself): it asks, ends at once ({@link ProbePending}, status untouched),
 * and the completion wakes it through {@link ProbeEventSource}. Policies asking for the same target
 * at the same time share one probe.
 *
 * <p>A policy never probed before takes, instead, a result for its target that completed after it
 * was created and at most {@link #NEWCOMER_RESULT_AGE} ago: as new as one it would ask for, since
 * nothing about the server changed because the policy appeared. A burst of new policies on one
 * server otherwise cost each of them a reconcile that only waited, and the server a probe for
 * almost every arrival.
 */
final class PolicyProbe {

  private static final Duration ANY_AGE = Duration.ofDays(3650);

  static final Duration NEWCOMER_RESULT_AGE = Duration.ofSeconds(5);

  /** The probe's result, or none with the reason it could not run. */
  record Outcome(ProbeResult result, Optional<String> warning) {
    static Outcome skipped(String warning) {
      return new Outcome(null, Optional.ofNullable(warning));
    }
  }

  private final ServerProbe probe;
  private final ProbeScheduler probes;
  private final ProbeEventSource results;
  private final PolicyObserver observer;
  private final Clock clock;

  /** When each policy waiting for a probe asked for it. */
  private final Map<ResourceID, Instant> askedAt = new ConcurrentHashMap<>();

  PolicyProbe(ServerProbe probe, ProbeEventSource results, PolicyObserver observer, Clock clock) {
    this.probe = probe;
    this.probes = new ProbeScheduler(probe, clock, ProbeScheduler.DEFAULT_THREADS);
    this.results = results;
    this.observer = observer;
    this.clock = clock;
  }

  /**
   * @param ca the policy's CA bundle the server must be verified with, or null
   * @param neverProbedSince when the policy was created, if its status shows no probe yet
   */
  Outcome probe(
      PolicyView view, ConnectionString server, CaBundle ca, Optional<Instant> neverProbedSince)
      throws PolicyFailure {
    ProbeMode mode = view.spec().getProbe().getMode();
    if (mode == ProbeMode.Off) return Outcome.skipped(null);
    if (server.kind() == SourceKind.PRISMA_ACCELERATE) {
      return Outcome.skipped(
          "the source is a Prisma Accelerate URL, which cannot be probed: set"
              + " spec.source.directSecretRef to the database's direct URL");
    }
    ProbeTarget target = target(view, server).withCaCertificates(ca == null ? null : ca.pem());
    ResourceID id = new ResourceID(view.name(), view.namespace());
    Instant asked = askedAt.get(id);
    Optional<ProbeScheduler.Latest> latest = probes.latest(target, ANY_AGE, ANY_AGE);
    if (asked == null && servesNewcomer(latest, neverProbedSince)) {
      observer.probed(view.namespace(), view.name(), latest.get().result());
    } else if (asked == null || latest.isEmpty() || latest.get().completedAt().isBefore(asked)) {
      askedAt.putIfAbsent(id, clock.instant());
      probes.request(
          target,
          () -> {
            probes
                .latest(target, ANY_AGE, ANY_AGE)
                .ifPresent(done -> observer.probed(view.namespace(), view.name(), done.result()));
            results.wake(id);
          });
      throw new ProbePending(Duration.ofSeconds(target.connectTimeoutSeconds() + 60L));
    } else {
      askedAt.remove(id, asked);
    }
    ProbeResult result = latest.get().result();
    if (!result.ok() && mode == ProbeMode.Enforce && !saturated(result)) {
      throw new PolicyFailure(result);
    }
    return new Outcome(
        result,
        saturated(result)
            ? Optional.of(
                "the server refuses new connections ("
                    + result.failure().name()
                    + "): the pool size may only be lowered until a probe succeeds")
            : Optional.empty());
  }

  /** When a policy whose status shows no probe yet was created; empty once it has one. */
  static Optional<Instant> neverProbedSince(PostgresConnectionPolicy policy) {
    String created = policy.getMetadata().getCreationTimestamp();
    if (created == null
        || policy.getStatus() != null && policy.getStatus().getLastProbe() != null) {
      return Optional.empty();
    }
    return Optional.of(Instant.parse(created));
  }

  private boolean servesNewcomer(
      Optional<ProbeScheduler.Latest> latest, Optional<Instant> neverProbedSince) {
    return latest.isPresent()
        && neverProbedSince.isPresent()
        && servesNewcomer(latest.get().completedAt(), neverProbedSince.get(), clock.instant());
  }

  /** Whether a result that completed then serves a policy created then, never probed, now. */
  static boolean servesNewcomer(Instant completed, Instant created, Instant now) {
    return !completed.isBefore(created) && !completed.isBefore(now.minus(NEWCOMER_RESULT_AGE));
  }

  /**
   * The server is reachable and accepts these credentials but has no slot left: Enforce does not
   * stop the reconcile then, because lowering pool sizes is how slots come back; {@code PoolSizer}
   * lets such a reconcile lower a limit, never raise one.
   */
  static boolean saturated(ProbeResult result) {
    return result != null
        && !result.ok()
        && (result.failure() == FailureReason.TooManyConnections
            || result.failure() == FailureReason.ReservedSlotsOnly);
  }

  /**
   * The connection the operator holds for this policy's probes while it probes (one per server
   * endpoint list, whatever the role and database), or null when it never probes: the budget counts
   * each one, see {@code budget.BudgetPolicy#probeConnection}.
   */
  static String connection(PolicyView view, ConnectionString server) throws PolicyFailure {
    if (view.spec().getProbe().getMode() == ProbeMode.Off
        || server.kind() == SourceKind.PRISMA_ACCELERATE) {
      return null;
    }
    return ProbePools.connectionOf(target(view, server));
  }

  /** Closes the probe's pooled connection for this server and credentials, if any. */
  void release(PolicyView view, PolicyInputs inputs) {
    askedAt.remove(new ResourceID(view.name(), view.namespace()));
    try {
      CaBundle ca = inputs.ca();
      probe.release(target(view, inputs.server()).withCaCertificates(ca == null ? null : ca.pem()));
    } catch (PolicyFailure | RuntimeException e) {
      // Nothing valid to release: the idle sweeper closes it in time anyway.
    }
  }

  /** Stops the probe workers (the operator is stopping). */
  void close() {
    probes.close();
  }

  private static ProbeTarget target(PolicyView view, ConnectionString server) throws PolicyFailure {
    return ProbeTargets.of(
        server,
        ContentRenderer.sslMode(view, server),
        view.spec().getPool().getConnectTimeoutSeconds());
  }
}
