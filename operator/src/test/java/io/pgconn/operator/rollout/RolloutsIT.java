package io.pgconn.operator.rollout;

import static io.pgconn.operator.testenv.ClusterFixtures.annotation;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sequenced restarts end to end, with real controllers: the full control plane (Deployments really
 * roll, pods on kwok nodes), a real PostgreSQL and the real operator application. Each Deployment
 * has 2 replicas and minReadySeconds 2, so a rollout takes a few seconds and an overlap between two
 * of them would show.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.FULL,
    // Room for every policy of the class: they share this one server's budget.
    postgres = 16,
    maxConnections = 300,
    logs = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutsIT {

  static final String CANARY = "Rollout-Canary-Pa55@w0rd/%?";
  static final String USER = "app_user";
  static final String DB = "app";
  static final String NS = "seq";
  static final String POLICY = "app";
  static final String TARGET = "app-connection";
  static final List<String> CONSUMERS = List.of("a-api", "b-worker", "c-web");
  static final String BYSTANDER = "bystander";

  /** The application's URL; each real change of the source adds another schema parameter. */
  private final String appUrl;

  private int revision;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  RolloutsIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.appUrl = postgres.url(USER, CANARY, DB);
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  void roleAndDatabase(LocalPostgres postgres) {
    postgres.createRole(USER, CANARY, null);
    postgres.createDatabase(DB, USER, null);
  }

  static ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100));
  }

  @Test
  @Order(1)
  void aChangeRestartsOnlyTheConsumersOneAfterAnother() {
    k8s.namespace(NS);
    k8s.secret(NS, "src", Map.of("DATABASE_URL", sourceUrl()));
    for (String name : CONSUMERS) {
      client.resource(deployment(NS, name, envFrom(TARGET))).create();
    }
    k8s.secret(NS, "unrelated", Map.of("X", "y"));
    client.resource(deployment(NS, BYSTANDER, envFrom("unrelated"))).create();
    k8s.create(
        policy(
            NS,
            POLICY,
            spec -> {
              spec.getWorkloads().setDiscover(true);
              spec.getWorkloads().setMaxConcurrent(1);
              spec.getWorkloads().setSettleSeconds(3);
            }));
    // Adoption: each consumer is stamped once with the first content and rolls to completion.
    String first = awaitAllUpToDate(NS, POLICY, CONSUMERS);
    long bystanderGeneration = generation(NS, BYSTANDER);
    Map<String, Set<String>> replicaSetsBefore = replicaSetNames(NS, CONSUMERS);
    Map<String, Set<String>> podsBefore = podNames(NS, CONSUMERS);

    try (Timeline timeline = Timeline.record(client, NS)) {
      long t0 = System.nanoTime();
      changeSource();
      String second = awaitNewHash(NS, POLICY, first);
      awaitAllUpToDate(NS, POLICY, CONSUMERS);
      System.out.printf(
          "three sequential rollouts done %d ms after the change%n",
          (System.nanoTime() - t0) / 1_000_000);

      // Each consumer got exactly one new ReplicaSet with the new hash, and its old pods are gone.
      for (String name : CONSUMERS) {
        List<ReplicaSet> added = newReplicaSets(NS, name, replicaSetsBefore.get(name));
        assertThat(added).as("new ReplicaSets of %s", name).hasSize(1);
        assertThat(added.get(0).getSpec().getTemplate().getMetadata().getAnnotations())
            .containsEntry(PodTemplateStamps.key(POLICY), second);
        List<Pod> pods = pods(NS, name);
        assertThat(pods)
            .hasSize(2)
            .allSatisfy(
                p ->
                    assertThat(p.getMetadata().getAnnotations())
                        .containsEntry(PodTemplateStamps.key(POLICY), second));
        assertThat(names(pods)).doesNotContainAnyElementsOf(podsBefore.get(name));
      }
      // A Deployment that does not read the target Secret was not touched.
      assertThat(generation(NS, BYSTANDER)).isEqualTo(bystanderGeneration);
      assertThat(
              annotation(
                  k8s.getDeployment(NS, BYSTANDER).orElseThrow(), PodTemplateStamps.key(POLICY)))
          .isNull();

      // One after another: a starts, completes; then b; then c. No overlap.
      List<String> order = timeline.entries(CONSUMERS);
      System.out.println("rollout timeline: " + timeline.describe());
      assertThat(order)
          .containsExactly(
              "start a-api", "complete a-api",
              "start b-worker", "complete b-worker",
              "start c-web", "complete c-web");
    }
    // An Event on the policy and one on each workload for each restart.
    assertThat(eventReasons(NS, "PostgresConnectionPolicy", POLICY)).contains("WorkloadRestarted");
    for (String name : CONSUMERS) {
      assertThat(eventReasons(NS, "Deployment", name)).contains("RestartedByPgconn");
    }
  }

  @Test
  @Order(2)
  void tenChangesCloseTogetherGiveOneRolloutPerWorkload() {
    Map<String, Long> generations = generations(NS, CONSUMERS);
    Map<String, Set<String>> replicaSetsBefore = replicaSetNames(NS, CONSUMERS);
    String before = hash(NS, POLICY);
    try (Timeline timeline = Timeline.record(client, NS)) {
      for (int i = 0; i < 10; i++) {
        changeSource();
      }
      String last = "schema=s" + revision;
      await()
          .until(
              () ->
                  k8s.secretValue(NS, TARGET, "DATABASE_URL")
                      .filter(v -> v.contains(last))
                      .isPresent());
      String finalHash = awaitNewHash(NS, POLICY, before);
      assertThat(awaitAllUpToDate(NS, POLICY, CONSUMERS)).isEqualTo(finalHash);
      assertThat(k8s.secretValue(NS, TARGET, "DATABASE_URL").orElseThrow()).contains(last);
      for (String name : CONSUMERS) {
        assertThat(generation(NS, name))
            .as("generation of %s", name)
            .isEqualTo(generations.get(name) + 1);
        assertThat(newReplicaSets(NS, name, replicaSetsBefore.get(name)))
            .as("new ReplicaSets of %s", name)
            .hasSize(1)
            .allSatisfy(
                rs ->
                    assertThat(rs.getSpec().getTemplate().getMetadata().getAnnotations())
                        .containsEntry(PodTemplateStamps.key(POLICY), finalHash));
      }
      assertThat(timeline.entries(CONSUMERS))
          .filteredOn(e -> e.startsWith("start"))
          .containsExactly("start a-api", "start b-worker", "start c-web");
    }
  }

  @Test
  @Order(3)
  void noRestartWhileTheDatabaseIsDownAndTheRolloutResumesWhenItIsBack(LocalPostgres postgres) {
    Map<String, Long> generations = generations(NS, CONSUMERS);
    String before = hash(NS, POLICY);
    postgres.stop();
    try {
      changeSource();
      await()
          .untilAsserted(
              () -> {
                Map<String, WorkloadStatus> states = workloadStatuses(NS, POLICY);
                assertThat(states.keySet()).containsAll(CONSUMERS);
                assertThat(states.values())
                    .allSatisfy(
                        w -> {
                          assertThat(w.state()).isEqualTo("Held");
                          assertThat(w.reason()).isEqualTo("ConnectionRefused");
                        });
              });
      assertThat(k8s.condition(NS, POLICY, "Ready").orElseThrow().getStatus()).isEqualTo("False");
      assertThat(k8s.condition(NS, POLICY, "Ready").orElseThrow().getReason())
          .isEqualTo("ConnectionRefused");
      assertThat(hash(NS, POLICY)).isEqualTo(before);
      assertThat(generations(NS, CONSUMERS)).isEqualTo(generations);
      assertThat(eventReasons(NS, "PostgresConnectionPolicy", POLICY))
          .contains("WorkloadRestartHeld");
      assertThat(eventReasons(NS, "Deployment", CONSUMERS.get(0))).contains("RestartHeldByPgconn");
    } finally {
      postgres.start();
    }
    long t0 = System.nanoTime();
    String after = awaitNewHash(NS, POLICY, before);
    assertThat(awaitAllUpToDate(NS, POLICY, CONSUMERS)).isEqualTo(after);
    System.out.printf(
        "rollout resumed and completed %d ms after the database came back%n",
        (System.nanoTime() - t0) / 1_000_000);
    for (String name : CONSUMERS) {
      assertThat(generation(NS, name)).isEqualTo(generations.get(name) + 1);
    }
  }

  @Test
  @Order(4)
  void anOperatorKilledMidSequenceFinishesItRestartingEachWorkloadOnce(Operators operators) {
    Map<String, Long> generations = generations(NS, CONSUMERS);
    Map<String, Set<String>> replicaSetsBefore = replicaSetNames(NS, CONSUMERS);
    String before = hash(NS, POLICY);
    changeSource();
    String target = awaitNewHash(NS, POLICY, before);
    // Workload 2 of 3 has been stamped and is rolling: stop the operator right there.
    await()
        .until(
            () ->
                target.equals(stamped(NS, "b-worker"))
                    && !complete(k8s.getDeployment(NS, "b-worker").orElseThrow()));
    operators.stop();
    long t0;
    try {
      assertThat(stamped(NS, "c-web")).isNotEqualTo(target);
      // b completes without the operator; c must wait for a running operator.
      await().until(() -> complete(k8s.getDeployment(NS, "b-worker").orElseThrow()));
      assertThat(stamped(NS, "c-web")).isNotEqualTo(target);
    } finally {
      t0 = System.nanoTime();
      operators.start();
    }
    assertThat(awaitAllUpToDate(NS, POLICY, CONSUMERS)).isEqualTo(target);
    System.out.printf(
        "restarted operator finished the sequence in %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    for (String name : CONSUMERS) {
      assertThat(generation(NS, name))
          .as("generation of %s", name)
          .isEqualTo(generations.get(name) + 1);
      assertThat(newReplicaSets(NS, name, replicaSetsBefore.get(name)))
          .as("new ReplicaSets of %s", name)
          .hasSize(1);
    }
  }

  @Test
  @Order(5)
  void unchangedContentRestartsNothingOverSeveralReconciles() {
    Map<String, Long> generations = generations(NS, CONSUMERS);
    String before = hash(NS, POLICY);
    for (int i = 0; i < 3; i++) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("DATABASE_URL", sourceUrl());
      values.put("UNRELATED", "touch-" + i);
      k8s.replaceSecret(NS, "src", values);
      String touched = k8s.resourceVersion(NS, "src");
      await()
          .until(
              () -> touched.equals(k8s.policy(NS, POLICY).getStatus().getObservedSourceVersion()));
      assertThat(hash(NS, POLICY)).isEqualTo(before);
      assertThat(generations(NS, CONSUMERS)).isEqualTo(generations);
    }
    assertThat(workloadStatuses(NS, POLICY).values())
        .extracting(WorkloadStatus::state)
        .containsOnly("UpToDate");
  }

  @Test
  @Order(6)
  void selectsByRefLabelAndDiscoveryHonoursOptOutReportsJobsAndStaysInItsNamespace() {
    String ns = "mixed";
    String other = "elsewhere";
    k8s.namespace(ns);
    k8s.namespace(other);
    k8s.secret(ns, "src", Map.of("DATABASE_URL", sourceUrl()));
    // named by ref, read the Secret through a key reference
    client.resource(deployment(ns, "named", envKey(TARGET))).create();
    // selected by label, reads nothing of ours
    Deployment labelled = deployment(ns, "labelled", envFrom("unrelated"));
    labelled.getMetadata().setLabels(Map.of("tier", "db-client"));
    client.resource(labelled).create();
    // discovered through a projected volume
    client.resource(deployment(ns, "projected", projected(TARGET))).create();
    // discovered, but opted out
    Deployment optOut = deployment(ns, "opted-out", envFrom(TARGET));
    optOut.getMetadata().setAnnotations(Map.of(Workload.RESTART_ANNOTATION, "false"));
    client.resource(optOut).create();
    client
        .resource(
            new CronJobBuilder()
                .withNewMetadata()
                .withName("nightly")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withSchedule("0 3 * * *")
                .withNewJobTemplate()
                .withNewSpec()
                .withTemplate(template("nightly", envFrom(TARGET), "OnFailure"))
                .endSpec()
                .endJobTemplate()
                .endSpec()
                .build())
        .create();
    // same names in another namespace: never touched
    k8s.secret(other, TARGET, Map.of("DATABASE_URL", "postgresql://x@h/db"));
    client.resource(deployment(other, "projected", projected(TARGET))).create();
    client.resource(deployment(other, "named", envFrom(TARGET))).create();
    long otherGenerations = generation(other, "projected") + generation(other, "named");

    k8s.create(
        policy(
            ns,
            POLICY,
            spec -> {
              spec.getTarget().setSecretName(TARGET);
              spec.getWorkloads().setDiscover(true);
              spec.getWorkloads()
                  .setRefs(
                      List.of(
                          new WorkloadRef(WorkloadKind.Deployment, "named"),
                          new WorkloadRef(WorkloadKind.Deployment, "gone")));
              spec.getWorkloads()
                  .setSelector(
                      new LabelSelectorBuilder().addToMatchLabels("tier", "db-client").build());
              spec.getWorkloads().setMaxConcurrent(3);
            }));
    String hash = awaitNewHash(ns, POLICY, "");
    await()
        .untilAsserted(
            () -> {
              Map<String, WorkloadStatus> w = workloadStatuses(ns, POLICY);
              // refs, then selected, then discovered (by name), then jobs, then what is missing
              assertThat(w.keySet())
                  .containsExactly(
                      "named", "labelled", "opted-out", "projected", "nightly", "gone");
              assertThat(w.get("named").state()).isEqualTo("UpToDate");
              assertThat(w.get("labelled").state()).isEqualTo("UpToDate");
              assertThat(w.get("projected").state()).isEqualTo("UpToDate");
              assertThat(w.get("opted-out").state()).isEqualTo("Pending");
              assertThat(w.get("opted-out").reason()).isEqualTo("OptedOut");
              assertThat(w.get("nightly").state()).isEqualTo("NextRun");
              assertThat(w.get("nightly").kind()).isEqualTo(WorkloadKind.CronJob);
              assertThat(w.get("gone").state()).isEqualTo("Missing");
            });
    for (String name : List.of("named", "labelled", "projected")) {
      assertThat(stamped(ns, name)).isEqualTo(hash);
    }
    assertThat(stamped(ns, "opted-out")).isNull();
    assertThat(generation(ns, "opted-out")).isEqualTo(1);
    assertThat(stamped(other, "projected")).isNull();
    assertThat(stamped(other, "named")).isNull();
    assertThat(generation(other, "projected") + generation(other, "named"))
        .isEqualTo(otherGenerations);
    // Missing needs someone to act: the WorkloadsUpToDate condition says so.
    assertThat(k8s.condition(ns, POLICY, "WorkloadsUpToDate").orElseThrow().getReason())
        .isEqualTo("WorkloadNotFound");
  }

  @Test
  @Order(7)
  void pausedPolicyRestartsNothingUntilResumed() {
    Map<String, Long> generations = generations(NS, CONSUMERS);
    String before = hash(NS, POLICY);
    // Pause, with a spec change in the same edit so that the operator reconciles the paused
    // policy (annotations alone do not change the generation) before the source changes.
    PostgresConnectionPolicy paused =
        client
            .resources(PostgresConnectionPolicy.class)
            .inNamespace(NS)
            .withName(POLICY)
            .edit(
                p -> {
                  p.getMetadata().getAnnotations().put(RolloutSettings.PAUSED_ANNOTATION, "true");
                  p.getSpec().getProbe().setInterval("61m");
                  return p;
                });
    await()
        .until(
            () ->
                Objects.equals(
                    paused.getMetadata().getGeneration(),
                    k8s.policy(NS, POLICY).getStatus().getObservedGeneration()));
    changeSource();
    String target = awaitNewHash(NS, POLICY, before);
    await()
        .untilAsserted(
            () ->
                assertThat(workloadStatuses(NS, POLICY).values())
                    .allSatisfy(
                        w -> {
                          assertThat(w.state()).isEqualTo("Pending");
                          assertThat(w.reason()).isEqualTo("Paused");
                        }));
    assertThat(k8s.condition(NS, POLICY, "Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(generations(NS, CONSUMERS)).isEqualTo(generations);

    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .withName(POLICY)
        .edit(
            p -> {
              p.getMetadata().getAnnotations().remove(RolloutSettings.PAUSED_ANNOTATION);
              return p;
            });
    assertThat(awaitAllUpToDate(NS, POLICY, CONSUMERS)).isEqualTo(target);
    for (String name : CONSUMERS) {
      assertThat(generation(NS, name)).isEqualTo(generations.get(name) + 1);
    }
  }

  @Test
  @Order(100)
  void noPasswordAppearsInStatusEventsOrLogs(LogCapture logs) {
    List<String> secrets = List.of(CANARY, LocalPostgres.percentEncode(CANARY));
    String statuses =
        client.resources(PostgresConnectionPolicy.class).inAnyNamespace().list().getItems().stream()
            .map(Serialization::asJson)
            .collect(Collectors.joining());
    String events =
        client.v1().events().inAnyNamespace().list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .collect(Collectors.joining("\n"));
    assertThat(events).contains("WorkloadRestarted");
    for (String secret : secrets) {
      assertThat(statuses).doesNotContain(secret);
      assertThat(events).doesNotContain(secret);
      assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }
  }

  // ------------------------------------------------------------------------------- helpers

  private String sourceUrl() {
    return appUrl + "?schema=s" + revision;
  }

  /** A real change of the source: another schema parameter, so the written content changes. */
  private void changeSource() {
    revision++;
    k8s.replaceSecret(NS, "src", Map.of("DATABASE_URL", sourceUrl()));
  }

  static PostgresConnectionPolicy policy(String ns, String name, Consumer<PolicySpec> customize) {
    PostgresConnectionPolicy policy =
        Policies.policy(
            ns,
            name,
            "src",
            spec -> {
              spec.getPool().setConnectionLimit(5);
              spec.getPool().setSslMode("disable");
              customize.accept(spec);
            });
    policy.getMetadata().setAnnotations(new LinkedHashMap<>(Map.of("example.com/owner", "tests")));
    return policy;
  }

  interface PodSpecPart extends Consumer<io.fabric8.kubernetes.api.model.PodSpecBuilder> {}

  static PodSpecPart envFrom(String secret) {
    return s ->
        s.editFirstContainer()
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName(secret)
            .endSecretRef()
            .endEnvFrom()
            .endContainer();
  }

  static PodSpecPart envKey(String secret) {
    return s ->
        s.editFirstContainer()
            .addNewEnv()
            .withName("DATABASE_URL")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(secret)
            .withKey("DATABASE_URL")
            .endSecretKeyRef()
            .endValueFrom()
            .endEnv()
            .endContainer();
  }

  static PodSpecPart projected(String secret) {
    return s ->
        s.addNewVolume()
            .withName("db")
            .withNewProjected()
            .addNewSource()
            .withNewSecret()
            .withName(secret)
            .endSecret()
            .endSource()
            .endProjected()
            .endVolume();
  }

  static PodTemplateSpec template(String app, PodSpecPart part, String restartPolicy) {
    var spec =
        new io.fabric8.kubernetes.api.model.PodSpecBuilder()
            .withRestartPolicy(restartPolicy)
            .addNewContainer()
            .withName("app")
            .withImage("registry.invalid/pgconn/app:1")
            .endContainer();
    part.accept(spec);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .addToLabels("app", app)
        .endMetadata()
        .withSpec(spec.build())
        .build();
  }

  static Deployment deployment(String ns, String name, PodSpecPart part) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withMinReadySeconds(2)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withTemplate(template(name, part, "Always"))
        .endSpec()
        .build();
  }

  static boolean complete(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    return s != null
        && s.getObservedGeneration() != null
        && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && Objects.equals(s.getUpdatedReplicas(), replicas)
        && Objects.equals(s.getAvailableReplicas(), replicas)
        && Objects.equals(s.getReplicas(), replicas);
  }

  private String hash(String ns, String policy) {
    var p = k8s.policy(ns, policy);
    return p == null || p.getStatus() == null || p.getStatus().getSecret() == null
        ? ""
        : p.getStatus().getSecret().getContentHash();
  }

  private String awaitNewHash(String ns, String policy, String previous) {
    await().until(() -> !hash(ns, policy).isEmpty() && !hash(ns, policy).equals(previous));
    return hash(ns, policy);
  }

  /** Waits until every named workload carries the policy's hash and has completed its rollout. */
  private String awaitAllUpToDate(String ns, String policy, List<String> names) {
    await()
        .untilAsserted(
            () -> {
              String hash = hash(ns, policy);
              assertThat(hash).isNotEmpty();
              Map<String, WorkloadStatus> statuses = workloadStatuses(ns, policy);
              for (String name : names) {
                Deployment d = k8s.getDeployment(ns, name).orElseThrow();
                assertThat(annotation(d, PodTemplateStamps.key(policy))).as(name).isEqualTo(hash);
                assertThat(complete(d))
                    .as(
                        "%s complete; status %s; policy workloads %s",
                        name,
                        Serialization.asJson(d.getStatus()),
                        Serialization.asJson(statuses.values()))
                    .isTrue();
                assertThat(statuses.get(name)).as("status of %s", name).isNotNull();
                assertThat(statuses.get(name).state())
                    .as("state of %s", name)
                    .isEqualTo("UpToDate");
              }
              assertThat(k8s.condition(ns, policy, "WorkloadsUpToDate").orElseThrow().getStatus())
                  .isEqualTo("True");
            });
    return hash(ns, policy);
  }

  private Map<String, WorkloadStatus> workloadStatuses(String ns, String policy) {
    Map<String, WorkloadStatus> map = new LinkedHashMap<>();
    var p = k8s.policy(ns, policy);
    if (p != null && p.getStatus() != null && p.getStatus().getWorkloads() != null) {
      p.getStatus().getWorkloads().forEach(w -> map.put(w.name(), w));
    }
    return map;
  }

  private String stamped(String ns, String name) {
    return annotation(k8s.getDeployment(ns, name).orElseThrow(), PodTemplateStamps.key(POLICY));
  }

  private long generation(String ns, String name) {
    return k8s.getDeployment(ns, name).orElseThrow().getMetadata().getGeneration();
  }

  private Map<String, Long> generations(String ns, List<String> names) {
    Map<String, Long> map = new LinkedHashMap<>();
    names.forEach(n -> map.put(n, generation(ns, n)));
    return map;
  }

  private List<ReplicaSet> replicaSets(String ns, String app) {
    return client.apps().replicaSets().inNamespace(ns).withLabel("app", app).list().getItems();
  }

  private Map<String, Set<String>> replicaSetNames(String ns, List<String> apps) {
    Map<String, Set<String>> map = new LinkedHashMap<>();
    apps.forEach(a -> map.put(a, names(replicaSets(ns, a))));
    return map;
  }

  private List<ReplicaSet> newReplicaSets(String ns, String app, Set<String> before) {
    return replicaSets(ns, app).stream()
        .filter(rs -> !before.contains(rs.getMetadata().getName()))
        .toList();
  }

  private List<Pod> pods(String ns, String app) {
    return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
  }

  private Map<String, Set<String>> podNames(String ns, List<String> apps) {
    Map<String, Set<String>> map = new LinkedHashMap<>();
    apps.forEach(a -> map.put(a, names(pods(ns, a))));
    return map;
  }

  static Set<String> names(List<? extends HasMetadata> items) {
    return items.stream().map(i -> i.getMetadata().getName()).collect(Collectors.toSet());
  }

  private List<String> eventReasons(String ns, String kind, String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(
            e ->
                kind.equals(e.getInvolvedObject().getKind())
                    && name.equals(e.getInvolvedObject().getName()))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }

  /**
   * Rollout starts (generation bumps) and completions of a namespace's Deployments, in the order
   * the API server committed them: one watch delivers all of them in resourceVersion order.
   */
  static final class Timeline implements AutoCloseable {
    private final List<String> entries = new CopyOnWriteArrayList<>();
    private final List<Long> at = new CopyOnWriteArrayList<>();
    private final SharedIndexInformer<Deployment> informer;
    private final long t0 = System.nanoTime();

    private Timeline(KubernetesClient client, String ns) {
      Set<String> completeAtStart = new HashSet<>();
      informer =
          client
              .apps()
              .deployments()
              .inNamespace(ns)
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Deployment d) {
                      if (complete(d)) completeAtStart.add(d.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(Deployment before, Deployment after) {
                      String name = after.getMetadata().getName();
                      if (after.getMetadata().getGeneration()
                          > before.getMetadata().getGeneration()) {
                        add("start " + name);
                      }
                      if (complete(after) && !complete(before)) {
                        add("complete " + name);
                      }
                    }

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {}
                  },
                  0);
    }

    static Timeline record(KubernetesClient client, String ns) {
      Timeline t = new Timeline(client, ns);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(t.informer::hasSynced);
      return t;
    }

    private void add(String entry) {
      entries.add(entry);
      at.add((System.nanoTime() - t0) / 1_000_000);
    }

    List<String> entries(List<String> names) {
      return entries.stream().filter(e -> names.stream().anyMatch(e::endsWith)).toList();
    }

    String describe() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) out.add(at.get(i) + "ms " + entries.get(i));
      return out.toString();
    }

    @Override
    public void close() {
      informer.close();
    }
  }
}
