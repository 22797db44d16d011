package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.reconciler.PolicyReconciler;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application builds one JOSDK Operator, starts it with the HTTP server and stops that same one
 * on shutdown: a second Operator would register the reconciler again, run a second set of informers
 * against the API server and register its metrics twice.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, namespaces = "startup")
class OperatorStartupIT {

  @Test
  void oneOperatorIsBuiltStartedAndStoppedOverTheApplicationsLife(Operators operators) {
    try (LogCapture logs = LogCapture.install()) {
      OperatorApp app = operators.start();
      try {
        ClusterFixtures.await().until(() -> readiness(app) == 200);
        assertThat(app.context().getBeansOfType(Operator.class)).hasSize(1);
      } finally {
        operators.stop();
      }

      // Counted over the whole life, shutdown included: that is where a second one was built.
      assertThat(count(logs, "Registered reconciler")).as("reconciler registrations").isEqualTo(1);
      assertThat(count(logs, "Operator SDK", "starting...")).as("operators started").isEqualTo(1);
      assertThat(count(logs, "Operator SDK", "is shutting down"))
          .as("operators stopped")
          .isEqualTo(1);
      assertThat(logs.lines())
          .as("duplicate meter registrations")
          .noneMatch(l -> l.contains("already registered"));
    }
  }

  /**
   * What the operator holds per policy, at its smallest: the reconcile pools are as wide as
   * pgconn.reconcile-threads says (JOSDK's default would be 50 + 50 threads), and the policy cache
   * keeps no managedFields, which were a quarter of the live heap at 1,000 policies.
   */
  @Test
  @SuppressWarnings("unchecked")
  void reconcilePoolsAreAsWideAsSetAndThePolicyCacheKeepsNoManagedFields(
      KubernetesClient client, ClusterFixtures k8s, Operators operators) {
    k8s.secret("startup", "src", Map.of("DATABASE_URL", "postgresql://app@db:5432/app"));
    PostgresConnectionPolicy created =
        client
            .resource(
                Policies.policy(
                    "startup",
                    "cached",
                    "src",
                    spec -> {
                      spec.getPool().setConnectionLimit(3);
                      spec.getProbe().setMode(ProbeMode.Off);
                    }))
            .serverSideApply();
    assertThat(created.getMetadata().getManagedFields()).as("on the API server").isNotEmpty();

    try (OperatorApp app = operators.startAnother(Map.of("pgconn.reconcile-threads", 3))) {
      Operator operator = app.context().getBean(Operator.class);
      var config = operator.getConfigurationService();
      assertThat(config.concurrentReconciliationThreads()).isEqualTo(3);
      assertThat(config.concurrentWorkflowExecutorThreads()).isEqualTo(3);

      var cache =
          ((Controller<PostgresConnectionPolicy>)
                  operator.getRegisteredController(PolicyReconciler.NAME).orElseThrow())
              .getEventSourceManager()
              .getControllerEventSource();
      ResourceID id = new ResourceID("cached", "startup");
      // Reconciled: its status came back through the watch, as the operator's patch left it.
      ClusterFixtures.await()
          .until(() -> cache.get(id).map(p -> p.getStatus() != null).orElse(false));
      assertThat(client.resource(created).get().getMetadata().getManagedFields())
          .as("field managers on the API server")
          .hasSizeGreaterThan(1);
      assertThat(cache.get(id).orElseThrow().getMetadata().getManagedFields())
          .as("in the operator's cache")
          .isNullOrEmpty();
    }
  }

  private static long count(LogCapture logs, String... texts) {
    return logs.lines().stream()
        .filter(l -> java.util.Arrays.stream(texts).allMatch(l::contains))
        .count();
  }

  private static int readiness(OperatorApp app) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(app.url() + "/health/readiness")).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
