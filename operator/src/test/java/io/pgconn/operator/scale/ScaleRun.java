package io.pgconn.operator.scale;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PoolStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SourceSpec;
import io.pgconn.operator.reconciler.ManagedSecrets;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.ServiceAccounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * N policies on one server (or spread over several), as a platform team with many small services
 * has them: each policy its own source Secret (one role, reserve 0, TLS off, no workloads), all in
 * one namespace that the operator watches. The operator runs as a ServiceAccount, so the API
 * server's audit log (every request made with a ServiceAccount token) tells its requests from the
 * test's. Measures what issue 15 asks: the raw-write floor, time to all Ready, requests by verb,
 * writes at rest, probe logins, a restart's writes, the size of /prometheus.
 */
final class ScaleRun implements AutoCloseable {

  static final String NS = "scale";
  static final String FLOOR_NS = "scale-floor";

  /** Where the scripted stand-in's rounds run (one namespace each): not watched by the operator. */
  static final String SCRIPTED_NS = "scale-scripted";

  /** Where this JVM's client warms up: a namespace the operator does not watch. */
  static final String WARM_NS = "scale-warm-up";

  /** Where half of the unrelated Secrets live: a namespace the operator does not watch. */
  static final String OTHER_NS = "scale-other";

  static final String SA_NS = "pgconn-system";
  static final String SA = "pgconn-operator";
  static final String SA_USER = "system:serviceaccount:" + SA_NS + ":" + SA;
  static final String ROLE = "svc";
  static final String PASSWORD = "canary-scale-7b2e";

  private final KubernetesClient admin;
  private final ClusterFixtures k8s;
  private final LocalPostgres postgres;

  /**
   * Every server policies are spread over (policy i on server i mod size); the first is postgres.
   */
  private final List<LocalPostgres> servers;

  private final AuditLog audit;
  private final Operators operators;
  private final Path kubeconfig;
  private final String probeInterval;
  private final ScaleOptions options;
  private int poolMax = AutoPoolSpec.DEFAULT_MAX;
  private OperatorApp operator;
  private OperatorProcess process;
  private int processes;

  /** What the operator's process measured at each checkpoint, in order (process mode only). */
  private final List<String> notes = new java.util.ArrayList<>();

  ScaleRun(
      KubernetesClient admin,
      LocalPostgres postgres,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts,
      String probeInterval) {
    this(admin, postgres, audit, operators, accounts, probeInterval, ScaleOptions.inTestJvm());
  }

  ScaleRun(
      KubernetesClient admin,
      LocalPostgres postgres,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts,
      String probeInterval,
      ScaleOptions options) {
    this(admin, List.of(postgres), audit, operators, accounts, probeInterval, options);
  }

  /** Policy i on servers.get(i % servers.size()): thousands of policies over several servers. */
  ScaleRun(
      KubernetesClient admin,
      List<LocalPostgres> servers,
      AuditLog audit,
      Operators operators,
      ServiceAccounts accounts,
      String probeInterval,
      ScaleOptions options) {
    this.options = options;
    this.servers = List.copyOf(servers);
    LocalPostgres postgres = this.servers.get(0);
    this.probeInterval = probeInterval;
    this.admin = admin;
    this.k8s = new ClusterFixtures(admin);
    this.postgres = postgres;
    this.audit = audit;
    this.operators = operators;
    for (LocalPostgres server : this.servers) server.createRole(ROLE, PASSWORD, null);
    k8s.namespace(NS);
    k8s.namespace(FLOOR_NS);
    k8s.namespace(WARM_NS);
    k8s.namespace(OTHER_NS);
    k8s.namespace(SA_NS);
    admin
        .serviceAccounts()
        .inNamespace(SA_NS)
        .resource(new ServiceAccountBuilder().withNewMetadata().withName(SA).endMetadata().build())
        .serverSideApply();
    // The chart's RBAC is judged elsewhere (HelmChartIT, the real node); here only who asked.
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("scale-operator")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(SA)
                .withNamespace(SA_NS)
                .endSubject()
                .build())
        .serverSideApply();
    this.kubeconfig = accounts.tokenKubeconfig(SA_NS, SA);
  }

  /**
   * Warms this JVM's client before anything is timed. The harness stands in for kubectl, but it is
   * compiled as it runs: measured cold, its C2 compiler made 92 compilations (24 s of compiler
   * threads' time, JFR) inside the convergence window, on the two cores the operator and the API
   * server need, and the floor before that ran on a cold client too. So it first makes, n times
   * each and in a namespace the operator does not watch, the requests it later times: creates of
   * sources and policies, status patches, server-side applies, and a watch of the policies.
   */
  void warmUp(int n) {
    AtomicInteger seen = new AtomicInteger();
    PatchContext apply = serverSideApply("scale-warm-up");
    try (var watch =
        informPolicies(
            WARM_NS,
            p -> {
              if (!ready(p)) seen.incrementAndGet();
            },
            p -> {})) {
      for (int i = 0; i < n; i++) {
        source(WARM_NS, i);
        k8s.create(policy(WARM_NS, i));
        admin
            .resource(statusOnly(WARM_NS, name(i), generationOnly()))
            .subresource("status")
            .patch(apply);
      }
      Awaitility.await("the warm-up's " + 2 * n + " policy events")
          .atMost(Duration.ofMinutes(2))
          .until(() -> seen.get() >= 2 * n);
    }
  }

  /** The namespace of a floor's round: the first is FLOOR_NS, the others made as needed. */
  private String floorNamespace(int round) {
    if (round == 0) return FLOOR_NS;
    String ns = FLOOR_NS + "-" + round;
    if (admin.namespaces().withName(ns).get() == null) k8s.namespace(ns);
    return ns;
  }

  /**
   * The floor: a plain client, one request at a time, creating n Secrets and patching the status of
   * n policies, the writes the operator cannot avoid (one target Secret and one status patch per
   * policy). In a namespace the operator does not watch, one per round, so that no round's writes
   * find the previous round's content already there. In ms.
   */
  long rawWriteFloorMillis(int n, int round) {
    String ns = floorNamespace(round);
    sizePoolsFor(n);
    for (int i = 0; i < n; i++) k8s.create(policy(ns, i));
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      admin
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("floor-" + i)
                  .endMetadata()
                  .withStringData(Map.of("DATABASE_URL", url()))
                  .build())
          .create();
      admin.resource(statusOnly(ns, name(i), generationOnly())).subresource("status").patch();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * What the operator wrote for one policy: its target, its status and its first event (or null).
   */
  record Written(
      io.fabric8.kubernetes.api.model.Secret target,
      PolicyStatus status,
      io.fabric8.kubernetes.api.model.Event event) {}

  /**
   * What the operator wrote for each policy with a target, by policy name in list order: read once
   * it has converged and is quiet, for {@link #sameWritesFloorMillis} and {@link
   * #scriptedConvergenceMillis} to copy.
   */
  Map<String, Written> operatorWrites() {
    Map<String, io.fabric8.kubernetes.api.model.Secret> targets =
        admin
            .secrets()
            .inNamespace(NS)
            .withLabel(ManagedSecrets.MANAGED_BY_LABEL)
            .list()
            .getItems()
            .stream()
            .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s));
    Map<String, io.fabric8.kubernetes.api.model.Event> eventOf = new java.util.HashMap<>();
    for (var event : admin.v1().events().inNamespace(NS).list().getItems()) {
      eventOf.putIfAbsent(event.getInvolvedObject().getName(), event);
    }
    Map<String, Written> written = new java.util.LinkedHashMap<>();
    for (var policy :
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems()) {
      var status = policy.getStatus();
      if (status == null || status.getSecret() == null) continue;
      var target = targets.get(status.getSecret().getName());
      if (target == null) continue;
      String name = policy.getMetadata().getName();
      written.put(name, new Written(target, status, eventOf.get(name)));
    }
    note(
        "the operator's writes to copy: "
            + written.size()
            + " targets and statuses, "
            + written.values().stream().filter(w -> w.event() != null).count()
            + " events");
    return written;
  }

  /**
   * The floor with the operator's own content: the n target Secrets (their data, type, labels and
   * annotations as the operator wrote them) and the n statuses it wrote, server-side applied by one
   * client, one request at a time, in the floor namespace. Goal 3 of issue 15 defines the floor as
   * the writes the operator must make; {@link #rawWriteFloorMillis} makes as many, but each is a
   * one-key Secret or a one-field status, and the API server's cost of a status patch grows with
   * the status (about 15 ms of its CPU for the 3 KB status a Ready policy carries, against 5 ms for
   * a Secret's). Left out: the owner reference, which cannot point across namespaces. Run once the
   * operator has converged and is quiet, since it copies what the operator wrote ({@link
   * #operatorWrites}); into the round's floor namespace, where {@link #rawWriteFloorMillis} made
   * the policies. In ms.
   */
  long sameWritesFloorMillis(int round, Map<String, Written> written) {
    String ns = floorNamespace(round);
    PatchContext apply = serverSideApply("scale-floor");
    long t0 = System.nanoTime();
    for (var entry : written.entrySet()) {
      admin
          .secrets()
          .inNamespace(ns)
          .resource(copyInto(ns, entry.getValue().target()))
          .patch(apply);
      admin
          .resource(statusOnly(ns, entry.getKey(), entry.getValue().status()))
          .subresource("status")
          .patch(apply);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * The operator's writes made by a plain client in step with an apply: a bound on convergence for
   * any operator that makes them, on this machine, in this minute. A second client, warm and with
   * as many threads as the chart gives the operator's reconciles, watches what the operator watches
   * (the policies, the labelled sources and the targets) in a namespace the operator does not
   * watch. For each policy the apply creates it makes the operator's four requests with what the
   * operator wrote for that policy: the read of the target (not there yet), the target's
   * server-side apply, the status's, and the event. Its clock is the convergence's: from the first
   * apply until the harness's watch has seen every policy Ready. What it leaves out is the
   * operator's own thinking (the budget, the connection strings, its cache) and its warm-up, so the
   * convergence divided by this is what the operator's own CPU costs on a machine whose cores it
   * shares. Run once the operator has converged and is quiet, since it copies what the operator
   * wrote ({@link #operatorWrites}). In ms.
   */
  long scriptedConvergenceMillis(int n, int round, Map<String, Written> written, Duration atMost) {
    String ns = SCRIPTED_NS + "-" + round;
    k8s.namespace(ns);
    int threads;
    try {
      threads = Integer.parseInt(OperatorProcess.chartValue("reconcileThreads"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var writers = java.util.concurrent.Executors.newFixedThreadPool(threads);
    AtomicInteger failures = new AtomicInteger();
    PatchContext apply = serverSideApply("scale-scripted");
    Map<String, Boolean> readiness = new java.util.concurrent.ConcurrentHashMap<>();
    try (KubernetesClient standIn =
            new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(admin.getConfiguration())
                .build();
        var sources =
            standIn.secrets().inNamespace(ns).withLabel(SourceSpec.WATCH_LABEL, "true").inform();
        var owned =
            standIn.secrets().inNamespace(ns).withLabel(ManagedSecrets.MANAGED_BY_LABEL).inform();
        var policies =
            standIn
                .resources(PostgresConnectionPolicy.class)
                .inNamespace(ns)
                .inform(
                    new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                      @Override
                      public void onAdd(PostgresConnectionPolicy p) {
                        writers.execute(
                            () -> {
                              try {
                                writeAsOperator(
                                    standIn, apply, p, written.get(p.getMetadata().getName()));
                              } catch (RuntimeException e) {
                                if (failures.getAndIncrement() == 0) {
                                  note("scripted stand-in: " + e);
                                }
                              }
                            });
                      }

                      @Override
                      public void onUpdate(
                          PostgresConnectionPolicy old, PostgresConnectionPolicy p) {}

                      @Override
                      public void onDelete(PostgresConnectionPolicy p, boolean unknown) {}
                    });
        var watch =
            informPolicies(
                ns,
                p -> readiness.put(p.getMetadata().getName(), ready(p)),
                p -> readiness.remove(p.getMetadata().getName()))) {
      return applyAndAwait(
          ns,
          "scripted stand-in: ",
          n,
          atMost,
          () -> (int) readiness.values().stream().filter(b -> b).count());
    } finally {
      writers.shutdownNow();
      if (failures.get() > 0) note("scripted stand-in: " + failures.get() + " policies failed");
    }
  }

  /**
   * A target Secret as the operator wrote it (data, type, labels, annotations), in namespace ns.
   * Left out: the owner reference, which cannot point across namespaces.
   */
  private static io.fabric8.kubernetes.api.model.Secret copyInto(
      String ns, io.fabric8.kubernetes.api.model.Secret target) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(target.getMetadata().getName())
        .withNamespace(ns)
        .withLabels(target.getMetadata().getLabels())
        .withAnnotations(target.getMetadata().getAnnotations())
        .endMetadata()
        .withType(target.getType())
        .withData(target.getData())
        .build();
  }

  /** The operator's four requests for one new policy, with what it wrote for that policy. */
  private static void writeAsOperator(
      KubernetesClient client,
      PatchContext apply,
      PostgresConnectionPolicy policy,
      Written written) {
    String name = policy.getMetadata().getName();
    String ns = policy.getMetadata().getNamespace();
    var target = written.target();
    client.secrets().inNamespace(ns).withName(target.getMetadata().getName()).get();
    client.secrets().inNamespace(ns).resource(copyInto(ns, target)).patch(apply);
    client.resource(statusOnly(ns, name, written.status())).subresource("status").patch(apply);
    var event = written.event();
    if (event == null) return;
    client
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.EventBuilder(event)
                .withNewMetadata()
                .withNamespace(ns)
                .withName(name + "." + Long.toHexString(System.nanoTime()))
                .endMetadata()
                .editInvolvedObject()
                .withNamespace(ns)
                .withUid(policy.getMetadata().getUid())
                .withResourceVersion(policy.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .build())
        .create();
  }

  ScaleOptions options() {
    return options;
  }

  /**
   * Starts the operator: in this JVM, or (process mode) as its own JVM in a memory cgroup, as the
   * chart runs it with leader election, waiting until it is Ready and holds the Lease.
   */
  void startOperator() {
    if (!options.process()) {
      operator = operators.startAs(kubeconfig, Map.of("pgconn.namespaces", NS));
      return;
    }
    String identity = "scale-operator-" + processes++;
    process =
        OperatorProcess.start(
            "pgconn-" + identity,
            options.memoryLimitBytes(),
            Map.of(
                "PGCONN_KUBECONFIG", kubeconfig.toString(),
                "PGCONN_NAMESPACES", NS,
                "PGCONN_LEASE_NAMESPACE", SA_NS,
                "PGCONN_IDENTITY", identity));
    long[] readyLeader = {-1, -1};
    try {
      Awaitility.await(identity + " Ready and leader")
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.alive()) {
                  throw new IllegalStateException(
                      identity + " exited with " + process.exitValue() + ": " + logTail());
                }
                if (readyLeader[0] < 0 && process.ready()) readyLeader[0] = process.elapsedMillis();
                if (readyLeader[1] < 0 && identity.equals(leaseHolder())) {
                  readyLeader[1] = process.elapsedMillis();
                }
                return readyLeader[0] >= 0 && readyLeader[1] >= 0;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(identity + " not Ready and leader: " + logTail(), e);
    }
    Jcmd jcmd = new Jcmd(process.pid());
    note(
        identity
            + " started ("
            + process.cgroup().describe()
            + ", limit "
            + options.memoryLimitBytes() / (1024 * 1024)
            + " MiB, JAVA_TOOL_OPTIONS \""
            + process.javaToolOptions()
            + "\", image flags "
            + imageFlags()
            + ", MaxHeapSize "
            + jcmd.maxHeapBytes() / (1024 * 1024)
            + " MiB): /health/readiness 200 after "
            + readyLeader[0]
            + " ms, Lease held after "
            + readyLeader[1]
            + " ms");
  }

  private static String imageFlags() {
    try {
      return String.join(" ", OperatorProcess.imageJvmFlags())
          + ", image environment "
          + OperatorProcess.imageEnvironment();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String leaseHolder() {
    var lease = admin.leases().inNamespace(SA_NS).withName("pgconn-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private String logTail() {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(process.log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }

  void stopOperator() {
    if (process != null) {
      try {
        process.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      process = null;
      return;
    }
    operator.close();
    operator = null;
  }

  private void note(String line) {
    notes.add(line);
    System.err.println("scale: " + line);
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * Process mode: the operator's memory now, as its container would see it (the cgroup's charge,
   * page cache included, and its peak), the JVM's RSS and its peak, whether the kernel killed
   * anything, whether it stayed Ready; with {@code fullGc}, the heap and metaspace after a full
   * collection and the classes that fill the heap. Nothing in this JVM's own mode.
   */
  void memoryCheckpoint(String label, boolean fullGc, int histogramRows) {
    if (process == null) return;
    MemoryCgroup cg = process.cgroup();
    long[] rss = process.alive() ? process.rssKib() : new long[] {0, 0};
    StringBuilder line =
        new StringBuilder(label)
            .append(": cgroup ")
            .append(mib(cg.current()))
            .append(" MiB (anon ")
            .append(mib(cg.anon()))
            .append(", page cache ")
            .append(mib(cg.pageCache()))
            .append("), peak ")
            .append(cg.peak().map(p -> mib(p) + " MiB").orElse("n/a"))
            .append("; VmRSS ")
            .append(Jcmd.mib(rss[0]))
            .append(" MiB, VmHWM ")
            .append(Jcmd.mib(rss[1]))
            .append(" MiB; limit hits ")
            .append(cg.limitHits())
            .append(", OOM kills ")
            .append(cg.oomKills())
            .append("; ")
            .append(process.alive() ? "alive" : "EXITED " + process.exitValue())
            .append(", not Ready ")
            .append(process.notReadyAfterReady())
            .append(" of ")
            .append(process.readinessChecks())
            .append(" readiness checks since the first 200");
    if (fullGc && process.alive()) {
      Jcmd jcmd = new Jcmd(process.pid());
      line.append("; after a full GC: ").append(jcmd.heapAfterFullGc().describe());
      if (process.javaToolOptions().contains("NativeMemoryTracking")) {
        line.append("\n      ").append(String.join("\n      ", jcmd.nativeMemory()));
      }
      if (histogramRows > 0) {
        line.append("\n      ").append(String.join("\n      ", jcmd.histogram(histogramRows)));
      }
    }
    note(line.toString());
    if (!process.alive()) {
      throw new IllegalStateException(
          "the operator exited ("
              + process.exitValue()
              + ", OOM kills "
              + cg.oomKills()
              + ") at \""
              + label
              + "\": "
              + logTail());
    }
  }

  /** Stops the operator if it still runs (a failed run leaves no process or cgroup behind). */
  @Override
  public void close() {
    if (process != null || operator != null) stopOperator();
  }

  private static long mib(long bytes) {
    return Math.round(bytes / (1024.0 * 1024.0));
  }

  /**
   * Secrets the operator has no business with, half in its namespace and half in another, created
   * before it starts (issue 15: its memory must not grow with them). About 1 KiB each, as small
   * application Secrets are. In ms.
   */
  long createUnrelatedSecrets(int count) {
    String value = "x".repeat(1024);
    long t0 = System.nanoTime();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        String ns = i % 2 == 0 ? NS : OTHER_NS;
        String name = "unrelated-" + i;
        done.add(
            pool.submit(
                () ->
                    admin
                        .secrets()
                        .inNamespace(ns)
                        .resource(
                            new SecretBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .withStringData(Map.of("token", value))
                                .build())
                        .create()));
      }
      for (var f : done) f.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * Rotation latency (issue 15, goal 6): for {@code samples} policies spread over the n, one at a
   * time, the source Secret is pointed at new credentials (a role of its own with a new password,
   * as a dynamic-credentials issuer rotates them), and the time from that write until a watch on
   * the target sees the new password is recorded. In ms, in the order taken; -1 for a target not
   * updated within 30 s. Before the next sample the operator's writes for this one must have
   * stopped (2 s without a write, at most 60 s), so each sample starts from an operator at rest.
   */
  List<Long> rotate(int n, int samples) {
    List<Long> latencies = new java.util.ArrayList<>();
    for (int k = 0; k < samples; k++) {
      serverOf((int) ((long) k * n / samples)).createRole("rot_" + k, rotatedPassword(k), null);
    }
    for (int k = 0; k < samples; k++) {
      int i = (int) ((long) k * n / samples);
      String password = rotatedPassword(k);
      java.util.concurrent.CompletableFuture<Long> seen =
          new java.util.concurrent.CompletableFuture<>();
      try (var w =
          admin
              .secrets()
              .inNamespace(NS)
              .withName(name(i) + "-connection")
              .watch(
                  new io.fabric8.kubernetes.client.Watcher<
                      io.fabric8.kubernetes.api.model.Secret>() {
                    @Override
                    public void eventReceived(
                        Action action, io.fabric8.kubernetes.api.model.Secret secret) {
                      String url =
                          secret.getData() == null ? null : secret.getData().get("DATABASE_URL");
                      if (url != null
                          && new String(
                                  java.util.Base64.getDecoder().decode(url),
                                  java.nio.charset.StandardCharsets.UTF_8)
                              .contains(password)) {
                        seen.complete(System.nanoTime());
                      }
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
                  })) {
        long t0 = System.nanoTime();
        k8s.replaceSecret(
            NS,
            "src-" + i,
            Map.of("DATABASE_URL", serverOf(i).url("rot_" + k, password, "postgres")));
        try {
          long t1 = seen.get(30, java.util.concurrent.TimeUnit.SECONDS);
          latencies.add((t1 - t0) / 1_000_000);
        } catch (java.util.concurrent.TimeoutException e) {
          note("rotation of " + name(i) + " not seen on its target within 30 s");
          latencies.add(-1L);
        }
      } catch (Exception e) {
        throw new IllegalStateException("rotation of " + name(i) + " failed", e);
      }
      try {
        writesUntilQuiet(Duration.ofSeconds(2), Duration.ofSeconds(60));
      } catch (ConditionTimeoutException e) {
        note("the operator still wrote 60 s after the rotation of " + name(i));
      }
    }
    return latencies;
  }

  private static String rotatedPassword(int k) {
    return PASSWORD + "-rotated-" + k;
  }

  /** The first index of the policies {@link #warmOperator} applies and deletes. */
  private static final int WARM_OPERATOR_FIRST = 1_000_000;

  /**
   * Applies count policies (and their sources) in the operator's namespace, waits until they are
   * Ready, deletes them and waits until the operator is quiet: the operator's code is then compiled
   * before the timed apply. A diagnostic (-Dscale.operatorWarmUp), not the benchmark's figure.
   */
  void warmOperator(int count, int n, Duration atMost) {
    sizePoolsFor(n);
    java.util.Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (var watch =
        informPolicies(
            NS,
            p -> {
              if (ready(p)) ready.add(p.getMetadata().getName());
            },
            p -> {})) {
      for (int i = WARM_OPERATOR_FIRST; i < WARM_OPERATOR_FIRST + count; i++) {
        source(NS, i);
        k8s.create(policy(NS, i));
      }
      Awaitility.await("the operator's " + count + " warm-up policies Ready")
          .atMost(atMost)
          .until(() -> ready.size() >= count);
    }
    for (int i = WARM_OPERATOR_FIRST; i < WARM_OPERATOR_FIRST + count; i++) {
      admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).withName(name(i)).delete();
      admin.secrets().inNamespace(NS).withName("src-" + i).delete();
    }
    Awaitility.await("the operator's warm-up policies gone")
        .atMost(atMost)
        .until(
            () ->
                admin
                    .resources(PostgresConnectionPolicy.class)
                    .inNamespace(NS)
                    .list()
                    .getItems()
                    .isEmpty());
    writesUntilQuiet(Duration.ofSeconds(5), atMost);
    note("operator warmed up: " + count + " policies applied, Ready and deleted");
  }

  /**
   * Applies n source Secrets and n policies; returns ms from the first apply to all Ready. Ready is
   * counted from a watch on the policies, as {@code kubectl wait} does, not by listing them: a list
   * of every policy twice a second loaded the API server the operator writes to (at 1,000 policies,
   * some 2.5 MB of JSON per list), and told the end only to within a poll. The count is noted every
   * 5 s up to 2,000 policies, every minute beyond, and a timeout says how many were Ready.
   */
  long applyAndAwaitReady(int n, Duration atMost) {
    sizePoolsFor(n);
    Map<String, Boolean> readiness = new java.util.concurrent.ConcurrentHashMap<>();
    try (var watch =
        informPolicies(
            NS,
            p -> readiness.put(p.getMetadata().getName(), ready(p)),
            p -> readiness.remove(p.getMetadata().getName()))) {
      return applyAndAwait(
          NS, "", n, atMost, () -> (int) readiness.values().stream().filter(b -> b).count());
    }
  }

  /** Applies n sources and policies in namespace; notes are prefixed with label. */
  private long applyAndAwait(
      String namespace,
      String label,
      int n,
      Duration atMost,
      java.util.function.IntSupplier readyCount) {
    CpuSample cpu0 = CpuSample.now(process);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      source(namespace, i);
      k8s.create(policy(namespace, i));
    }
    note(
        label
            + "apply of "
            + 2 * n
            + " objects (sources and policies, one client) done "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms after it began, "
            + readyCount.getAsInt()
            + " Ready then");
    long noteEvery = n <= 2_000 ? 5_000_000_000L : 60_000_000_000L;
    AtomicInteger lastReady = new AtomicInteger();
    AtomicLong lastNote = new AtomicLong(t0);
    try {
      Awaitility.await("all " + n + " policies Ready")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                int ready = readyCount.getAsInt();
                lastReady.set(ready);
                long now = System.nanoTime();
                if (now - lastNote.get() >= noteEvery) {
                  lastNote.set(now);
                  note(
                      label
                          + ready
                          + " of "
                          + n
                          + " Ready "
                          + (now - t0) / 1_000_000_000
                          + " s after the apply began");
                }
                return ready == n;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          lastReady.get()
              + " of "
              + n
              + " policies Ready "
              + atMost.toMinutes()
              + " min after the apply began; not Ready, by reason: "
              + whyNotReady(),
          e);
    }
    long elapsed = (System.nanoTime() - t0) / 1_000_000;
    CpuSample cpu1 = CpuSample.now(process);
    note(
        String.format(
            "%sCPU while converging (%d ms): the machine %.0f%% busy of %d cores, this JVM (the"
                + " harness) %.1f s, the operator's process %s",
            label,
            elapsed,
            100.0
                * (cpu1.machineBusy() - cpu0.machineBusy())
                / Math.max(1, cpu1.machineTotal() - cpu0.machineTotal()),
            Runtime.getRuntime().availableProcessors(),
            (cpu1.harness() - cpu0.harness()) / 100.0,
            cpu1.operator() < 0
                ? "n/a (in this JVM)"
                : String.format(
                    "%.1f s, %d threads started",
                    (cpu1.operator() - cpu0.operator()) / 100.0,
                    cpu1.threadsStarted() - cpu0.threadsStarted())));
    return elapsed;
  }

  /**
   * Clock ticks (1/100 s) from /proc: the machine's busy and total time over all cores, and the
   * operator process's user and system time (-1 when it runs in this JVM); then the threads the
   * operator's JVM has started (a thread per request costs CPU that no thread's own time shows once
   * it has ended; -1 in this JVM); then this JVM's own time (the harness's client, its watches and,
   * in a scripted round, the stand-in).
   */
  private record CpuSample(
      long machineBusy, long machineTotal, long operator, long threadsStarted, long harness) {

    static CpuSample now(OperatorProcess process) {
      try {
        String[] all =
            java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < all.length; i++) total += Long.parseLong(all[i]);
        long idle = Long.parseLong(all[4]) + Long.parseLong(all[5]);
        long operatorTicks = -1;
        long threads = -1;
        if (process != null && process.alive()) {
          threads = new Jcmd(process.pid()).threadsStarted();
          operatorTicks = ProcessCpu.ticks(process.pid());
        }
        return new CpuSample(
            total - idle,
            total,
            operatorTicks,
            threads,
            ProcessCpu.ticks(ProcessHandle.current().pid()));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** Source i, labelled pgconn.io/source-secret=true unless the options say otherwise. */
  private void source(String namespace, int i) {
    Map<String, String> labels =
        options.labelSources() ? Map.of(SourceSpec.WATCH_LABEL, "true") : Map.of();
    admin
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("src-" + i)
                .withNamespace(namespace)
                .withLabels(labels)
                .endMetadata()
                .withStringData(Map.of("DATABASE_URL", url(i)))
                .build())
        .createOr(r -> r.update());
  }

  /** Σ consumers × limit over the policies, which must stay within the server's budget. */
  int allotted() {
    return pools().mapToInt(p -> p.getConsumers() * p.getConnectionLimit()).sum();
  }

  int minLimit() {
    return pools().mapToInt(PoolStatus::getConnectionLimit).min().orElse(0);
  }

  /** Each policy's per-pod limit as its status says, by name. */
  Map<String, Integer> limits() {
    Map<String, Integer> limits = new TreeMap<>();
    admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getPool() != null)
        .forEach(
            p ->
                limits.put(
                    p.getMetadata().getName(), p.getStatus().getPool().getConnectionLimit()));
    return limits;
  }

  private java.util.stream.Stream<PoolStatus> pools() {
    return admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .stream()
        .map(PostgresConnectionPolicy::getStatus)
        .filter(s -> s != null && s.getPool() != null)
        .map(PolicyStatus::getPool);
  }

  /** A mark in the audit log: requests after it are counted by {@link #since}. */
  int mark() {
    return operatorRequests().size();
  }

  /** The operator's requests since the mark, counted by what they were. */
  Map<String, Long> since(int mark, Predicate<AuditLog.Request> which) {
    List<AuditLog.Request> all = operatorRequests();
    return all.subList(Math.min(mark, all.size()), all.size()).stream()
        .filter(which)
        .collect(Collectors.groupingBy(ScaleRun::describe, TreeMap::new, Collectors.counting()));
  }

  /**
   * The watches on Secrets the operator opened since the mark (each counted once, at its start), by
   * selector: the labelled sources of a namespace, one source by name, its own targets.
   */
  Map<String, Long> secretWatchesSince(int mark) {
    List<AuditLog.Request> all = operatorRequests();
    return all.subList(Math.min(mark, all.size()), all.size()).stream()
        .filter(r -> r.watchOpened() && r.resource().equals("secrets"))
        .collect(
            Collectors.groupingBy(
                r ->
                    r.uri().contains("source-secret")
                        ? "labelled sources (per namespace)"
                        : r.uri().contains("fieldSelector")
                            ? "one source by name"
                            : "other (targets)",
                TreeMap::new,
                Collectors.counting()));
  }

  /** pgconn_referenced_secret_watches by kind, as /prometheus shows it now. */
  Map<String, Long> referencedSecretWatchGauges() {
    Map<String, Long> byKind = new TreeMap<>();
    for (String line : prometheus().lines().toList()) {
      if (!line.startsWith("pgconn_referenced_secret_watches{")) continue;
      byKind.put(
          line.replaceAll(".*kind=\"([a-z]+)\".*", "$1"),
          (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
    return byKind;
  }

  /**
   * A write of the operator's, other than its Lease: leader election (on in process mode, as the
   * chart runs it) renews the Lease every few seconds by design; {@link #leaseWrite} counts those.
   */
  static boolean write(AuditLog.Request r) {
    // A refused create (409: a hash key the cache had not seen yet) wrote nothing.
    return !r.resource().equals("leases") && anyWrite(r) && r.code() != 409;
  }

  static boolean leaseWrite(AuditLog.Request r) {
    return r.resource().equals("leases") && anyWrite(r);
  }

  private static boolean anyWrite(AuditLog.Request r) {
    return switch (r.verb()) {
      case "create", "update", "patch", "delete", "deletecollection" -> true;
      default -> false;
    };
  }

  /** Waits until the operator made no write for {@code quiet}; the writes until then, by kind. */
  Map<String, Long> writesUntilQuiet(Duration quiet, Duration atMost) {
    int mark = mark();
    int[] last = {-1};
    Awaitility.await("the operator quiet for " + quiet)
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              int now =
                  (int) since(mark, ScaleRun::write).values().stream().mapToLong(l -> l).sum();
              boolean same = now == last[0];
              last[0] = now;
              return same;
            },
            b -> b);
    return since(mark, ScaleRun::write);
  }

  /** Every policy's status as YAML, by name: what a quiet window is compared against. */
  Map<String, String> statuses() {
    return admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .stream()
        .collect(
            Collectors.toMap(
                p -> p.getMetadata().getName(),
                p -> io.fabric8.kubernetes.client.utils.Serialization.asYaml(p.getStatus()),
                (a, b) -> a,
                TreeMap::new));
  }

  /** For up to {@code max} policies whose status changed: the lines that differ. */
  static List<String> changed(Map<String, String> before, Map<String, String> after, int max) {
    return after.entrySet().stream()
        .filter(e -> !e.getValue().equals(before.get(e.getKey())))
        .limit(max)
        .map(
            e -> {
              List<String> was = List.of(String.valueOf(before.get(e.getKey())).split("\n"));
              List<String> is = List.of(e.getValue().split("\n"));
              return e.getKey()
                  + ": -"
                  + was.stream().filter(l -> !is.contains(l)).toList()
                  + " +"
                  + is.stream().filter(l -> !was.contains(l)).toList();
            })
        .toList();
  }

  /** Waits for {@code quiet} while counting the operator's writes (they should stay at none). */
  void awaitQuietFor(Duration quiet) {
    int mark = mark();
    try {
      Awaitility.await("no write for " + quiet)
          .during(quiet)
          .atMost(quiet.plusSeconds(5))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> since(mark, ScaleRun::write).isEmpty());
    } catch (ConditionTimeoutException e) {
      // The caller reports the writes made; a write at rest is its finding, not an error here.
    }
  }

  /** Sessions ever opened to the servers (pg_stat_database.sessions, PostgreSQL 14+). */
  long sessionsOpened() {
    return servers.stream().mapToLong(ScaleRun::sessionsOpened).sum();
  }

  int servers() {
    return servers.size();
  }

  private static long sessionsOpened(LocalPostgres postgres) {
    try (Connection c = postgres.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT sum(sessions) FROM pg_stat_database")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lines of the operator's /prometheus, and of those the pgconn_ ones. */
  int[] prometheusLines() {
    List<String> lines = prometheus().lines().toList();
    return new int[] {
      lines.size(), (int) lines.stream().filter(l -> l.startsWith("pgconn_")).count()
    };
  }

  private String prometheus() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(metricsUrl() + "/prometheus")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String metricsUrl() {
    return process != null ? process.metricsUrl() : operator.metricsUrl();
  }

  /** The events on one policy, oldest first, as "reason: message" (for diagnosis). */
  List<String> eventsOf(int i) {
    return admin.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name(i).equals(e.getInvolvedObject().getName()))
        .sorted(java.util.Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
        .map(e -> e.getCount() + "x " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  private List<AuditLog.Request> operatorRequests() {
    return audit.requests().stream().filter(r -> r.user().equals(SA_USER)).toList();
  }

  private static String describe(AuditLog.Request r) {
    return r.verb() + " " + r.resource() + (r.subresource().isEmpty() ? "" : "/" + r.subresource());
  }

  private String url() {
    return postgres.url(ROLE, PASSWORD, "postgres");
  }

  private String url(int i) {
    return serverOf(i).url(ROLE, PASSWORD, "postgres");
  }

  private LocalPostgres serverOf(int i) {
    return servers.get(i % servers.size());
  }

  private static String name(int i) {
    return "svc-" + i;
  }

  /**
   * Gives every policy an auto.max its server has room for with all of them at it: running policies
   * keep what they hold, so with the default max (50) the first policies to be sized would hold the
   * server and later ones be refused. "A real PostgreSQL with enough slots".
   */
  private void sizePoolsFor(int n) {
    int perServer = (n + servers.size() - 1) / servers.size();
    int slots =
        servers.stream()
            .mapToInt(s -> Integer.parseInt(s.settings().get("max_connections")))
            .min()
            .orElseThrow();
    // Less the reserved slots, the operator's probe connection and a margin for the harness.
    poolMax =
        options.poolMax() > 0
            ? options.poolMax()
            : Math.max(1, Math.min(AutoPoolSpec.DEFAULT_MAX, (slots - 20) / perServer));
  }

  private PostgresConnectionPolicy policy(String namespace, int i) {
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(0);
    auto.setMax(poolMax);
    return Policies.policy(
        namespace,
        name(i),
        "src-" + i,
        spec -> {
          spec.getPool().setAuto(auto);
          spec.getPool().setSslMode("disable");
          spec.getProbe().setInterval(probeInterval);
        });
  }

  /**
   * The unready policies grouped by their Ready condition's reason, with one message of each, so a
   * stalled run says whether its stragglers were refused by design or left undecided.
   */
  private String whyNotReady() {
    Map<String, List<String>> byReason = new TreeMap<>();
    for (PostgresConnectionPolicy p :
        admin.resources(PostgresConnectionPolicy.class).inNamespace(NS).list().getItems()) {
      var readyCondition =
          p.getStatus() == null || p.getStatus().getConditions() == null
              ? null
              : p.getStatus().getConditions().stream()
                  .filter(c -> c.getType().equals("Ready"))
                  .findFirst()
                  .orElse(null);
      if (readyCondition != null && "True".equals(readyCondition.getStatus())) continue;
      String reason = readyCondition == null ? "(no Ready condition)" : readyCondition.getReason();
      String example =
          p.getMetadata().getName()
              + (readyCondition == null ? "" : ": " + readyCondition.getMessage());
      byReason.computeIfAbsent(reason, r -> new java.util.ArrayList<>()).add(example);
    }
    return byReason.entrySet().stream()
        .map(e -> e.getValue().size() + " " + e.getKey() + " (e.g. " + e.getValue().get(0) + ")")
        .collect(Collectors.joining("; "));
  }

  /** A watch of the policies of a namespace: each add or update, and each delete. */
  private io.fabric8.kubernetes.client.informers.SharedIndexInformer<PostgresConnectionPolicy>
      informPolicies(
          String namespace,
          java.util.function.Consumer<PostgresConnectionPolicy> changed,
          java.util.function.Consumer<PostgresConnectionPolicy> deleted) {
    return admin
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(namespace)
        .inform(
            new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
              @Override
              public void onAdd(PostgresConnectionPolicy p) {
                changed.accept(p);
              }

              @Override
              public void onUpdate(PostgresConnectionPolicy old, PostgresConnectionPolicy p) {
                changed.accept(p);
              }

              @Override
              public void onDelete(PostgresConnectionPolicy p, boolean unknown) {
                deleted.accept(p);
              }
            });
  }

  /** Identity and status alone: what the operator applies to a policy's status. */
  private static PostgresConnectionPolicy statusOnly(
      String namespace, String name, PolicyStatus status) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.getMetadata().setName(name);
    policy.getMetadata().setNamespace(namespace);
    policy.setStatus(status);
    return policy;
  }

  /** The least status a floor writes: observedGeneration alone. */
  private static PolicyStatus generationOnly() {
    PolicyStatus status = new PolicyStatus();
    status.setObservedGeneration(1L);
    return status;
  }

  private static PatchContext serverSideApply(String fieldManager) {
    return new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager(fieldManager)
        .withForce(true)
        .build();
  }

  private static boolean ready(PostgresConnectionPolicy p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && "True".equals(c.getStatus()));
  }

  static String table(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(l -> l).sum();
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }
}
