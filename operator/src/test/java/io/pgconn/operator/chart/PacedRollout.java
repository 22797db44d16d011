package io.pgconn.operator.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Three Deployments {@code a}, {@code b}, {@code c} (one pause pod each, reading the tuned Secret)
 * behind one policy with {@code maxConcurrent: 1}: the operator restarts them one after another,
 * each once the previous one completed its rollout. {@link #pace} gives every rollout a floor
 * (minReadySeconds, which changes no pod template), so a test can act in the middle of a sequence.
 */
final class PacedRollout {

  static final String NS = "paced";
  static final List<String> DEPLOYMENTS = List.of("a", "b", "c");
  private static final String POLICY = "paced";
  private static final String STAMP = PodTemplateStamps.key(POLICY);

  private final ChartOnRealNode env;
  private final KubernetesClient admin;
  private final ClusterFixtures k8s;
  private final List<String> timeline = new java.util.ArrayList<>();

  PacedRollout(ChartOnRealNode env) {
    this.env = env;
    this.admin = env.admin();
    this.k8s = env.k8s();
  }

  void seed(String password) {
    k8s.namespace(NS);
    k8s.secret(NS, "db", Map.of("DATABASE_URL", url(password)));
    for (String name : DEPLOYMENTS) {
      env.apply(AppDeployments.pause(NS, name, 1, "paced-connection"));
    }
    // Probe Off: the sequence, not the database, is under test here.
    k8s.create(
        Policies.policy(
            NS,
            POLICY,
            "db",
            spec -> {
              spec.getTarget().setSecretName("paced-connection");
              spec.getPool().setConnectionLimit(2);
              spec.getProbe().setMode(ProbeMode.Off);
              spec.getWorkloads()
                  .setRefs(
                      DEPLOYMENTS.stream()
                          .map(n -> new WorkloadRef(WorkloadKind.Deployment, n))
                          .toList());
              spec.getWorkloads().setMaxConcurrent(1);
              spec.getWorkloads().setSettleSeconds(0);
            }));
  }

  /** Every rollout from now on takes at least this long (each pod Ready that long). */
  void pace(int minReadySeconds) {
    for (String name : DEPLOYMENTS) {
      admin
          .apps()
          .deployments()
          .inNamespace(NS)
          .withName(name)
          .edit(
              d -> {
                d.getSpec().setMinReadySeconds(minReadySeconds);
                return d;
              });
    }
  }

  /** Changes the source Secret: new content, so a new sequence of restarts. */
  void change(String password) {
    k8s.replaceSecret(NS, "db", Map.of("DATABASE_URL", url(password)));
  }

  /** The hash each Deployment's pod template carries from this policy (null: none yet). */
  Map<String, String> stamps() {
    Map<String, String> out = new TreeMap<>();
    for (String name : DEPLOYMENTS) {
      out.put(name, ClusterFixtures.annotation(deployment(name), STAMP));
    }
    return out;
  }

  /**
   * Whether the sequence for a content newer than {@code before} is under way but not done: at
   * least one Deployment carries a new stamp and completed its rollout, and at least one does not
   * carry a new stamp yet.
   */
  boolean midway(Map<String, String> before) {
    observe();
    Map<String, String> now = stamps();
    boolean oneRolled =
        DEPLOYMENTS.stream()
            .anyMatch(n -> !Objects.equals(before.get(n), now.get(n)) && complete(n));
    boolean oneWaiting =
        DEPLOYMENTS.stream().anyMatch(n -> Objects.equals(before.get(n), now.get(n)));
    return oneRolled && oneWaiting;
  }

  /**
   * Waits until every Deployment carries a stamp (other than {@code before}'s, when given), all
   * three completed their rollouts and the policy's status says UpToDate for each.
   */
  void awaitUpToDate(Map<String, String> before, Duration atMost) {
    try {
      await("the paced sequence finished")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                observe();
                Map<String, String> now = stamps();
                for (String name : DEPLOYMENTS) {
                  assertNotNull(now.get(name), name + " stamped");
                  if (before != null) {
                    assertNotEquals(before.get(name), now.get(name), name + " restamped");
                  }
                  assertEquals(true, complete(name), name + " rollout complete");
                }
                PolicyStatus status = k8s.status(NS, POLICY);
                assertNotNull(status, "policy status");
                assertEquals(
                    DEPLOYMENTS.size(),
                    status.getWorkloads().stream()
                        .filter(w -> "UpToDate".equals(w.state()))
                        .count(),
                    "workloads UpToDate: " + status.getWorkloads());
              });
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(e.getMessage() + env.diagnosis(NS, POLICY), e);
    }
  }

  /** What the sequence looked like while the test waited, one line per change, for messages. */
  String timeline() {
    return String.join("\n", timeline);
  }

  private void observe() {
    StringBuilder line = new StringBuilder();
    stamps()
        .forEach(
            (name, hash) ->
                line.append(name)
                    .append('=')
                    .append(hash == null ? "-" : hash.substring(hash.length() - 6))
                    .append(complete(name) ? " done " : " rolling "));
    PolicyStatus status = k8s.status(NS, POLICY);
    if (status != null && status.getWorkloads() != null) {
      for (WorkloadStatus w : status.getWorkloads()) {
        line.append("| ")
            .append(w.name())
            .append(' ')
            .append(w.state())
            .append(' ')
            .append(w.reason())
            .append(' ')
            .append(w.restartedAt());
      }
    }
    String observed = line.toString();
    if (timeline.isEmpty() || !timeline.get(timeline.size() - 1).endsWith(observed)) {
      timeline.add(java.time.Instant.now() + " " + observed);
    }
  }

  /** When each ReplicaSet that {@code before} did not have was created, in order. */
  List<java.time.Instant> newReplicaSetsCreated(WorkloadRevisions before) {
    Set<String> known =
        before.byWorkload().values().stream()
            .flatMap(Set::stream)
            .collect(java.util.stream.Collectors.toSet());
    return admin.apps().replicaSets().inNamespace(NS).list().getItems().stream()
        .filter(rs -> !known.contains(rs.getMetadata().getName()))
        .map(rs -> java.time.Instant.parse(rs.getMetadata().getCreationTimestamp()))
        .sorted()
        .toList();
  }

  /** As the operator judges it: the controller saw the spec, every replica updated and ready. */
  private boolean complete(String name) {
    Deployment d = deployment(name);
    var s = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    return s != null
        && Objects.equals(d.getMetadata().getGeneration(), s.getObservedGeneration())
        && Objects.equals(replicas, s.getUpdatedReplicas())
        && Objects.equals(replicas, s.getAvailableReplicas())
        && Objects.equals(replicas, s.getReplicas());
  }

  private Deployment deployment(String name) {
    return admin.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private String url(String password) {
    return "postgresql://paced_app:" + password + "@" + env.pgAddress() + "/paced";
  }
}
