package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.Operator;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Operators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
