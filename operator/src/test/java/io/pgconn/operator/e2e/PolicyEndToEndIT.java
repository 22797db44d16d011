package io.pgconn.operator.e2e;

import static io.pgconn.operator.testenv.ClusterFixtures.annotation;
import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.TestCluster;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.HostPort;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole path as a user walks it, on a real kube-apiserver and a real PostgreSQL 16 with ssl=on,
 * against the real Micronaut application: apply a Secret, a Deployment and a policy; read the tuned
 * Secret; watch the Deployment roll; rotate; break things.
 */
@OperatorEnvironment(
    logs = true,
    audit = Audit.SECRETS,
    postgres = 16,
    ssl = true,
    maxConnections = 60,
    deleteOnExistingCluster = {"shop", "late", "broken", "inplace", "seventeen"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyEndToEndIT {

  /** Every character class that URL encoding gets wrong; searched for everywhere at the end. */
  static final String CANARY = "Canary-Pa55@w0rd/%:?#&=+ é";

  static final String ROTATED = "Canary-R0tated@/%?";
  static final String APP_USER = "shop_app";
  static final String APP_DB = "shop";

  private final LogCapture logs;
  private final AuditLog audit;
  private final TestCluster controlPlane;
  private final LocalPostgres postgres;
  private final OperatorApp app;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  PolicyEndToEndIT(
      LogCapture logs,
      AuditLog audit,
      TestCluster controlPlane,
      LocalPostgres postgres,
      OperatorApp app,
      KubernetesClient client,
      ClusterFixtures k8s) {
    this.logs = logs;
    this.audit = audit;
    this.controlPlane = controlPlane;
    this.postgres = postgres;
    this.app = app;
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void appRoleAndDatabase(LocalPostgres postgres) {
    postgres.createRole(APP_USER, CANARY, null);
    postgres.createDatabase(APP_DB, APP_USER, null);
  }

  @Test
  @Order(1)
  void writesTunedUrlRollsTheDeploymentAndRollsAgainOnlyOnRealChange() throws Exception {
    String ns = "shop";
    k8s.namespace(ns);
    k8s.secret(
        ns,
        "railway-postgres",
        Map.of(
            "DATABASE_URL",
            postgres.url(APP_USER, CANARY, APP_DB)
                + "?sslmode=prefer&schema=shop&connection_limit=99"));
    k8s.deployment(ns, "backend", "shop-backend-connection");
    k8s.create(
        Policies.policy(
            ns,
            "shop-backend",
            "railway-postgres",
            spec -> {
              spec.getPool().setConnectionLimit(8);
              spec.getTarget()
                  .setOutputs(
                      List.of(
                          new OutputSpec("DATABASE_URL", OutputFormatName.prisma, true),
                          new OutputSpec("DIRECT_URL", OutputFormatName.libpq, false)));
              spec.getWorkloads()
                  .setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "backend")));
            }));

    await().until(() -> k8s.ready(ns, "shop-backend"));
    String url = k8s.secretValue(ns, "shop-backend-connection", "DATABASE_URL").orElseThrow();
    ConnectionString written = ConnectionStringParser.parse(url);
    assertThat(written.hosts()).containsExactly(new HostPort(LocalPostgres.HOST, postgres.port()));
    assertThat(written.user()).isEqualTo(APP_USER);
    assertThat(written.password()).isEqualTo(CANARY);
    assertThat(written.database()).isEqualTo(APP_DB);
    assertThat(written.parameters())
        .containsEntry("connection_limit", "8")
        .containsEntry("pool_timeout", "20")
        .containsEntry("connect_timeout", "10")
        .containsEntry("sslmode", "require")
        .containsEntry("application_name", "shop-backend")
        .containsEntry("schema", "shop");
    // The direct URL, unpooled in libpq's dialect, really logs in with the encoded password.
    ConnectionString direct =
        ConnectionStringParser.parse(
            k8s.secretValue(ns, "shop-backend-connection", "DIRECT_URL")
                .orElseThrow(
                    () ->
                        new AssertionError(
                            "target keys: "
                                + client
                                    .secrets()
                                    .inNamespace(ns)
                                    .withName("shop-backend-connection")
                                    .get()
                                    .getData()
                                    .keySet()
                                + " policy: "
                                + io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                    k8s.policy(ns, "shop-backend").getSpec().getTarget()))));
    assertThat(direct.parameters())
        .doesNotContainKeys("connection_limit", "pool_timeout", "schema");
    assertThat(currentUser(direct)).isEqualTo(APP_USER);

    PostgresConnectionPolicy policy = k8s.policy(ns, "shop-backend");
    String hash = policy.getStatus().getSecret().getContentHash();
    assertThat(hash).startsWith("hmac-sha256:");
    assertThat(policy.getStatus().getObservedGeneration())
        .isEqualTo(policy.getMetadata().getGeneration());
    assertThat(policy.getStatus().getServer().getVersion()).startsWith("16");
    assertThat(policy.getStatus().getServer().getMaxConnections()).isEqualTo(60);
    assertThat(policy.getStatus().getLastProbe().result()).isEqualTo("Success");
    assertThat(policy.getStatus().getServer().getUsage()).matches("\\d+/60");
    assertThat(policy.getStatus().getPool().getSslMode()).isEqualTo("require");
    assertThat(policy.getStatus().getChecks())
        .anySatisfy(c -> assertThat(c.name() + "=" + c.status()).isEqualTo("ssl-enabled=Pass"))
        .anySatisfy(
            c -> assertThat(c.name() + "=" + c.status()).isEqualTo("pool-parameters-present=Pass"))
        .anySatisfy(
            c ->
                assertThat(c.name() + "=" + c.status())
                    .isEqualTo("server-reachable-and-login-accepted=Pass"));
    // Without controllers (the default local control plane) the stamped Deployment never
    // reports a completed rollout: it stays Restarting, which does not make the policy un-Ready.
    assertThat(k8s.condition(ns, "shop-backend", "WorkloadsUpToDate"))
        .get()
        .satisfies(
            c ->
                assertThat(c.getStatus() + "/" + c.getReason())
                    .isIn("True/UpToDate", "False/RolloutInProgress"));
    // While the rollout is under way kstatus must see the policy as in progress.
    assertThat(
            k8s.condition(ns, "shop-backend", "Reconciling")
                .map(c -> c.getStatus())
                .orElse("absent"))
        .isEqualTo(
            k8s.condition(ns, "shop-backend", "WorkloadsUpToDate")
                    .orElseThrow()
                    .getStatus()
                    .equals("False")
                ? "True"
                : "absent");
    for (String type : List.of("ConnectionVerified", "SecretSynced")) {
      assertThat(k8s.condition(ns, "shop-backend", type))
          .get()
          .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
          .satisfies(
              c ->
                  assertThat(c.getObservedGeneration())
                      .isEqualTo(policy.getMetadata().getGeneration()))
          .satisfies(c -> assertThat(c.getLastTransitionTime()).isNotBlank());
    }
    Deployment rolled = k8s.getDeployment(ns, "backend").orElseThrow();
    assertThat(annotation(rolled, PodTemplateStamps.key("shop-backend"))).isEqualTo(hash);
    long generationAfterFirstRoll = rolled.getMetadata().getGeneration();
    assertThat(generationAfterFirstRoll).isEqualTo(2);

    // Rotate the password: new content, a new hash and a second roll.
    postgres.execute("ALTER ROLE " + APP_USER + " PASSWORD '" + ROTATED.replace("'", "''") + "'");
    k8s.replaceSecret(
        ns,
        "railway-postgres",
        Map.of(
            "DATABASE_URL",
            postgres.url(APP_USER, ROTATED, APP_DB) + "?sslmode=prefer&schema=shop"));
    await().until(() -> !hash.equals(contentHash(ns, "shop-backend")));
    String rotatedHash = contentHash(ns, "shop-backend");
    assertThat(
            ConnectionStringParser.parse(
                    k8s.secretValue(ns, "shop-backend-connection", "DATABASE_URL").orElseThrow())
                .password())
        .isEqualTo(ROTATED);
    await()
        .until(
            () ->
                rotatedHash.equals(
                    annotation(
                        k8s.getDeployment(ns, "backend").orElseThrow(),
                        PodTemplateStamps.key("shop-backend"))));
    assertThat(k8s.getDeployment(ns, "backend").orElseThrow().getMetadata().getGeneration())
        .isEqualTo(generationAfterFirstRoll + 1);

    // Touch the source without changing what it says: a reconcile runs, nothing rolls.
    k8s.replaceSecret(
        ns,
        "railway-postgres",
        Map.of(
            "DATABASE_URL",
            postgres.url(APP_USER, ROTATED, APP_DB) + "?sslmode=prefer&schema=shop",
            "UNRELATED",
            "x"));
    String touched = k8s.resourceVersion(ns, "railway-postgres");
    await()
        .until(
            () ->
                touched.equals(
                    k8s.policy(ns, "shop-backend").getStatus().getObservedSourceVersion()));
    assertThat(contentHash(ns, "shop-backend")).isEqualTo(rotatedHash);
    assertThat(k8s.getDeployment(ns, "backend").orElseThrow().getMetadata().getGeneration())
        .isEqualTo(generationAfterFirstRoll + 1);
  }

  @Test
  @Order(2)
  void restoresTheTargetWhenDeletedOrEdited() {
    String ns = "shop";
    String before = k8s.secretValue(ns, "shop-backend-connection", "DATABASE_URL").orElseThrow();
    client.secrets().inNamespace(ns).withName("shop-backend-connection").delete();
    await()
        .until(
            () ->
                k8s.secretValue(ns, "shop-backend-connection", "DATABASE_URL")
                    .filter(before::equals)
                    .isPresent());

    client
        .secrets()
        .inNamespace(ns)
        .withName("shop-backend-connection")
        .edit(
            s -> {
              s.getData()
                  .put(
                      "DATABASE_URL",
                      java.util.Base64.getEncoder()
                          .encodeToString(
                              "postgresql://someone:else@example.invalid/db".getBytes()));
              return s;
            });
    await()
        .until(
            () ->
                k8s.secretValue(ns, "shop-backend-connection", "DATABASE_URL")
                    .filter(before::equals)
                    .isPresent());
  }

  @Test
  @Order(3)
  void aMissingSourceSecretIsReportedAndPickedUpWhenItAppears() {
    String ns = "late";
    k8s.namespace(ns);
    // A max that leaves room for the later tests' policies: a running policy keeps what it holds.
    k8s.create(
        Policies.policy(
            ns,
            "late",
            "not-yet",
            spec -> {
              var auto = new io.pgconn.operator.api.AutoPoolSpec();
              auto.setMax(5);
              spec.getPool().setAuto(auto);
            }));
    await().until(() -> k8s.reason(ns, "late", "Ready").equals("SourceSecretNotFound"));
    assertThat(k8s.condition(ns, "late", "Ready").orElseThrow().getMessage())
        .contains("late/not-yet")
        .contains("create it");
    assertThat(client.secrets().inNamespace(ns).withName("late-connection").get()).isNull();

    k8s.secret(ns, "not-yet", Map.of("DATABASE_URL", postgres.url(APP_USER, ROTATED, APP_DB)));
    await().until(() -> k8s.ready(ns, "late"));
    assertThat(k8s.secretValue(ns, "late-connection", "DATABASE_URL")).isPresent();
  }

  @Test
  @Order(4)
  void badInputGivesSpecificReasonsAndKeepsTheLastGoodContent() {
    String ns = "broken";
    k8s.namespace(ns);
    k8s.secret(ns, "src", Map.of("DATABASE_URL", postgres.url(APP_USER, ROTATED, APP_DB)));
    // A fixed pool: an auto share may still move as peers of earlier tests leave the server,
    // which would change the content this test expects to be kept.
    k8s.create(Policies.policy(ns, "app", "src", spec -> spec.getPool().setConnectionLimit(3)));
    await().until(() -> k8s.ready(ns, "app"));
    String good = k8s.secretValue(ns, "app-connection", "DATABASE_URL").orElseThrow();

    k8s.replaceSecret(ns, "src", Map.of("URL", postgres.url(APP_USER, ROTATED, APP_DB)));
    await().until(() -> k8s.reason(ns, "app", "Ready").equals("SourceKeyNotFound"));
    assertThat(k8s.condition(ns, "app", "Ready").orElseThrow().getMessage()).contains("URL");

    k8s.replaceSecret(ns, "src", Map.of("DATABASE_URL", "mysql://u:" + CANARY + "@h/db"));
    await().until(() -> k8s.reason(ns, "app", "Ready").equals("InvalidConnectionString"));

    k8s.replaceSecret(
        ns, "src", Map.of("DATABASE_URL", postgres.url(APP_USER, CANARY + "-wrong", APP_DB)));
    await().until(() -> k8s.reason(ns, "app", "Ready").equals("AuthenticationFailed"));
    assertThat(k8s.condition(ns, "app", "ConnectionVerified").orElseThrow().getStatus())
        .isEqualTo("False");
    assertThat(k8s.policy(ns, "app").getStatus().getLastProbe().result())
        .isEqualTo("AuthenticationFailed");

    k8s.replaceSecret(
        ns, "src", Map.of("DATABASE_URL", "postgresql://" + APP_USER + ":x@127.0.0.1:1/" + APP_DB));
    await().until(() -> k8s.reason(ns, "app", "Ready").equals("ConnectionRefused"));

    // Through all of it, the app kept the last content that worked.
    assertThat(k8s.secretValue(ns, "app-connection", "DATABASE_URL")).contains(good);

    k8s.replaceSecret(ns, "src", Map.of("DATABASE_URL", postgres.url(APP_USER, ROTATED, APP_DB)));
    await().until(() -> k8s.ready(ns, "app"));
  }

  @Test
  @Order(5)
  void inPlaceModeSavesTheOriginalAdoptsRotationsAndStopsFightingAReverter() {
    String ns = "inplace";
    k8s.namespace(ns);
    String original = postgres.url(APP_USER, ROTATED, APP_DB);
    k8s.secret(ns, "db", Map.of("DATABASE_URL", original));
    k8s.create(
        Policies.policy(
            ns,
            "app",
            "db",
            spec -> {
              spec.getTarget().setSecretName("db");
              spec.getPool().setConnectionLimit(4);
            }));
    await().until(() -> k8s.ready(ns, "app"));
    String rewritten = k8s.secretValue(ns, "db", "DATABASE_URL").orElseThrow();
    assertThat(rewritten).contains("connection_limit=4");
    assertThat(k8s.secretValue(ns, "app-original", "DATABASE_URL")).contains(original);

    // A rotation by someone else becomes the new base.
    String rotated = postgres.url(APP_USER, ROTATED, APP_DB) + "?sslmode=require";
    k8s.replaceSecret(ns, "db", Map.of("DATABASE_URL", rotated));
    await()
        .until(
            () ->
                k8s.secretValue(ns, "app-original", "DATABASE_URL")
                    .filter(rotated::equals)
                    .isPresent());
    await()
        .until(
            () ->
                k8s.secretValue(ns, "db", "DATABASE_URL")
                    .filter(v -> v.contains("connection_limit=4"))
                    .isPresent());

    // A writer that keeps putting the original back: after three reverts the operator gives up.
    for (int i = 0; i < 3; i++) {
      await()
          .until(
              () ->
                  k8s.secretValue(ns, "db", "DATABASE_URL")
                          .filter(v -> v.contains("connection_limit=4"))
                          .isPresent()
                      || k8s.reason(ns, "app", "Ready").equals("ConflictingWriter"));
      k8s.replaceSecret(ns, "db", Map.of("DATABASE_URL", rotated));
    }
    await().until(() -> k8s.reason(ns, "app", "Ready").equals("ConflictingWriter"));
    assertThat(k8s.condition(ns, "app", "SecretSynced").orElseThrow().getMessage())
        .contains("stopped rewriting");
    assertThat(k8s.secretValue(ns, "db", "DATABASE_URL")).contains(rotated);

    // Deleting the policy puts the saved original back.
    client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName("app").delete();
    await().until(() -> k8s.policy(ns, "app") == null);
    assertThat(k8s.secretValue(ns, "db", "DATABASE_URL")).contains(rotated);
    assertThat(client.secrets().inNamespace(ns).withName("app-original").get()).isNull();
  }

  @Test
  @Order(6)
  void worksAgainstPostgres17() {
    try (LocalPostgres pg17 =
        LocalPostgres.builder().version(17).maxConnections(40).reservedConnections(2).start()) {
      pg17.createRole("app17", CANARY, 10);
      String ns = "seventeen";
      k8s.namespace(ns);
      k8s.secret(ns, "src", Map.of("DATABASE_URL", pg17.url("app17", CANARY, "postgres")));
      k8s.create(Policies.policy(ns, "app", "src", spec -> spec.getPool().setSslMode("disable")));
      await().until(() -> k8s.ready(ns, "app"));
      var status = k8s.policy(ns, "app").getStatus();
      assertThat(status.getServer().getVersion()).startsWith("17");
      assertThat(status.getServer().getReservedConnections()).isEqualTo(3 + 2);
      assertThat(status.getServer().getRoleConnectionLimit()).isEqualTo(10);
      // 10 role slots - 5 reserve - the operator's probe connection (as app17) = 4, one
      // consumer (no workloads listed).
      assertThat(status.getPool().getConnectionLimit()).isEqualTo(4);
      client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName("app").delete();
    }
  }

  @Test
  @Order(7)
  void readinessReflectsTheRunningOperator() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(app.url() + "/health/readiness"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"").contains("informersHealthy");
    var liveness =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(app.url() + "/health/liveness"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(liveness.statusCode()).isEqualTo(200);
  }

  @Test
  @Order(8)
  void prometheusShowsPolicyProbeAndSdkMetrics() {
    String metrics = metricsPage();
    assertThat(metrics)
        .contains("pgconn_pool_connection_limit{namespace=\"shop\",policy=\"shop-backend\"} 8.0")
        .contains("pgconn_server_max_connections{namespace=\"shop\",policy=\"shop-backend\"} 60.0")
        // What the chart's alerts use: usable slots (60 - the reserved ones), no conflict, no hold.
        .containsPattern(
            "pgconn_server_usable_connections\\{namespace=\"shop\",policy=\"shop-backend\"\\}"
                + " 5[0-9]\\.0")
        .contains(
            "pgconn_policy_conflicting_writer{namespace=\"shop\",policy=\"shop-backend\"} 0.0")
        .contains("pgconn_rollout_held{namespace=\"shop\",policy=\"shop-backend\"} 0.0")
        .containsPattern(
            "pgconn_probe_results_total\\{namespace=\"broken\",policy=\"app\","
                + "result=\"AuthenticationFailed\"\\} [1-9]")
        .contains("pgconn_probe_duration_seconds_bucket")
        // One histogram for every policy's probes, not one per policy.
        .doesNotContainPattern("pgconn_probe_duration_seconds_bucket\\{[^}]*policy=")
        .contains("pgconn_policy_ready{namespace=\"shop\",policy=\"shop-backend\"} 1.0")
        // broken/app went through five failures and was Ready again at the end of its test.
        .contains("pgconn_policy_ready{namespace=\"broken\",policy=\"app\"} 1.0")
        .containsPattern(
            "pgconn_workload_restarts_total\\{kind=\"Deployment\",namespace=\"shop\","
                + "policy=\"shop-backend\"\\} [2-9]")
        // JOSDK's own controller metrics.
        .contains("operator_sdk_");
  }

  /**
   * The chart's alerts and dashboard name only metrics this scrape really has: a renamed meter
   * would otherwise leave an alert that never fires and a panel that stays empty.
   */
  @Test
  @Order(9)
  void everyMetricTheChartsAlertsAndDashboardUseIsExposed() throws java.io.IOException {
    java.util.Set<String> exposed = new java.util.TreeSet<>();
    for (String line : metricsPage().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      exposed.add(line.split("[{ ]", 2)[0]);
    }
    java.nio.file.Path files =
        io.pgconn.operator.testenv.BuildScripts.toolsDir()
            .getParent()
            .resolve("helm/pgconn-operator/files");
    for (String file : List.of("prometheus-rules.yaml", "grafana-dashboard.json")) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\bpgconn_[a-z_]+")
              .matcher(java.nio.file.Files.readString(files.resolve(file)));
      java.util.Set<String> used = new java.util.TreeSet<>();
      while (m.find()) used.add(m.group());
      assertThat(used).as(file).isNotEmpty();
      assertThat(exposed).as("metrics %s uses", file).containsAll(used);
    }
  }

  @Test
  @Order(99)
  void theOperatorNeverListsOrWatchesEverySecret() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        controlPlane.local(), "the audit log is only available on the local control plane");
    // The test itself only gets, creates, updates and deletes Secrets by name, and the API
    // server's own loopback client (its user agent is kube-apiserver) caches every Secret for
    // itself: every other list or watch is the operator's, and each must be scoped by label or
    // by name: the operator's own label, the source label users put on (one watch per namespace),
    // or a Secret's name.
    var listsAndWatches =
        audit.requests().stream()
            .filter(r -> r.verb().equals("list") || r.verb().equals("watch"))
            .filter(r -> !r.userAgent().startsWith("kube-apiserver"))
            .toList();
    assertThat(listsAndWatches).isNotEmpty();
    assertThat(listsAndWatches)
        .allSatisfy(
            r ->
                assertThat(r.uri())
                    .matches(
                        ".*(labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpgconn-operator"
                            + "|labelSelector=pgconn.io%2Fsource-secret%3Dtrue"
                            + "|fieldSelector=metadata.name%3D).*"));
    assertThat(listsAndWatches).anySatisfy(r -> assertThat(r.uri()).contains("fieldSelector"));
  }

  @Test
  @Order(100)
  void noPasswordAppearsInStatusEventsOrLogs() {
    List<String> secrets =
        List.of(
            CANARY,
            ROTATED,
            LocalPostgres.percentEncode(CANARY),
            LocalPostgres.percentEncode(ROTATED));
    String statuses =
        client.resources(PostgresConnectionPolicy.class).inAnyNamespace().list().getItems().stream()
            .map(p -> io.fabric8.kubernetes.client.utils.Serialization.asJson(p))
            .reduce("", String::concat);
    String events =
        client.v1().events().inAnyNamespace().list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", (a, b) -> a + "\n" + b);
    assertThat(events).contains("SecretUpdated");
    String metrics = metricsPage();
    assertThat(logs.lines()).isNotEmpty();
    for (String secret : secrets) {
      assertThat(statuses).doesNotContain(secret);
      assertThat(events).doesNotContain(secret);
      assertThat(metrics).doesNotContain(secret);
      assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }
  }

  private String metricsPage() {
    try {
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(app.metricsUrl() + "/prometheus"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private String contentHash(String ns, String name) {
    var status = k8s.policy(ns, name).getStatus();
    return status == null || status.getSecret() == null ? "" : status.getSecret().getContentHash();
  }

  private String currentUser(ConnectionString cs) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", cs.user());
    props.setProperty("password", cs.password());
    props.setProperty("sslmode", cs.parameters().getOrDefault("sslmode", "prefer"));
    HostPort host = cs.hosts().get(0);
    AtomicReference<String> user = new AtomicReference<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://"
                    + host.host()
                    + ":"
                    + host.portOrDefault()
                    + "/"
                    + cs.database(),
                props);
        ResultSet rs = c.createStatement().executeQuery("select current_user")) {
      rs.next();
      user.set(rs.getString(1));
    }
    return user.get();
  }
}
