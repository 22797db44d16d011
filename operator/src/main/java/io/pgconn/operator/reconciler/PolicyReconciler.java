package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretStatus;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.kube.EventRecorder;
import io.pgconn.operator.kube.OperatorIdentity;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.rollout.HorizontalScalers;
import io.pgconn.operator.rollout.WorkloadInventory;
import io.pgconn.operator.rollout.WorkloadRoller;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a PostgresConnectionPolicy in three steps: gather what is (the source's connection
 * strings, the server as the probe finds it, the consuming workloads), decide what should be (the
 * pool size, the target's content), then act (write the Secret, roll the workloads) and report it
 * all in status. Anything the user must fix raises a PolicyFailure before a single write, so the
 * target keeps its last good content.
 *
 * <p>Only a policy whose deletion needs the operator carries its finalizer (see {@link
 * #needsFinalizer}); the others are forgotten when their Delete event arrives, which is why every
 * event reaches {@link #reconcile} (JOSDK's Cleaner would put a finalizer on every policy: one more
 * write, and one more reconcile, per policy created).
 */
@ControllerConfiguration(
    name = PolicyReconciler.NAME,
    fieldManager = OperatorIdentity.FIELD_MANAGER,
    triggerReconcilerOnAllEvents = true)
public class PolicyReconciler implements Reconciler<PostgresConnectionPolicy>, AutoCloseable {

  public static final String NAME = "postgresconnectionpolicy";

  /**
   * The name JOSDK gave the finalizer when it put one on every policy: policies created by those
   * versions carry it, and their deletion still runs the cleanup and removes it.
   */
  public static final String FINALIZER =
      ReconcilerUtils.getDefaultFinalizerName(PostgresConnectionPolicy.class);

  private static final Duration RETRY_NOW = Duration.ofMillis(200);

  private final Clock clock;
  private final PolicyObserver observer;
  private final ReconcileMetrics metrics;
  private final PolicyProbe probe;
  private final WorkloadRoller roller;
  private final InPlaceRewriter inPlace;
  private final PolicyEvents events;
  private final PeerEventSource peers = new PeerEventSource();
  private final ProbeEventSource probeResults = new ProbeEventSource();
  private final PoolSizer sizer;
  private final TargetSecretDependent target = new TargetSecretDependent();
  private final ReferencedSecretEventSource referencedSecrets;
  private final InputResolver inputs;
  private final ObservationGatherer gatherer;
  private final SecretSync sync;
  private final HashKeys hashKeys;

  public PolicyReconciler(KubernetesClient client, ServerProbe probe, Clock clock) {
    this(client, probe, clock, PolicyObserver.NONE);
  }

  public PolicyReconciler(
      KubernetesClient client, ServerProbe probe, Clock clock, PolicyObserver observer) {
    this.clock = clock;
    this.observer = observer;
    this.metrics = new ReconcileMetrics(observer);
    EventRecorder recorder = new EventRecorder(client, clock);
    SecretLookup fresh =
        id ->
            Optional.ofNullable(
                client.secrets().inNamespace(id.namespace()).withName(id.name()).get());
    this.probe = new PolicyProbe(probe, probeResults, observer, clock);
    this.sizer = new PoolSizer(peers, clock);
    this.roller = new WorkloadRoller(client, recorder, clock);
    this.inPlace = new InPlaceRewriter(client, clock, observer);
    this.events = new PolicyEvents(recorder);
    this.referencedSecrets = new ReferencedSecretEventSource(client);
    this.inputs = new InputResolver(referencedSecrets::get, fresh, inPlace);
    this.gatherer =
        new ObservationGatherer(
            inputs, this.probe, new WorkloadInventory(client), new HorizontalScalers(client));
    this.sync = new SecretSync(target, inPlace, fresh, client);
    this.hashKeys =
        new HashKeys(
            id ->
                target
                    .eventSource()
                    .flatMap(informer -> informer.get(new ResourceID(id.name(), id.namespace()))),
            fresh,
            client,
            new SecureRandom(),
            observer);
  }

  /**
   * The store of the policy informer: policies without managedFields, each told to the observer.
   */
  public ManagedFieldsDroppingStore<PostgresConnectionPolicy> cacheStore() {
    return new ManagedFieldsDroppingStore<>(
        policy ->
            observer.caching(policy.getMetadata().getNamespace(), policy.getMetadata().getName()));
  }

  /** The watches open on referenced Secrets, for a gauge and for tests. */
  public ReferencedSecretEventSource.Watches referencedSecretWatches() {
    return referencedSecrets.watches();
  }

  @Override
  public List<EventSource<?, PostgresConnectionPolicy>> prepareEventSources(
      EventSourceContext<PostgresConnectionPolicy> context) {
    return List.of(
        target.eventSource(context).orElseThrow(), referencedSecrets, peers, probeResults);
  }

  @Override
  public UpdateControl<PostgresConnectionPolicy> reconcile(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    if (context.isPrimaryResourceDeleted()) {
      // Gone from the API server: nothing to write, only this process's memory of it.
      forget(policy, PolicyView.of(policy));
      return UpdateControl.noUpdate();
    }
    if (policy.isMarkedForDeletion()) {
      // Without the finalizer, nothing of the API's needs the operator: the garbage collector
      // takes what the policy owns, and the Delete event makes the operator forget it.
      if (policy.hasFinalizer(FINALIZER)) {
        cleanup(policy);
        PrimaryUpdateAndCacheUtils.removeFinalizer(context, FINALIZER);
      }
      return UpdateControl.noUpdate();
    }
    PolicyView view = PolicyView.of(policy);
    if (needsFinalizer(policy, view) && !policy.hasFinalizer(FINALIZER)) {
      // Before the first write its deletion would have to undo.
      StatusPatch.cache(
          policy, PrimaryUpdateAndCacheUtils.addFinalizer(context, FINALIZER), context);
    }
    PolicyStatusBuilder status =
        new PolicyStatusBuilder(policy.getStatus(), view.generation(), clock.instant());
    referencedSecrets.track(ResourceID.fromResource(policy), view.referencedSecrets());
    try {
      ContentHash hash = hashKeys.forPolicy(policy, view);
      // Gather: what is.
      PolicyObservation seen = gatherer.gather(policy, view);
      ProbeResult probed = seen.probe().result();
      // Decide: what should be.
      PoolDecision decision =
          sizer.size(
              policy,
              view,
              seen.inputs().server(),
              probed,
              seen.consumers(),
              seen.workloads().found(),
              context.getPrimaryCache()::list);
      ConnectionLedger.ConsumerId own = LedgerStatus.own(view, seen.inputs().server().user());
      List<ConsumerStatus> consumers =
          sizer
              .ledger(view, probed, own, LedgerStatus.MAX_CONSUMERS)
              .map(LedgerStatus::shown)
              .orElse(null);
      RenderedContent content =
          ContentRenderer.render(
              view,
              seen.inputs().base(),
              seen.inputs().direct(),
              seen.inputs().ca(),
              decision.connectionLimit(),
              hash);
      // Act: write the content, roll its consumers, report.
      SecretSync.Outcome written = sync.write(policy, view, seen.inputs(), content, context);
      if (written == SecretSync.Outcome.SOURCE_CHANGED) {
        // A rotation landed while this reconcile ran: start over from the new source.
        return UpdateControl.<PostgresConnectionPolicy>noUpdate().rescheduleAfter(RETRY_NOW);
      }
      boolean changed = written == SecretSync.Outcome.WRITTEN;
      SecretStatus secret = status.secret(view.targetSecretName(), content.hash(), changed);
      WorkloadRoller.Result rollout =
          roller.roll(
              policy,
              seen.workloads(),
              content.hash(),
              Instant.parse(secret.getUpdatedAt()),
              status.previous().getWorkloads());
      List<String> warnings = new ArrayList<>();
      seen.probe().warning().ifPresent(warnings::add);
      warnings.addAll(content.warnings());
      PolicyStatus next =
          status.reconciled(
              new PolicyStatusBuilder.Reconciled(
                  view.targetSecretName(),
                  view.spec().getProbe().getMode(),
                  probed,
                  decision,
                  secret,
                  List.copyOf(content.data().keySet()),
                  rollout.workloads(),
                  warnings,
                  PolicyChecks.of(view, seen.inputs().base(), content, probed, status.previous()),
                  ContentRenderer.sslMode(view, seen.inputs().base()).wire(),
                  seen.inputs().source().getMetadata().getResourceVersion(),
                  consumers));
      metrics.report(view, decision, next, status.previous());
      metrics.ledger(view, consumers, own);
      events.reconciled(
          policy,
          status.previous(),
          next,
          changed
              ? Optional.of(new PolicyEvents.TargetWrite(view.targetSecretName(), content))
              : Optional.empty());
      events.ledgerTransition(policy, own, status.previous(), next);
      StatusPatch.write(policy, status.previous(), next, context);
      return UpdateControl.<PostgresConnectionPolicy>noUpdate()
          .rescheduleAfter(rollout.recheck(view.spec().getProbe().intervalDuration()));
    } catch (ProbePending pending) {
      // The probe's completion wakes this policy; status stays as it is until then.
      return UpdateControl.<PostgresConnectionPolicy>noUpdate().rescheduleAfter(pending.recheck());
    } catch (SizingHeld held) {
      // The budget index is being rebuilt after a start, or newcomers are still arriving on the
      // server: no decision, no write, no status patch.
      return UpdateControl.<PostgresConnectionPolicy>noUpdate().rescheduleAfter(held.recheck());
    } catch (PolicyFailure failure) {
      sizer.failed(view, context.getPrimaryCache()::list);
      // Expected trouble the user can fix: report it in status and try again later, without
      // handing it to the SDK's error path (which would log a stack trace per retry).
      PolicyStatus next = failed(policy, status, failure);
      StatusPatch.write(policy, status.previous(), next, context);
      return UpdateControl.<PostgresConnectionPolicy>noUpdate()
          .rescheduleAfter(FailureBackoff.next(next, clock.instant()));
    }
  }

  @Override
  public ErrorStatusUpdateControl<PostgresConnectionPolicy> updateErrorStatus(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context, Exception e) {
    // Only unexpected errors get here (API server refusals, bugs); the SDK retries with backoff.
    if (interrupted(e)) {
      // The operator is stopping: the reconcile was cut short, not failed, and the next instance
      // reconciles again. A status patch or event now would fail with the interrupted thread too.
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    PolicyStatusBuilder status =
        new PolicyStatusBuilder(
            policy.getStatus(), PolicyView.of(policy).generation(), clock.instant());
    PolicyStatus next =
        failed(
            policy,
            status,
            new PolicyFailure(
                PolicyFailure.Reason.RECONCILE_ERROR,
                e.getClass().getSimpleName() + ": " + e.getMessage() + " (retrying with backoff)"));
    if (next.equals(status.previous())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.withStatus(policy, next));
  }

  /**
   * Whether deleting the policy needs the operator before the policy goes: in place, the source
   * gets its original back; with Delete, the target carries the policy's owner reference, which a
   * later Retain (even one set while the operator is down) must remove before the garbage collector
   * acts. A policy keeps the finalizer once it has it (it may have written in place, or an owner
   * reference, before its spec changed).
   */
  private static boolean needsFinalizer(PostgresConnectionPolicy policy, PolicyView view) {
    return view.inPlace() || TargetMetadata.deletesWithPolicy(policy);
  }

  /** Deleted with the finalizer: undo what must be undone, then forget it. */
  private void cleanup(PostgresConnectionPolicy policy) {
    PolicyView view = PolicyView.of(policy);
    forget(policy, view);
    // Also when the spec no longer says in place: its target may have moved away just before.
    inPlace.restore(policy, view);
    sync.release(policy, view); // deletionPolicy Retain: the target stays, without an owner
  }

  /** What this process holds for the policy; twice is harmless (cleanup, then the Delete event). */
  private void forget(PostgresConnectionPolicy policy, PolicyView view) {
    inputs.current(policy, view).ifPresent(current -> probe.release(view, current));
    referencedSecrets.untrack(ResourceID.fromResource(policy));
    observer.forgotten(view.namespace(), view.name());
    sizer.forget(view);
  }

  /** Whether the reconcile thread was interrupted: the thread's flag, or an interruption cause. */
  private static boolean interrupted(Throwable e) {
    if (Thread.currentThread().isInterrupted()) return true;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException
          // (A socket timeout is an InterruptedIOException too, but a real failure.)
          || (t instanceof java.io.InterruptedIOException
              && !(t instanceof java.net.SocketTimeoutException))
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
      if (t.getCause() == t) break;
    }
    return false;
  }

  /** Stops the probe workers: the operator is stopping. */
  @Override
  public void close() {
    probe.close();
  }

  /** Nothing restarts while the policy fails: the workloads are held, with the failure's reason. */
  private PolicyStatus failed(
      PostgresConnectionPolicy policy, PolicyStatusBuilder status, PolicyFailure failure) {
    List<WorkloadStatus> held =
        roller.hold(policy, status.previous().getWorkloads(), failure.reason());
    PolicyStatus next = status.failed(failure, held);
    events.readyTransition(policy, status.previous(), next);
    metrics.readiness(PolicyView.of(policy), next);
    return next;
  }
}
