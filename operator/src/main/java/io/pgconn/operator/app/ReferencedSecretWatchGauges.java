package io.pgconn.operator.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.pgconn.operator.api.SourceSpec;
import io.pgconn.operator.reconciler.PolicyReconciler;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/**
 * pgconn_referenced_secret_watches{kind="namespace"|"secret"}: the watches open on the Secrets
 * policies reference, one per namespace for labelled ones and one per unlabelled Secret, so that a
 * cluster whose sources lack the label shows its cost. Registered when the reconciler is built, so
 * command-line runs (which build none) do not build one for it.
 */
@Singleton
public class ReferencedSecretWatchGauges implements BeanCreatedEventListener<PolicyReconciler> {

  private final BeanProvider<MeterRegistry> registry;

  public ReferencedSecretWatchGauges(BeanProvider<MeterRegistry> registry) {
    this.registry = registry;
  }

  @Override
  public PolicyReconciler onCreated(BeanCreatedEvent<PolicyReconciler> event) {
    PolicyReconciler reconciler = event.getBean();
    gauge(reconciler, "namespace", r -> r.referencedSecretWatches().namespaces());
    gauge(reconciler, "secret", r -> r.referencedSecretWatches().secrets());
    return reconciler;
  }

  private void gauge(
      PolicyReconciler reconciler, String kind, ToDoubleFunction<PolicyReconciler> count) {
    Gauge.builder("pgconn.referenced.secret.watches", reconciler, count)
        .description(
            "Watches open on referenced Secrets: one per namespace for those labelled"
                + " "
                + SourceSpec.WATCH_LABEL
                + ", one per unlabelled Secret")
        .tag("kind", kind)
        .register(registry.get());
  }
}
