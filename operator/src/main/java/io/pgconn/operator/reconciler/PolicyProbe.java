package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.SourceKind;
import java.util.Optional;

/**
 * Verifies a policy's server as its probe mode asks: Enforce stops the reconcile on a failed
 * probe (nothing is written), Observe reports it, Off never connects.
 */
final class PolicyProbe {

  /** The probe's result, or none with the reason it could not run. */
  record Outcome(ProbeResult result, Optional<String> warning) {
    static Outcome skipped(String warning) {
      return new Outcome(null, Optional.ofNullable(warning));
    }
  }

  private final ServerProbe probe;
  private final PolicyObserver observer;

  PolicyProbe(ServerProbe probe, PolicyObserver observer) {
    this.probe = probe;
    this.observer = observer;
  }

  Outcome probe(PolicyView view, ConnectionString server) throws PolicyFailure {
    ProbeMode mode = view.spec().getProbe().getMode();
    if (mode == ProbeMode.Off) return Outcome.skipped(null);
    if (server.kind() == SourceKind.PRISMA_ACCELERATE) {
      return Outcome.skipped("the source is a Prisma Accelerate URL, which cannot be probed: set"
          + " spec.source.directSecretRef to the database's direct URL");
    }
    ProbeResult result = probe.probe(ProbeTargets.of(server, ContentRenderer.sslMode(view),
        view.spec().getPool().getConnectTimeoutSeconds()));
    observer.probed(view.namespace(), view.name(), result);
    if (!result.ok() && mode == ProbeMode.Enforce) {
      throw new PolicyFailure(ConditionType.CONNECTION_VERIFIED, result.failure().name(),
          result.message(), result);
    }
    return new Outcome(result, Optional.empty());
  }

  /** Closes the probe's pooled connection for this server and credentials, if any. */
  void release(PolicyView view, PolicyInputs inputs) {
    try {
      probe.release(ProbeTargets.of(inputs.server(), ContentRenderer.sslMode(view),
          view.spec().getPool().getConnectTimeoutSeconds()));
    } catch (PolicyFailure | RuntimeException e) {
      // Nothing valid to release: the idle sweeper closes it in time anyway.
    }
  }
}
