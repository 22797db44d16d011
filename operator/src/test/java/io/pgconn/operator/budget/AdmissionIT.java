package io.pgconn.operator.budget;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, goal 2: a policy that joins a full server is refused and takes nothing from the app
 * already running there; shares move only by an explicit change. Before session 12, a newcomer
 * whose min fit beside its peers' mins took part of what they held above them (checkout, running 7
 * per pod, was cut to 5 and restarted), and before that a min that did not fit dropped every auto
 * pool on the server to 1 per pod.
 *
 * <p>The server: max_connections 30, 3 reserved, a reserve of 5 and the operator's probe connection
 * leave 21. checkout runs 3 pods (2 replicas + 1 surge) with min 5: floor 15, and alone it takes
 * all 21 (7 per pod). reporting arrives with 3 pods and min 1: its floor, 3, fits beside checkout's
 * min, not beside what checkout holds.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = 30,
    namespaces = "shop")
class AdmissionIT {

  private static final String NS = "shop";

  private final ClusterFixtures k8s;
  private final KubernetesClient client;

  AdmissionIT(LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.k8s = k8s;
    this.client = client;
    postgres.createRole("shop", "pw-shop", null);
    k8s.secret(NS, "db", Map.of("DATABASE_URL", postgres.url("shop", "pw-shop", "postgres")));
  }

  @Test
  void aNewcomerThatDoesNotFitIsRefusedAndTakesNothingUntilThereIsRoom() {
    k8s.deployment(NS, "checkout", "checkout-connection");
    k8s.create(policy("checkout", 5));
    await().until(() -> k8s.ready(NS, "checkout") && rolledOut("checkout"));
    assertThat(k8s.status(NS, "checkout").getPool().getConnectionLimit()).isEqualTo(7);
    String checkoutContent = k8s.status(NS, "checkout").getSecret().getContentHash();
    String checkoutStamp = stamp("checkout");

    k8s.deployment(NS, "reporting", "reporting-connection");
    k8s.create(policy("reporting", 1));
    await()
        .until(
            () ->
                k8s.condition(NS, "reporting", "BudgetSatisfied")
                    .filter(c -> "NotAdmitted".equals(c.getReason()))
                    .isPresent());
    String message = k8s.condition(NS, "reporting", "BudgetSatisfied").orElseThrow().getMessage();
    assertThat(message)
        .contains("not admitted")
        .contains("needs 3 (3 pods x min 1)")
        .contains("has 0 of 21 left beside what the 1 policy already running there holds")
        .contains("change a running policy's pool");
    assertThat(k8s.condition(NS, "reporting", "Ready").orElseThrow().getReason())
        .isEqualTo("NotAdmitted");
    // Checked after a quiet window: checkout is woken only if its decision moved, and a lower
    // would come within it.
    Instant quietUntil = Instant.now().plusSeconds(5);
    await().pollInterval(Duration.ofMillis(500)).until(() -> Instant.now().isAfter(quietUntil));
    assertThat(k8s.secretValue(NS, "reporting-connection", "DATABASE_URL"))
        .as("the refused newcomer's target")
        .isEmpty();
    assertThat(k8s.status(NS, "checkout").getPool().getConnectionLimit()).isEqualTo(7);
    assertThat(k8s.status(NS, "checkout").getSecret().getContentHash()).isEqualTo(checkoutContent);
    assertThat(stamp("checkout")).as("checkout not restarted").isEqualTo(checkoutStamp);

    // Room, by an explicit change: checkout's min goes to 2, and the server is divided again by
    // weight above the mins (6 + 3 fit in 21), the waiting newcomer included.
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(NS)
        .withName("checkout")
        .edit(
            p -> {
              p.getSpec().getPool().getAuto().setMin(2);
              return p;
            });
    await()
        .until(
            () -> {
              rolledOut("checkout");
              rolledOut("reporting");
              // reporting starts at what is free and is raised once checkout has rolled to its
              // lower limit (a raise never takes what a peer's pods still run).
              return k8s.ready(NS, "reporting")
                  && k8s.ready(NS, "checkout")
                  && fits("checkout", "reporting")
                  && !k8s.status(NS, "reporting")
                      .getPool()
                      .getExplanation()
                      .contains("until peers have rolled");
            });
    assertThat(k8s.secretValue(NS, "reporting-connection", "DATABASE_URL")).isPresent();
    assertThat(k8s.status(NS, "reporting").getPool().getConnectionLimit())
        .isGreaterThanOrEqualTo(3);
    int checkoutHolds = k8s.status(NS, "checkout").getPool().getConnectionLimit();

    // Room, by a deletion: archive (3 pods x min 3 = 9) fits beside the peers' mins but not beside
    // what they hold; once reporting is deleted, what it held (at least 9) is free. reporting
    // carries no finalizer (its deletion needs nothing of the operator's), so only its Delete event
    // tells the budget.
    String checkoutBefore = k8s.status(NS, "checkout").getSecret().getContentHash();
    k8s.deployment(NS, "archive", "archive-connection");
    k8s.create(policy("archive", 3));
    await()
        .until(
            () ->
                k8s.condition(NS, "archive", "BudgetSatisfied")
                    .filter(c -> "NotAdmitted".equals(c.getReason()))
                    .isPresent());
    assertThat(k8s.status(NS, "checkout").getSecret().getContentHash()).isEqualTo(checkoutBefore);
    assertThat(k8s.policy(NS, "reporting").getMetadata().getFinalizers()).isEmpty();
    client.resources(PostgresConnectionPolicy.class).inNamespace(NS).withName("reporting").delete();
    await()
        .until(
            () -> {
              rolledOut("checkout");
              rolledOut("archive");
              assertThat(k8s.status(NS, "checkout").getPool().getConnectionLimit())
                  .as("checkout is never lowered for a newcomer")
                  .isGreaterThanOrEqualTo(checkoutHolds);
              return k8s.ready(NS, "archive")
                  && fits("checkout", "archive")
                  && !k8s.status(NS, "archive")
                      .getPool()
                      .getExplanation()
                      .contains("until peers have rolled");
            });
    assertThat(k8s.status(NS, "archive").getPool().getConnectionLimit()).isGreaterThanOrEqualTo(3);
  }

  private boolean fits(String... names) {
    int used = 0;
    for (String name : names) {
      var pool = k8s.status(NS, name).getPool();
      if (pool == null || pool.getConnectionLimit() == null) return false;
      used += pool.getConnectionLimit() * pool.getConsumers();
    }
    return used <= 21;
  }

  /** Plays the Deployment controller: completes the rollout; whether it was complete already. */
  private boolean rolledOut(String name) {
    return !k8s.completeRollout(NS, name);
  }

  private String stamp(String name) {
    return PodTemplateStamps.of(k8s.getDeployment(NS, name).orElseThrow().getSpec().getTemplate())
        .byKey()
        .toString();
  }

  private static PostgresConnectionPolicy policy(String name, int min) {
    return Policies.policy(
        NS,
        name,
        "db",
        spec -> {
          spec.getPool().setSslMode("disable");
          AutoPoolSpec auto = new AutoPoolSpec();
          auto.setMin(min);
          spec.getPool().setAuto(auto);
          spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
        });
  }
}
