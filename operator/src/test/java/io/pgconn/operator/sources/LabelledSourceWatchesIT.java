package io.pgconn.operator.sources;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SourceSpec;
import io.pgconn.operator.reconciler.PolicyReconciler;
import io.pgconn.operator.reconciler.ReferencedSecretEventSource.Watches;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.url.ConnectionStringParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Source Secrets labelled pgconn.io/source-secret=true are watched with one watch per namespace,
 * unlabelled ones with a watch each, and a Secret moves between the two as its label comes and goes
 * without a rotation being missed. Watches are counted by the operator (its gauge) and by the API
 * server's audit log (the watch requests on Secrets it answered).
 */
@OperatorEnvironment(audit = Audit.SECRETS, postgres = 16, maxConnections = 100, logs = true)
class LabelledSourceWatchesIT {

  static final String CANARY = "Canary-L4belled@/%?";
  static final String ROTATED = "Canary-R0tated-L4bel@/%?";
  static final String AGAIN = "Canary-Ag4in-L4bel@/%?";
  static final String NS = "labelled";
  static final String OTHER = "labelled-other";
  static final int N = 20;

  private final AuditLog audit;
  private final LogCapture logs;
  private final LocalPostgres postgres;
  private final OperatorApp app;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  LabelledSourceWatchesIT(
      AuditLog audit,
      LogCapture logs,
      LocalPostgres postgres,
      OperatorApp app,
      KubernetesClient client,
      ClusterFixtures k8s) {
    this.audit = audit;
    this.logs = logs;
    this.postgres = postgres;
    this.app = app;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void roles(LocalPostgres postgres) {
    postgres.createRole("app", CANARY, null);
    postgres.createRole("rotated", ROTATED, null);
    postgres.createRole("again", AGAIN, null);
  }

  @Test
  void labelledSourcesShareOneWatchPerNamespaceAndMoveWithTheirLabel() throws Exception {
    k8s.namespace(NS);
    k8s.namespace(OTHER);
    String url = postgres.url("app", CANARY, "postgres");

    // 20 labelled sources: one watch for the namespace, none of their own.
    for (int i = 0; i < N; i++) {
      source(NS, "src-" + i, url, true);
      k8s.create(policy(NS, "svc-" + i, "src-" + i));
    }
    await().until(() -> IntStream.range(0, N).allMatch(i -> k8s.ready(NS, "svc-" + i)));
    assertThat(watches()).isEqualTo(new Watches(1, 0));
    assertThat(gauges()).isEqualTo(Map.of("namespace", 1.0, "secret", 0.0));
    assertThat(watchesOpened(NS, "labelSelector")).as("labelled watches in " + NS).isEqualTo(1);
    assertThat(watchesOpened(NS, "fieldSelector")).as("per-Secret watches in " + NS).isZero();

    // A rotation of a labelled source reaches its target.
    source(NS, "src-0", postgres.url("rotated", ROTATED, "postgres"), true);
    await().until(() -> targetPassword(NS, "svc-0").equals(ROTATED));

    // An unlabelled source works as before, with a watch of its own.
    source(NS, "plain", url, false);
    k8s.create(policy(NS, "plain", "plain"));
    k8s.awaitReady(NS, "plain");
    assertThat(watches()).isEqualTo(new Watches(1, 1));
    assertThat(watchesOpened(NS, "fieldSelector")).isEqualTo(1);

    // Labelled now: its own watch closes; still served, still Ready.
    label(NS, "plain", true);
    await().until(() -> watches().equals(new Watches(1, 0)));
    // ... and the API server saw that watch end.
    await()
        .until(
            () ->
                audit.requests().stream()
                    .anyMatch(
                        r ->
                            r.verb().equals("watch")
                                && r.stage().equals("ResponseComplete")
                                && r.uri().contains("fieldSelector=metadata.name%3Dplain")));
    assertThat(k8s.ready(NS, "plain")).isTrue();

    // Unlabelled again: its own watch starts again, and a rotation afterwards still arrives.
    label(NS, "plain", false);
    await().until(() -> watches().equals(new Watches(1, 1)));
    assertThat(watchesOpened(NS, "fieldSelector")).isEqualTo(2);
    source(NS, "plain", postgres.url("again", AGAIN, "postgres"), false);
    await().until(() -> targetPassword(NS, "plain").equals(AGAIN));

    // A labelled source deleted: its policy reports it missing; created again (labelled), it is
    // picked up and needs no watch of its own any more.
    client.secrets().inNamespace(NS).withName("src-1").delete();
    await().until(() -> k8s.reason(NS, "svc-1", "SecretSynced").equals("SourceSecretNotFound"));
    assertThat(k8s.ready(NS, "svc-1")).isFalse();
    source(NS, "src-1", postgres.url("again", AGAIN, "postgres"), true);
    await().until(() -> targetPassword(NS, "svc-1").equals(AGAIN));
    await().until(() -> watches().equals(new Watches(1, 1)));

    // A second namespace gets its own labelled watch, closed when its last policy goes.
    source(OTHER, "src", url, true);
    k8s.create(policy(OTHER, "svc", "src"));
    k8s.awaitReady(OTHER, "svc");
    assertThat(watches()).isEqualTo(new Watches(2, 1));
    client.resources(PostgresConnectionPolicy.class).inNamespace(OTHER).withName("svc").delete();
    await().until(() -> watches().equals(new Watches(1, 1)));
    assertThat(gauges()).isEqualTo(Map.of("namespace", 1.0, "secret", 1.0));

    assertNoPasswordIn(
        client.v1().events().inAnyNamespace().list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", (a, b) -> a + "\n" + b),
        client.resources(PostgresConnectionPolicy.class).inAnyNamespace().list().getItems().stream()
            .map(p -> io.fabric8.kubernetes.client.utils.Serialization.asJson(p.getStatus()))
            .reduce("", String::concat),
        metricsPage(),
        String.join("\n", logs.lines()));
  }

  private static PostgresConnectionPolicy policy(String ns, String name, String source) {
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(0);
    // Room for the policies created after the first twenty: running policies keep what they hold.
    auto.setMax(3);
    return Policies.policy(
        ns,
        name,
        source,
        spec -> {
          spec.getPool().setAuto(auto);
          spec.getPool().setSslMode("disable");
        });
  }

  /** Creates or replaces a source Secret, with or without the label. */
  private void source(String ns, String name, String url, boolean labelled) {
    Map<String, String> labels = labelled ? Map.of(SourceSpec.WATCH_LABEL, "true") : Map.of();
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .endMetadata()
            .withStringData(Map.of("DATABASE_URL", url))
            .build();
    client.secrets().inNamespace(ns).resource(secret).createOr(r -> r.update());
  }

  /** Adds or removes the label, leaving the content as it is. */
  private void label(String ns, String name, boolean labelled) {
    client
        .secrets()
        .inNamespace(ns)
        .withName(name)
        .edit(
            s -> {
              Map<String, String> labels =
                  new HashMap<>(
                      s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels());
              if (labelled) labels.put(SourceSpec.WATCH_LABEL, "true");
              else labels.remove(SourceSpec.WATCH_LABEL);
              s.getMetadata().setLabels(labels);
              return s;
            });
  }

  private Watches watches() {
    return app.context().getBean(PolicyReconciler.class).referencedSecretWatches();
  }

  private String targetPassword(String ns, String policy) throws Exception {
    String url = k8s.secretValue(ns, policy + "-connection", "DATABASE_URL").orElse(null);
    return url == null ? "" : ConnectionStringParser.parse(url).password();
  }

  /**
   * Watches on Secrets in the namespace the API server opened whose selector is of this kind: the
   * labelled ones select by the source label, the per-Secret ones by metadata.name.
   */
  private long watchesOpened(String ns, String selector) {
    return audit.requests().stream()
        .filter(AuditLog.Request::watchOpened)
        .filter(r -> r.resource().equals("secrets") && ns.equals(r.namespace()))
        .filter(
            r ->
                selector.equals("labelSelector")
                    ? r.uri().contains("source-secret")
                    : r.uri().contains("fieldSelector"))
        .count();
  }

  /** pgconn_referenced_secret_watches by kind, from /prometheus. */
  private Map<String, Double> gauges() {
    Map<String, Double> byKind = new HashMap<>();
    for (String line : metricsPage().lines().toList()) {
      if (!line.startsWith("pgconn_referenced_secret_watches{")) continue;
      String kind = line.replaceAll(".*kind=\"([a-z]+)\".*", "$1");
      byKind.put(kind, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
    return byKind;
  }

  private String metricsPage() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(app.metricsUrl() + "/prometheus")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertNoPasswordIn(String... texts) {
    for (String text : texts) {
      for (String password :
          List.of(
              CANARY,
              ROTATED,
              AGAIN,
              LocalPostgres.percentEncode(CANARY),
              LocalPostgres.percentEncode(ROTATED),
              LocalPostgres.percentEncode(AGAIN))) {
        assertThat(text).doesNotContain(password);
      }
    }
  }
}
