package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.rollout.HorizontalScalers;
import io.pgconn.operator.rollout.WorkloadInventory;
import io.pgconn.operator.rollout.WorkloadKey;
import io.pgconn.operator.rollout.WorkloadSelection;
import java.util.List;
import java.util.Map;

/**
 * Reads everything a reconcile decides from: the policy's connection strings, the server as the
 * probe finds it, and the workloads that consume the target with their HPA maxima.
 */
final class ObservationGatherer {

  private final InputResolver inputs;
  private final PolicyProbe probe;
  private final WorkloadInventory inventory;
  private final HorizontalScalers scalers;

  ObservationGatherer(
      InputResolver inputs,
      PolicyProbe probe,
      WorkloadInventory inventory,
      HorizontalScalers scalers) {
    this.inputs = inputs;
    this.probe = probe;
    this.inventory = inventory;
    this.scalers = scalers;
  }

  PolicyObservation gather(PostgresConnectionPolicy policy, PolicyView view) throws PolicyFailure {
    PolicyInputs resolved = inputs.resolve(policy, view);
    PolicyProbe.Outcome probed =
        probe.probe(view, resolved.server(), resolved.ca(), PolicyProbe.neverProbedSince(policy));
    WorkloadSelection selection =
        inventory.select(view.namespace(), view.spec().getWorkloads(), view.targetSecretName());
    Map<WorkloadKey, Integer> hpaMax =
        selection.found().isEmpty() ? Map.of() : scalers.maxReplicas(view.namespace());
    List<Consumer> consumers =
        selection.found().stream().map(w -> w.asConsumer(hpaMax.get(w.key()))).toList();
    return new PolicyObservation(view, resolved, probed, selection, consumers);
  }
}
