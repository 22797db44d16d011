package io.pgconn.operator.reconciler;

import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.rollout.WorkloadSelection;
import java.util.List;

/**
 * What one reconcile saw, gathered once before anything is decided.
 *
 * @param consumers the selected workloads as pool consumers, counted at their HPA maximum
 */
record PolicyObservation(
    PolicyView view,
    PolicyInputs inputs,
    PolicyProbe.Outcome probe,
    WorkloadSelection workloads,
    List<Consumer> consumers) {}
