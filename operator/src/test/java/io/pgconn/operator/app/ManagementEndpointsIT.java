package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP and metrics ports are reachable by anything in the cluster, without credentials: the
 * HTTP port must serve the probes and nothing else, the metrics port Prometheus and nothing else.
 * Every other Micronaut management endpoint either changes the running process (stop, loggers,
 * refresh) or describes its configuration and internals (env, beans, routes, threaddump, info,
 * metrics).
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, namespaces = "mgmt")
class ManagementEndpointsIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Refused, whichever way: absent (404), method not allowed (405), or unauthorized (401/403). */
  private static final List<Integer> REFUSED = List.of(401, 403, 404, 405);

  private final TestCluster controlPlane;
  private final OperatorApp app;

  ManagementEndpointsIT(TestCluster controlPlane, OperatorApp app) {
    this.controlPlane = controlPlane;
    this.app = app;
  }

  private static final List<String> INTERNALS =
      List.of(
          "/env",
          "/env/pgconn",
          "/loggers",
          "/loggers/ROOT",
          "/beans",
          "/info",
          "/routes",
          "/threaddump",
          "/metrics",
          "/caches",
          "/refresh",
          "/stop");

  @Test
  void onlyHealthAndPrometheusAnswerAndTheOperatorStaysHealthy() throws Exception {
    // Writable endpoints first: before the fix POST /stop shut the HTTP server down.
    assertRefused(post("/stop", "{}"));
    assertRefused(post("/loggers/ROOT", "{\"configuredLevel\":\"TRACE\"}"));
    assertRefused(post("/loggers/io.pgconn", "{\"configuredLevel\":\"TRACE\"}"));
    assertRefused(post("/refresh", "{\"force\":true}"));
    for (String path : INTERNALS) {
      assertRefused(get(path));
    }

    // Still alive and serving what the kubelet and Prometheus need.
    for (String path : List.of("/health", "/health/liveness", "/health/readiness")) {
      HttpResponse<String> health = get(path);
      assertThat(health.statusCode()).as(path + ": " + health.body()).isEqualTo(200);
      assertThat(health.body()).as(path).contains("\"status\":\"UP\"");
    }
    HttpResponse<String> metrics = send(app.metricsUrl(), "/prometheus");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge");
  }

  /** Each port serves its one job: metrics are not on the HTTP port, health not on metrics'. */
  @Test
  void metricsHaveAPortOfTheirOwn() throws Exception {
    assertThat(app.metricsUrl()).isNotEqualTo(app.url());
    assertRefused(get("/prometheus"));
    for (String path : List.of("/health", "/health/liveness", "/health/readiness")) {
      assertRefused(send(app.metricsUrl(), path));
    }
    for (String path : INTERNALS) {
      assertRefused(send(app.metricsUrl(), path));
    }
    HttpResponse<String> metrics = send(app.metricsUrl(), "/prometheus");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
  }

  @Test
  void healthDetailsDescribeNoConfiguration() throws Exception {
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    String kubeconfig = controlPlane.kubeconfigFile().toString();
    assertThat(health.body())
        .as("health details")
        .doesNotContain(kubeconfig)
        .doesNotContain("kubeconfig")
        .doesNotContain("127.0.0.1")
        .doesNotContain("https://")
        .doesNotContain(System.getProperty("user.dir"))
        .doesNotContain(System.getProperty("user.home"))
        .doesNotContain("pgconn.")
        .doesNotContain("\"free\"")
        .doesNotContain("\"total\"");
  }

  private static void assertRefused(HttpResponse<String> response) {
    assertThat(response.statusCode())
        .as(
            response.request().method()
                + " "
                + response.uri().getPath()
                + " answered "
                + response.statusCode()
                + ": "
                + response.body())
        .isIn(REFUSED);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(app.url(), path);
  }

  private static HttpResponse<String> send(String base, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(app.url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
