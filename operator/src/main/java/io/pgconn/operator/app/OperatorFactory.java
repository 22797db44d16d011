package io.pgconn.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.reconciler.PolicyObserver;
import io.pgconn.operator.reconciler.PolicyReconciler;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;

/** Builds the JOSDK operator with every reconciler; OperatorLifecycle starts and stops it. */
@Factory
public class OperatorFactory {

  @Singleton
  public Clock clock() {
    return Clock.systemUTC();
  }

  /** Closed with the application context, so no probe connection outlives the operator. */
  @Singleton
  @Bean(preDestroy = "close")
  public ServerProbe serverProbe(Clock clock) {
    return new ServerProbe(clock);
  }

  @Singleton
  public PolicyMetrics policyMetrics(MeterRegistry registry) {
    return new PolicyMetrics(registry);
  }

  /**
   * Observed by every PolicyObserver bean: the metrics, and in tests an observer registered with
   * the application context (one that crashes the operator between two writes).
   */
  @Singleton
  @Bean(preDestroy = "close")
  public PolicyReconciler policyReconciler(
      KubernetesClient client, ServerProbe probe, Clock clock, List<PolicyObserver> observers) {
    return new PolicyReconciler(client, probe, clock, PolicyObserver.all(observers));
  }

  private static LeaderElectionConfiguration leaderElection(OperatorSettings settings) {
    var builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
            .withExitOnStopLeading(settings.exitOnLeadershipLoss());
    if (settings.leaseNamespace() != null && !settings.leaseNamespace().isBlank()) {
      builder.withLeaseNamespace(settings.leaseNamespace());
    }
    if (settings.identity() != null && !settings.identity().isBlank()) {
      builder.withIdentity(settings.identity());
    }
    return builder.build();
  }

  /** The copy of a policy each reconcile works on: see {@link TokenBufferCloner}. */
  public static Cloner resourceCloner(KubernetesSerialization serialization) {
    return new TokenBufferCloner(serialization);
  }

  /**
   * The one Operator of the application: OperatorLifecycle starts it with the HTTP server, and the
   * context stops it on shutdown, before the client and reconciler it uses are closed (stop() does
   * nothing to an Operator that never started).
   */
  @Singleton
  @Bean(preDestroy = "stop")
  public Operator operator(
      KubernetesClient client,
      PolicyReconciler reconciler,
      OperatorSettings settings,
      MeterRegistry registry) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(false)
                  .withResourceCloner(resourceCloner(client.getKubernetesSerialization()))
                  .withConcurrentReconciliationThreads(settings.reconcileThreads())
                  .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads())
                  .withStopOnInformerErrorDuringStartup(false);
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(settings));
              }
            });
    // Backs off from 2 s to 5 min and never gives up: a fixed Secret or a database coming back
    // must be picked up without anyone touching the policy.
    GenericRetry retry =
        new GenericRetry()
            .setInitialInterval(2_000)
            .setIntervalMultiplier(2)
            .setMaxInterval(300_000)
            .withoutMaxAttempts();
    operator.register(
        reconciler,
        c -> {
          c.withRetry(retry);
          c.withItemStore(reconciler.cacheStore());
          if (settings.watchedNamespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(new HashSet<>(settings.watchedNamespaces()));
          }
        });
    return operator;
  }
}
