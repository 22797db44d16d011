package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.pgconn.operator.api.PolicyCheck;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.ProbeStatus;
import io.pgconn.operator.api.SecretStatus;
import io.pgconn.operator.api.ServerStatus;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ProbeScheduler;
import io.pgconn.operator.probe.ProbeTarget;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.probe.ServerFacts;
import io.pgconn.operator.rollout.Workload;
import io.pgconn.operator.rollout.HorizontalScalers;
import io.pgconn.operator.rollout.WorkloadInventory;
import io.pgconn.operator.rollout.WorkloadKey;
import io.pgconn.operator.probe.ConnectionChecklist;
import io.pgconn.operator.rollout.WorkloadRoller;
import io.pgconn.operator.rollout.WorkloadSelection;
import io.pgconn.operator.rollout.WorkloadsCondition;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.HostPort;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.InvalidConnectionStringException;
import io.pgconn.operator.url.SourceKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a PostgresConnectionPolicy: reads the source URL, verifies the server, sizes the
 * pool, writes the target Secret and stamps the consuming workloads, then reports all of it in
 * status. Anything the user must fix raises a PolicyFailure before a single write, so the
 * target keeps its last good content.
 */
@ControllerConfiguration(name = PolicyReconciler.NAME, fieldManager = ManagedSecrets.FIELD_MANAGER)
public class PolicyReconciler
    implements Reconciler<PostgresConnectionPolicy>, Cleaner<PostgresConnectionPolicy> {

  public static final String NAME = "postgresconnectionpolicy";
  static final String MANAGED_SECRETS = "managed-secrets";
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReconciler.class);
  private static final Duration ANY_AGE = Duration.ofDays(3650);

  private final KubernetesClient client;
  private final ServerProbe probe;
  private final WorkloadInventory inventory;
  private final WorkloadRoller roller;
  private final TargetSecretWriter writer;
  private final InPlaceRewriter inPlace;
  private final PolicyEvents events;
  private final Clock clock;
  private final PolicyObserver observer;
  private final ServerBudgets budgets = new ServerBudgets();
  private final PeerEventSource peers = new PeerEventSource();
  private final ProbeScheduler probes;
  private final ProbeEventSource probeResults = new ProbeEventSource();
  /** When each policy waiting for a probe asked for it. */
  private final Map<ResourceID, Instant> probeAskedAt = new ConcurrentHashMap<>();
  private final HorizontalScalers scalers;
  private volatile InformerEventSource<Secret, PostgresConnectionPolicy> managedSecrets;
  private volatile ReferencedSecretEventSource referencedSecrets;

  public PolicyReconciler(KubernetesClient client, ServerProbe probe, Clock clock) {
    this(client, probe, clock, PolicyObserver.NONE);
  }

  public PolicyReconciler(KubernetesClient client, ServerProbe probe, Clock clock,
      PolicyObserver observer) {
    this.observer = observer;
    this.client = client;
    this.probe = probe;
    this.clock = clock;
    this.probes = new ProbeScheduler(probe, clock, ProbeScheduler.DEFAULT_THREADS);
    this.inventory = new WorkloadInventory(client);
    this.scalers = new HorizontalScalers(client);
    this.roller = new WorkloadRoller(client, clock);
    this.writer = new TargetSecretWriter(client);
    this.inPlace = new InPlaceRewriter(client, writer);
    this.events = new PolicyEvents(client, clock);
  }

  @Override
  public List<EventSource<?, PostgresConnectionPolicy>> prepareEventSources(
      EventSourceContext<PostgresConnectionPolicy> context) {
    managedSecrets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, PostgresConnectionPolicy.class)
            .withName(MANAGED_SECRETS)
            .withLabelSelector(ManagedSecrets.SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PostgresConnectionPolicy.class))
            .build(),
        context);
    referencedSecrets = new ReferencedSecretEventSource(context.getClient());
    return List.of(managedSecrets, referencedSecrets, peers, probeResults);
  }

  @Override
  public UpdateControl<PostgresConnectionPolicy> reconcile(PostgresConnectionPolicy policy,
      Context<PostgresConnectionPolicy> context) {
    try {
      return reconcileOrFail(policy);
    } catch (ProbePending pending) {
      // The probe's completion wakes this policy; status stays as it is until then.
      return UpdateControl.<PostgresConnectionPolicy>noUpdate().rescheduleAfter(pending.recheck());
    } catch (PolicyFailure failure) {
      // Expected trouble the user can fix: report it in status and try again later, without
      // handing it to the SDK's error path (which would log a stack trace per retry).
      PolicyStatus status = failedStatus(policy, failure.conditionType(), failure.reason(),
          failure.getMessage(), failure.probe());
      Duration delay = FailureBackoff.next(status, clock.instant());
      return statusUpdate(policy, policy.getStatus(), status).rescheduleAfter(delay);
    }
  }

  private UpdateControl<PostgresConnectionPolicy> reconcileOrFail(PostgresConnectionPolicy policy)
      throws PolicyFailure {
    PolicyView view = PolicyView.of(policy);
    referencedSecrets.track(ResourceID.fromResource(policy), view.referencedSecrets());
    PolicyStatus previous = policy.getStatus() == null ? new PolicyStatus() : policy.getStatus();

    Secret source = SourceReader.secret(view, view.sourceId(), "spec.source.secretRef",
        view.inPlace() ? this::readFresh : referencedSecrets::get);
    String raw = view.inPlace() ? inPlace.resolveBase(policy, view, source)
        : SourceReader.value(view, source, view.source());
    ConnectionString base = SourceReader.parse(view.sourceId(), view.source().getKey(), raw);
    ConnectionString direct = null;
    if (view.direct() != null) {
      Secret directSecret = SourceReader.secret(view, view.directId(),
          "spec.source.directSecretRef", referencedSecrets::get);
      direct = SourceReader.parse(view.directId(), view.direct().getKey(),
          SourceReader.value(view, directSecret, view.direct()));
    }

    List<String> warnings = new ArrayList<>();
    ProbeResult probed = probe(view, direct != null ? direct : base, warnings);

    WorkloadSelection selection = inventory.select(view.namespace(), view.spec().getWorkloads(),
        view.targetSecretName());
    List<Workload> found = selection.found();
    PoolDecision decision = size(policy, view, direct != null ? direct : base, probed, found);

    RenderedContent content = ContentRenderer.render(view, base, direct, decision.connectionLimit());
    warnings.addAll(content.warnings());
    boolean changed = view.inPlace() ? writeInPlace(policy, view, source, content)
        : writeTarget(policy, view, content);
    if (changed) {
      events.normal(policy, "SecretUpdated", "wrote " + content.data().size() + " keys to Secret "
          + view.targetSecretName() + " (" + content.hash() + ")");
    }
    SecretStatus secret = secretStatus(view, content, changed, previous);
    WorkloadRoller.Result rollout = roller.roll(policy, selection, content.hash(),
        Instant.parse(secret.getUpdatedAt()), previous.getWorkloads());
    List<WorkloadStatus> workloads = rollout.workloads();

    PolicyStatus status = new PolicyStatus();
    status.setObservedGeneration(view.generation());
    status.setServer(probed != null && probed.ok() ? server(probed.facts()) : previous.getServer());
    status.setPool(poolStatus(decision));
    status.setSecret(secret);
    status.setWorkloads(workloads);
    status.setLastProbe(probed == null ? previous.getLastProbe() : probeStatus(probed));
    status.setWarnings(List.copyOf(warnings));
    status.setChecks(checks(view, base, content, probed, previous));
    status.getPool().setSslMode(ContentRenderer.sslMode(view).wire());
    status.setConditions(conditions(view, previous, probed, decision, content, workloads));
    observe(view, decision, status, previous);
    announceTransition(policy, previous, status);
    return statusUpdate(policy, previous, status)
        .rescheduleAfter(rollout.recheck(view.spec().getProbe().intervalDuration()));
  }

  @Override
  public ErrorStatusUpdateControl<PostgresConnectionPolicy> updateErrorStatus(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context, Exception e) {
    // Only unexpected errors get here (API server refusals, bugs); the SDK retries with backoff.
    PolicyStatus status = failedStatus(policy, ConditionTypes.SECRET_SYNCED, "ReconcileError",
        e.getClass().getSimpleName() + ": " + e.getMessage() + " (retrying with backoff)", null);
    PolicyStatus previous = policy.getStatus() == null ? new PolicyStatus() : policy.getStatus();
    if (status.equals(previous)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(withStatus(policy, status));
  }

  private PolicyStatus failedStatus(PostgresConnectionPolicy policy, String type, String reason,
      String message, ProbeResult probed) {
    PolicyView view = PolicyView.of(policy);
    PolicyStatus previous = policy.getStatus() == null ? new PolicyStatus() : policy.getStatus();
    PolicyStatus status = copyOf(previous);
    status.setObservedGeneration(view.generation());
    if (probed != null) {
      status.setLastProbe(probeStatus(probed));
    }
    ConditionWriter conditions = new ConditionWriter(previous.getConditions(), view.generation(),
        clock.instant());
    for (String kept : List.of(ConditionTypes.CONNECTION_VERIFIED, ConditionTypes.SECRET_SYNCED,
        ConditionTypes.BUDGET_SATISFIED, ConditionTypes.WORKLOADS_UP_TO_DATE)) {
      conditions.keep(kept);
    }
    conditions.set(type, false, reason, message);
    // kstatus (Flux, Argo CD's health assessment) reads Stalled=True as "needs a human".
    conditions.set(ConditionTypes.STALLED, true, reason, message);
    // Nothing restarts while the policy fails: say so on each workload.
    status.setWorkloads(roller.hold(policy, previous.getWorkloads(), reason));
    conditions.set(ConditionTypes.READY, false, reason, message
        + (previous.getSecret() == null ? "" : " The target Secret keeps its last good content."));
    status.setConditions(conditions.build());
    announceTransition(policy, previous, status);
    return status;
  }

  @Override
  public DeleteControl cleanup(PostgresConnectionPolicy policy,
      Context<PostgresConnectionPolicy> context) {
    PolicyView view = PolicyView.of(policy);
    releaseProbeConnection(view);
    referencedSecrets.untrack(ResourceID.fromResource(policy));
    observer.forgotten(view.namespace(), view.name());
    peers.wake(budgets.remove(view.namespace() + "/" + view.name()));
    if (view.inPlace()) {
      inPlace.restore(view);
    }
    return DeleteControl.defaultDelete();
  }

  /** Closes the probe's pooled connection for this policy's server and credentials, if any. */
  private void releaseProbeConnection(PolicyView view) {
    try {
      SecretId id = view.direct() != null ? view.directId() : view.sourceId();
      var ref = view.direct() != null ? view.direct() : view.source();
      Optional<Secret> secret = view.inPlace()
          ? read(view.namespace(), view.backupSecretName()) : referencedSecrets.get(id);
      if (secret.isEmpty()) return;
      Optional<String> raw = ManagedSecrets.value(secret.get(), ref.getKey());
      if (raw.isEmpty()) return;
      probe.release(ProbeTargets.of(ConnectionStringParser.parse(raw.get()),
          ContentRenderer.sslMode(view), view.spec().getPool().getConnectTimeoutSeconds()));
    } catch (PolicyFailure | InvalidConnectionStringException | RuntimeException e) {
      // Nothing to release, or nothing readable: the idle sweeper closes it in time anyway.
    }
  }

  /**
   * The troubleshooting checklist for what the app really gets: the first pooled output when it is
   * a connection string, the source otherwise.
   */
  private static List<PolicyCheck> checks(PolicyView view, ConnectionString base,
      RenderedContent content, ProbeResult probed, PolicyStatus previous) {
    ConnectionString subject = base;
    for (var output : view.outputs()) {
      if (!output.getPooled() || output.getFormat() == io.pgconn.operator.api.OutputFormatName.env) {
        continue;
      }
      String value = content.data().get(output.getKey());
      try {
        subject = value == null ? base : ConnectionStringParser.parse(value);
      } catch (InvalidConnectionStringException e) {
        subject = base;
      }
      break;
    }
    if (probed == null && previous.getChecks() != null && !previous.getChecks().isEmpty()
        && view.spec().getProbe().getMode() != ProbeMode.Off) {
      return previous.getChecks();
    }
    return ConnectionChecklist.evaluate(subject, probed).stream()
        .map(c -> new PolicyCheck(c.name(), c.status().name(), c.message())).toList();
  }

  private void observe(PolicyView view, PoolDecision decision, PolicyStatus status,
      PolicyStatus previous) {
    ServerStatus server = status.getServer();
    observer.sized(view.namespace(), view.name(), decision.connectionLimit(), decision.consumers(),
        server == null ? null : server.getMaxConnections(), server == null ? null : server.getInUse());
    for (WorkloadStatus workload : status.getWorkloads()) {
      String before = previousRestart(previous, workload.getKind(), workload.getName());
      if (workload.getRestartedAt() != null && !workload.getRestartedAt().equals(before)) {
        observer.restarted(view.namespace(), view.name(), String.valueOf(workload.getKind()));
      }
    }
  }

  private ProbeResult probe(PolicyView view, ConnectionString target, List<String> warnings)
      throws PolicyFailure {
    ProbeMode mode = view.spec().getProbe().getMode();
    if (mode == ProbeMode.Off) return null;
    if (target.kind() == SourceKind.PRISMA_ACCELERATE) {
      warnings.add("the source is a Prisma Accelerate URL, which cannot be probed: set"
          + " spec.source.directSecretRef to the database's direct URL");
      return null;
    }
    // Probes run on the scheduler's few workers, never on this thread: a server that does not
    // answer cannot hold the reconcile threads. Each reconcile acts on a probe that completed
    // after it asked (as when it probed itself): it asks, ends at once (ProbePending, status
    // untouched), and the completion wakes it through probeResults. Policies asking for the
    // same target at the same time share one probe.
    ProbeTarget probeTarget = ProbeTargets.of(target, ContentRenderer.sslMode(view, target),
        view.spec().getPool().getConnectTimeoutSeconds());
    ResourceID id = new ResourceID(view.name(), view.namespace());
    Instant asked = probeAskedAt.get(id);
    Optional<ProbeScheduler.Latest> latest = probes.latest(probeTarget, ANY_AGE, ANY_AGE);
    if (asked == null || latest.isEmpty() || latest.get().completedAt().isBefore(asked)) {
      probeAskedAt.putIfAbsent(id, clock.instant());
      probes.request(probeTarget, () -> {
        probes.latest(probeTarget, ANY_AGE, ANY_AGE)
            .ifPresent(done -> observer.probed(view.namespace(), view.name(), done.result()));
        probeResults.wake(id);
      });
      throw new ProbePending(Duration.ofSeconds(probeTarget.connectTimeoutSeconds() + 60L));
    }
    probeAskedAt.remove(id, asked);
    ProbeResult result = latest.get().result();
    if (!result.ok() && mode == ProbeMode.Enforce) {
      throw new PolicyFailure(ConditionTypes.CONNECTION_VERIFIED, result.failure().name(),
          result.message(), result);
    }
    return result;
  }

  private boolean writeTarget(PostgresConnectionPolicy policy, PolicyView view,
      RenderedContent content) throws PolicyFailure {
    ResourceID id = new ResourceID(view.targetSecretName(), view.namespace());
    Optional<Secret> cached = managedSecrets.get(id);
    if (cached.isEmpty()) {
      Secret existing = readFresh(new SecretId(view.namespace(), view.targetSecretName())).orElse(null);
      if (existing != null && !ownedBy(existing, policy)) {
        throw new PolicyFailure(ConditionTypes.SECRET_SYNCED, "TargetSecretConflict",
            "Secret " + view.namespace() + "/" + view.targetSecretName() + " exists and is not"
                + " managed by this policy, so the operator will not overwrite it: choose another"
                + " spec.target.secretName, delete that Secret, or name the source Secret for in"
                + " place mode");
      }
      cached = Optional.ofNullable(existing);
    }
    if (cached.isPresent() && holdsExactly(cached.get(), content)) {
      return false;
    }
    Secret written = writer.apply(policy, view.targetSecretName(), content.data(), Map.of());
    // Tell the informer this change is ours, so it does not wake this policy again.
    if (cached.isPresent()) {
      managedSecrets.handleRecentResourceUpdate(id, written, cached.get());
    } else {
      managedSecrets.handleRecentResourceCreate(id, written);
    }
    return cached.isEmpty() || !content.hash().equals(hashOf(cached.get()));
  }

  private boolean writeInPlace(PostgresConnectionPolicy policy, PolicyView view, Secret source,
      RenderedContent content) {
    boolean changed = !ManagedSecrets.holds(source, content.data());
    inPlace.write(policy, view, source, content);
    return changed;
  }

  private List<Condition> conditions(PolicyView view, PolicyStatus previous, ProbeResult probed,
      PoolDecision decision, RenderedContent content, List<WorkloadStatus> workloads) {
    ConditionWriter conditions = new ConditionWriter(previous.getConditions(), view.generation(),
        clock.instant());
    if (probed == null) {
      conditions.set(ConditionTypes.CONNECTION_VERIFIED, "Unknown", "NotProbed",
          view.spec().getProbe().getMode() == ProbeMode.Off ? "spec.probe.mode is Off"
              : "the source cannot be probed (see warnings)");
    } else if (probed.ok()) {
      conditions.set(ConditionTypes.CONNECTION_VERIFIED, true, "Connected", probed.message());
    } else {
      conditions.set(ConditionTypes.CONNECTION_VERIFIED, false, probed.failure().name(),
          probed.message() + " (probe mode Observe: the content was published anyway)");
    }
    conditions.set(ConditionTypes.SECRET_SYNCED, true, "Synced", "Secret "
        + view.targetSecretName() + " holds " + String.join(", ", content.data().keySet()));
    conditions.set(ConditionTypes.BUDGET_SATISFIED, decision.satisfied(), decision.reason(),
        decision.message());
    WorkloadsCondition rollout = WorkloadsCondition.of(workloads);
    conditions.set(ConditionTypes.WORKLOADS_UP_TO_DATE, rollout.upToDate(), rollout.reason(),
        rollout.message());
    if (!rollout.upToDate() && !rollout.blocksReady()) {
      // kstatus reads Reconciling=True as "in progress": a GitOps sync waits for the rollout.
      conditions.set(ConditionTypes.RECONCILING, true, rollout.reason(), rollout.message());
    }
    List<Condition> built = conditions.build();
    // A rollout that is merely under way (or paused on purpose) does not make the policy un-Ready.
    Optional<Condition> failing = built.stream().filter(c -> "False".equals(c.getStatus()))
        .filter(c -> rollout.blocksReady()
            || !ConditionTypes.WORKLOADS_UP_TO_DATE.equals(c.getType()))
        .findFirst();
    if (failing.isPresent()) {
      conditions.set(ConditionTypes.READY, false, failing.get().getReason(),
          failing.get().getType() + ": " + failing.get().getMessage());
    } else {
      conditions.set(ConditionTypes.READY, true, "Reconciled",
          "Secret " + view.targetSecretName() + " is up to date; pool " + decision.connectionLimit()
              + " per pod");
    }
    return conditions.build();
  }

  private void announceTransition(PostgresConnectionPolicy policy, PolicyStatus previous,
      PolicyStatus current) {
    Optional<Condition> before = ready(previous);
    Condition after = ready(current).orElseThrow();
    boolean same = before.isPresent() && Objects.equals(before.get().getStatus(), after.getStatus())
        && Objects.equals(before.get().getReason(), after.getReason());
    if (same) return;
    if ("True".equals(after.getStatus())) {
      events.normal(policy, after.getReason(), after.getMessage());
    } else {
      events.warning(policy, after.getReason(), after.getMessage());
    }
    LOG.info("policy {}/{}: Ready={} reason={}", policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(), after.getStatus(), after.getReason());
  }

  private static Optional<Condition> ready(PolicyStatus status) {
    return status.getConditions() == null ? Optional.empty() : status.getConditions().stream()
        .filter(c -> ConditionTypes.READY.equals(c.getType())).findFirst();
  }

  private static UpdateControl<PostgresConnectionPolicy> statusUpdate(
      PostgresConnectionPolicy policy, PolicyStatus previous, PolicyStatus status) {
    if (status.equals(previous)) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(withStatus(policy, status));
  }

  /** A fresh object carrying only identity and status: what server-side apply of status wants. */
  private static PostgresConnectionPolicy withStatus(PostgresConnectionPolicy policy,
      PolicyStatus status) {
    PostgresConnectionPolicy fresh = new PostgresConnectionPolicy();
    fresh.setMetadata(new ObjectMetaBuilder().withName(policy.getMetadata().getName())
        .withNamespace(policy.getMetadata().getNamespace()).build());
    fresh.setStatus(status);
    return fresh;
  }

  private Optional<Secret> read(String namespace, String name) {
    return readFresh(new SecretId(namespace, name));
  }

  private Optional<Secret> readFresh(SecretId id) {
    return Optional.ofNullable(client.secrets().inNamespace(id.namespace()).withName(id.name()).get());
  }

  private static boolean ownedBy(Secret secret, PostgresConnectionPolicy policy) {
    return secret.getMetadata().getOwnerReferences() != null && secret.getMetadata()
        .getOwnerReferences().stream()
        .anyMatch(o -> Objects.equals(o.getUid(), policy.getMetadata().getUid()));
  }

  private static boolean holdsExactly(Secret secret, RenderedContent content) {
    Set<String> keys = secret.getData() == null ? Set.of() : secret.getData().keySet();
    return keys.equals(content.data().keySet()) && ManagedSecrets.holds(secret, content.data());
  }

  private static String hashOf(Secret secret) {
    var content = new java.util.TreeMap<String, String>();
    if (secret.getData() != null) {
      secret.getData().keySet().forEach(k -> content.put(k, ManagedSecrets.value(secret, k).orElse("")));
    }
    return ContentHash.of(content);
  }

  /**
   * Sizes this policy's pool together with every policy on the same server, and wakes those
   * whose share moves. Pods count at their HPA's maximum, so autoscaling changes nothing.
   */
  private PoolDecision size(PostgresConnectionPolicy policy, PolicyView view,
      ConnectionString target, ProbeResult probed, List<Workload> found) {
    Map<WorkloadKey, Integer> hpaMax = found.isEmpty() ? Map.of() : scalers.maxReplicas(view.namespace());
    var consumers = found.stream().map(w -> w.asConsumer(hpaMax.get(w.key()))).toList();
    var pool = view.spec().getPool();
    var auto = pool.autoOrDefault();
    PoolSizing sizing = pool.getConnectionLimit() != null
        ? new PoolSizing.Fixed(pool.getConnectionLimit())
        : new PoolSizing.Auto(auto.getMin(), Math.max(auto.getMin(), auto.getMax()), auto.getWeight());
    HostPort endpoint = target.hosts().isEmpty() ? new HostPort("localhost", null) : target.hosts().get(0);
    PolicyStatus previous = policy.getStatus();
    Integer previousLimit = previous == null || previous.getPool() == null ? null
        : previous.getPool().getConnectionLimit();
    BudgetPolicy input = new BudgetPolicy(view.namespace() + "/" + view.name(),
        new ServerKey(endpoint.host().isEmpty() ? "localhost" : endpoint.host(),
            endpoint.portOrDefault()),
        target.user(), target.database(), auto.getReserve(), sizing, consumers,
        probed != null && probed.ok() ? limits(probed.facts()) : null, previousLimit);
    ServerBudgets.Usage seen = probed != null && probed.ok()
        ? new ServerBudgets.Usage(probed.facts().connectionsByApplication()) : null;
    ServerBudgets.Allocation allocation = budgets.put(input, view.applicationName(), seen);
    peers.wake(allocation.peersToWake());
    return allocation.decision();
  }

  private static ServerLimits limits(ServerFacts facts) {
    return new ServerLimits(facts.maxConnections(), facts.reservedTotal(),
        facts.roleConnectionLimit(), facts.databaseConnectionLimit());
  }

  private static ServerStatus server(ServerFacts facts) {
    ServerStatus server = new ServerStatus();
    server.setVersion(facts.version());
    server.setMaxConnections(facts.maxConnections());
    server.setReservedConnections(facts.reservedTotal());
    server.setRoleConnectionLimit(facts.roleConnectionLimit());
    server.setDatabaseConnectionLimit(facts.databaseConnectionLimit());
    server.setInUse(facts.inUse());
    server.setUsage((facts.inUse() == null ? "?" : facts.inUse()) + "/" + facts.maxConnections());
    return server;
  }

  private static io.pgconn.operator.api.PoolStatus poolStatus(PoolDecision decision) {
    var pool = new io.pgconn.operator.api.PoolStatus();
    pool.setConnectionLimit(decision.connectionLimit());
    pool.setConsumers(decision.consumers());
    pool.setBudget(decision.budget());
    pool.setExplanation(decision.explanation());
    return pool;
  }

  private SecretStatus secretStatus(PolicyView view, RenderedContent content, boolean changed,
      PolicyStatus previous) {
    SecretStatus before = previous.getSecret();
    boolean same = !changed && before != null && content.hash().equals(before.getContentHash())
        && view.targetSecretName().equals(before.getName());
    String updatedAt = same ? before.getUpdatedAt() : clock.instant().toString();
    return new SecretStatus(view.targetSecretName(), content.hash(), updatedAt);
  }

  private static ProbeStatus probeStatus(ProbeResult result) {
    return new ProbeStatus(result.time().toString(), result.latencyMs(), result.result(),
        result.message());
  }

  private static String previousRestart(PolicyStatus previous, io.pgconn.operator.api.WorkloadKind kind,
      String name) {
    return previous.getWorkloads() == null ? null : previous.getWorkloads().stream()
        .filter(w -> w.getKind() == kind && name.equals(w.getName()))
        .map(WorkloadStatus::getRestartedAt).filter(Objects::nonNull).findFirst().orElse(null);
  }

  private static PolicyStatus copyOf(PolicyStatus previous) {
    PolicyStatus copy = new PolicyStatus();
    copy.setObservedGeneration(previous.getObservedGeneration());
    copy.setConditions(previous.getConditions());
    copy.setServer(previous.getServer());
    copy.setPool(previous.getPool());
    copy.setSecret(previous.getSecret());
    copy.setWorkloads(previous.getWorkloads());
    copy.setLastProbe(previous.getLastProbe());
    copy.setWarnings(previous.getWarnings());
    copy.setChecks(previous.getChecks());
    return copy;
  }
}
