package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.url.OutputFormat;
import io.pgconn.operator.url.OutputKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CRD's OpenAPI and CEL rules refuse bad manifests at the API server, with a clear message. */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, namespaces = "v")
class CrdValidationIT {

  private final KubernetesClient client;

  CrdValidationIT(KubernetesClient client) {
    this.client = client;
  }

  @Test
  void aMinimalPolicyIsAcceptedAndDefaulted() {
    // Structural defaults apply inside the objects a manifest has; the operator applies the same
    // defaults to those it leaves out.
    GenericKubernetesResource applied =
        client.resource(policy("ok", "{\"pool\":{},\"probe\":{}}")).serverSideApply();
    var spec = (java.util.Map<?, ?>) applied.getAdditionalProperties().get("spec");
    assertThat(Serialization.asJson(spec))
        .contains("\"mode\":\"Enforce\"")
        .contains("\"key\":\"DATABASE_URL\"")
        .contains("\"sslMode\":\"require\"");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fixed and auto together|{\"pool\":{\"connectionLimit\":5,\"auto\":{\"max\":9}}}|set connectionLimit (a fixed per-pod pool) or auto",
        "min above max|{\"pool\":{\"auto\":{\"min\":10,\"max\":5}}}|auto.min must not exceed auto.max",
        "two outputs one key|{\"target\":{\"outputs\":[{\"key\":\"A\"},{\"key\":\"A\",\"format\":\"libpq\"}]}}|two outputs would write the same Secret key: give each output its own key",
        "two jdbc outputs, one prefix|{\"target\":{\"outputs\":[{\"key\":\"A\",\"format\":\"jdbc\"},{\"key\":\"B\",\"format\":\"jdbc\",\"pooled\":false}]}}|each jdbc or env output its own keyPrefix",
        "jdbc without key|{\"target\":{\"outputs\":[{\"format\":\"jdbc\"}]}}|key is required: it names the Secret key the connection string is written to",
        "keyPrefix on prisma|{\"target\":{\"outputs\":[{\"key\":\"A\",\"keyPrefix\":\"X_\"}]}}|keyPrefix applies to the jdbc and env formats only",
        "keyPrefix not a key|{\"target\":{\"outputs\":[{\"key\":\"A\",\"format\":\"jdbc\",\"keyPrefix\":\"X Y\"}]}}|spec.target.outputs[0].keyPrefix",
        "unknown deletionPolicy|{\"target\":{\"deletionPolicy\":\"Orphan\"}}|Unsupported value: \"Orphan\"",
        "label managed-by|{\"target\":{\"labels\":{\"app.kubernetes.io/managed-by\":\"argocd\"}}}|spec.target.labels cannot set app.kubernetes.io/managed-by or keys under pgconn.io/",
        "label pgconn.io/policy|{\"target\":{\"labels\":{\"pgconn.io/policy\":\"other\"}}}|spec.target.labels cannot set",
        "annotation content hash|{\"target\":{\"annotations\":{\"content-hash.pgconn.io/x\":\"h\"}}}|spec.target.annotations cannot set",
        "annotation of the SDK|{\"target\":{\"annotations\":{\"javaoperatorsdk.io/previous\":\"1\"}}}|spec.target.annotations cannot set",
        "label key with a space|{\"target\":{\"labels\":{\"my team\":\"a\"}}}|spec.target.labels: keys must be qualified names",
        "annotation key with a bad prefix|{\"target\":{\"annotations\":{\"Example.com/x\":\"a b\"}}}|spec.target.annotations: keys must be qualified names",
        "labels in place|{\"target\":{\"secretName\":\"src\",\"labels\":{\"team\":\"a\"}}}|in place mode (spec.target.secretName names the source Secret) writes only the source's data",
        "unknown format|{\"target\":{\"outputs\":[{\"key\":\"A\",\"format\":\"mysql\"}]}}|Unsupported value: \"mysql\"",
        "unknown sslMode|{\"pool\":{\"sslMode\":\"verify-everything\"}}|spec.pool.sslMode",
        "unknown probe mode|{\"probe\":{\"mode\":\"Sometimes\"}}|Unsupported value: \"Sometimes\"",
        "pool of zero|{\"pool\":{\"connectionLimit\":0}}|spec.pool.connectionLimit",
        "interval in words|{\"probe\":{\"interval\":\"5 minutes\"}}|spec.probe.interval",
        "pool above 1000|{\"pool\":{\"connectionLimit\":1001}}|spec.pool.connectionLimit: Invalid value: 1001: spec.pool.connectionLimit in body should be less than or equal to 1000",
        "connect timeout above 60 s|{\"pool\":{\"connectTimeoutSeconds\":61}}|spec.pool.connectTimeoutSeconds in body should be less than or equal to 60",
        "weight above 100|{\"pool\":{\"auto\":{\"weight\":101}}}|spec.pool.auto.weight in body should be less than or equal to 100",
        "reserve above 1000|{\"pool\":{\"auto\":{\"reserve\":1001}}}|spec.pool.auto.reserve in body should be less than or equal to 1000",
        "auto max above 1000|{\"pool\":{\"auto\":{\"max\":1001}}}|spec.pool.auto.max in body should be less than or equal to 1000",
        "auto min above 1000|{\"pool\":{\"auto\":{\"min\":1001,\"max\":1000}}}|spec.pool.auto.min in body should be less than or equal to 1000",
        "interval too large to count|{\"probe\":{\"interval\":\"99999999999999h\"}}|spec.probe.interval",
        "interval above a day|{\"probe\":{\"interval\":\"25h\"}}|spec.probe.interval must be between 10s and 24h",
        "interval below 10 s|{\"probe\":{\"interval\":\"5s\"}}|spec.probe.interval must be between 10s and 24h",
        "bad secret name|{\"source\":{\"secretRef\":{\"name\":\"Not_A_Name\"}}}|spec.source.secretRef.name",
        "a URL and fields|{\"source\":{\"fields\":{\"name\":\"app\"}}}|set exactly one of secretRef (a URL in one key), fields",
        "a URL and json|{\"source\":{\"json\":{\"name\":\"rds\",\"key\":\"secret\"}}}|set exactly one of secretRef",
        "fields key with a space|{\"source\":{\"fields\":{\"name\":\"app\",\"password\":\"pass word\"}}}|spec.source.fields.password",
        "json port 0|{\"source\":{\"secretRef\":null,\"json\":{\"name\":\"rds\",\"key\":\"s\",\"port\":0}}}|spec.source.json.port",
        "json host with a slash|{\"source\":{\"json\":{\"name\":\"rds\",\"key\":\"s\",\"host\":\"db/x\"}}}|spec.source.json.host",
        "ca without name|{\"source\":{\"caSecretRef\":{\"key\":\"ca.crt\"}}}|spec.source.caSecretRef.name",
        "ca mount path relative|{\"source\":{\"caSecretRef\":{\"name\":\"ca\",\"mountPath\":\"ca.crt\"}}}|spec.source.caSecretRef.mountPath",
      })
  void badManifestsAreRefusedWithAClearMessage(String what, String specPatch, String expected) {
    assertThatThrownBy(() -> client.resource(policy("bad", specPatch)).serverSideApply())
        .as(what)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(expected);
  }

  @Test
  void theTargetsLifecycleMetadataAndComposedOutputsAreAccepted() {
    GenericKubernetesResource applied =
        client
            .resource(
                policy(
                    "composed",
                    "{\"target\":{\"labels\":{\"team\":\"a\",\"app.kubernetes.io/part-of\":\"shop\"},"
                        + "\"annotations\":{\"reloader.stakater.com/ignore\":\"true\"},"
                        + "\"outputs\":[{\"key\":\"JDBC_URL\",\"format\":\"jdbc\"},"
                        + "{\"key\":\"FLYWAY_URL\",\"format\":\"jdbc\",\"pooled\":false,"
                        + "\"keyPrefix\":\"SPRING_FLYWAY_\"},{\"format\":\"env\"},"
                        + "{\"format\":\"env\",\"keyPrefix\":\"DIRECT_\",\"pooled\":false}]}}"))
            .serverSideApply();
    String spec = Serialization.asJson(applied.getAdditionalProperties().get("spec"));
    assertThat(spec).contains("\"deletionPolicy\":\"Retain\"").contains("reloader.stakater.com");
  }

  /**
   * The CRD's rule and the operator's own check (OutputKeys, which the renderer uses) give the same
   * answer: every libpq variable an env output writes collides with a key of that name, with and
   * without a prefix, and each format's derived names collide where the operator says they do.
   */
  @Test
  void theCrdRuleAndTheOperatorAgreeOnWhichOutputsCollide() {
    java.util.List<java.util.List<OutputSpec>> cases = new java.util.ArrayList<>();
    for (String variable : new OutputKeys(OutputFormat.ENV, null, null).possible()) {
      cases.add(java.util.List.of(env(null), out(variable, OutputFormatName.prisma, null)));
      cases.add(java.util.List.of(env("D_"), out("D_" + variable, OutputFormatName.libpq, null)));
      cases.add(java.util.List.of(env("D_"), out(variable, OutputFormatName.pgx, null)));
    }
    for (String derived :
        new OutputKeys(OutputFormat.JDBC, "J", "APP_")
            .possible().stream().filter(k -> !k.equals("J")).toList()) {
      cases.add(
          java.util.List.of(
              out("J", OutputFormatName.jdbc, "APP_"),
              out(derived, OutputFormatName.prisma, null)));
      cases.add(
          java.util.List.of(
              out("J", OutputFormatName.jdbc, null), out(derived, OutputFormatName.prisma, null)));
    }
    cases.add(
        java.util.List.of(
            out("N", OutputFormatName.node_postgres, null),
            out("N_POOL_IDLE_TIMEOUT_MILLIS", OutputFormatName.prisma, null)));
    cases.add(
        java.util.List.of(
            out("N", OutputFormatName.node_postgres, null),
            out("N_POOL", OutputFormatName.node_postgres, null)));
    cases.add(
        java.util.List.of(
            out("P", OutputFormatName.prisma_adapter_pg, null),
            out("P_POOL_MAX", OutputFormatName.prisma, null)));
    cases.add(
        java.util.List.of(
            out("P", OutputFormatName.prisma_adapter_pg, null),
            out("P", OutputFormatName.node_postgres, null)));
    cases.add(
        java.util.List.of(
            out("P", OutputFormatName.prisma_adapter_pg, null),
            out("P_DIRECT", OutputFormatName.prisma_adapter_pg, null)));
    cases.add(java.util.List.of(env(null), env("")));
    cases.add(java.util.List.of(env(null), env(null)));
    cases.add(
        java.util.List.of(
            out("SPRING_DATASOURCE_URL", OutputFormatName.jdbc, null),
            out("X", OutputFormatName.prisma, null)));
    cases.add(
        java.util.List.of(
            out("A", OutputFormatName.jdbc, "A_"), out("B", OutputFormatName.jdbc, "B_")));
    cases.add(
        java.util.List.of(
            out("A", OutputFormatName.prisma, null), out("A", OutputFormatName.prisma, null)));
    int refused = 0;
    for (int i = 0; i < cases.size(); i++) {
      var outputs = cases.get(i);
      boolean operatorRefuses =
          OutputKeys.collision(
                  outputs.stream()
                      .map(
                          o ->
                              new OutputKeys(
                                  OutputFormat.parse(o.getFormat().wireName()),
                                  o.getKey(),
                                  o.getKeyPrefix()))
                      .toList(),
                  "outputs")
              .isPresent();
      String patch =
          "{\"target\":{\"outputs\":"
              + Serialization.asJson(
                  outputs.stream()
                      .map(
                          o -> {
                            var m = new java.util.LinkedHashMap<String, Object>();
                            if (o.getKey() != null) m.put("key", o.getKey());
                            m.put("format", o.getFormat().wireName());
                            if (o.getKeyPrefix() != null) m.put("keyPrefix", o.getKeyPrefix());
                            return m;
                          })
                      .toList())
              + "}}";
      boolean apiServerRefuses;
      try {
        client.resource(policy("agree-" + i, patch)).serverSideApply();
        apiServerRefuses = false;
      } catch (KubernetesClientException e) {
        assertThat(e.getMessage())
            .as(patch)
            .contains("two outputs would write the same Secret key");
        apiServerRefuses = true;
      }
      assertThat(apiServerRefuses).as(patch).isEqualTo(operatorRefuses);
      if (operatorRefuses) refused++;
    }
    // Both answers occur: the cases test the rule, not just one side of it.
    assertThat(refused).isGreaterThan(cases.size() / 2).isLessThan(cases.size());
  }

  private static OutputSpec out(String key, OutputFormatName format, String keyPrefix) {
    return new OutputSpec(key, format, true, keyPrefix);
  }

  private static OutputSpec env(String keyPrefix) {
    return out(null, OutputFormatName.env, keyPrefix);
  }

  /**
   * PostgreSQL keeps 63 bytes of application_name and replaces bytes outside printable ASCII, so a
   * name it would change is refused: the budget matches sessions by the name the server shows.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "64 bytes|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "not ASCII|café-checkout",
        "63 characters but 64 bytes|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxé",
      })
  void anApplicationNameTheServerWouldChangeIsRefused(String what, String name) {
    assertThatThrownBy(
            () ->
                client
                    .resource(
                        policy("bad-name", "{\"pool\":{\"applicationName\":\"" + name + "\"}}"))
                    .serverSideApply())
        .as(what)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("spec.pool.applicationName")
        .hasMessageContaining("at most 63 printable ASCII characters")
        .hasMessageContaining("leave it out");
  }

  @Test
  void aControlCharacterInTheApplicationNameIsRefused() {
    var bad = policy("tab-name", "{}");
    @SuppressWarnings("unchecked")
    var spec = (java.util.Map<String, Object>) bad.getAdditionalProperties().get("spec");
    spec.put("pool", new java.util.LinkedHashMap<>(java.util.Map.of("applicationName", "a\tb")));
    assertThatThrownBy(() -> client.resource(bad).serverSideApply())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("at most 63 printable ASCII characters");
  }

  @Test
  void sixtyThreePrintableAsciiCharactersAreAccepted() {
    String name = "shop api ~!@#$%^&*()_+{}|:<>?`-=[];',./ 0123456789 ABCxyz";
    name = name + "z".repeat(63 - name.length());
    assertThat(name).hasSize(63);
    var accepted = policy("long-name", "{}");
    @SuppressWarnings("unchecked")
    var spec = (java.util.Map<String, Object>) accepted.getAdditionalProperties().get("spec");
    spec.put("pool", new java.util.LinkedHashMap<>(java.util.Map.of("applicationName", name)));
    GenericKubernetesResource applied = client.resource(accepted).serverSideApply();
    assertThat(Serialization.asJson(applied.getAdditionalProperties().get("spec")))
        .contains(Serialization.asJson(name));
  }

  /** A source in exactly one shape, and no source at all, as the API server sees them. */
  @Test
  void exactlyOneSourceShapeIsAcceptedWithItsDefaults() {
    GenericKubernetesResource fields =
        client
            .resource(shaped("cnpg", "{\"fields\":{\"name\":\"shop-db-app\"}}"))
            .serverSideApply();
    assertThat(Serialization.asJson(fields.getAdditionalProperties().get("spec")))
        .contains("\"host\":\"host\"", "\"port\":\"port\"", "\"dbname\":\"dbname\"")
        .contains("\"user\":\"user\"", "\"password\":\"password\"");
    GenericKubernetesResource json =
        client
            .resource(
                shaped(
                    "rds",
                    "{\"json\":{\"name\":\"rds\",\"key\":\"secret\",\"host\":\"db.example.com\","
                        + "\"port\":5432,\"dbname\":\"shop db\"},"
                        + "\"caSecretRef\":{\"name\":\"rds-ca\"}}"))
            .serverSideApply();
    assertThat(Serialization.asJson(json.getAdditionalProperties().get("spec")))
        .contains("\"key\":\"ca.crt\"", "\"mountPath\":\"/etc/pgconn/ca.crt\"");
    assertThatThrownBy(() -> client.resource(shaped("none", "{}")).serverSideApply())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("set exactly one of secretRef");
    assertThatThrownBy(
            () ->
                client
                    .resource(
                        shaped(
                            "inplace",
                            "{\"fields\":{\"name\":\"shop-db-app\"}}",
                            "{\"secretName\":\"shop-db-app\"}"))
                    .serverSideApply())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("works only for a URL source (spec.source.secretRef)");
  }

  static GenericKubernetesResource shaped(String name, String source) {
    return shaped(name, source, "{}");
  }

  /** A policy whose spec.source (and spec.target) is exactly what is given. */
  static GenericKubernetesResource shaped(String name, String source, String target) {
    GenericKubernetesResource resource = policy(name, "{}");
    var spec = new java.util.LinkedHashMap<String, Object>();
    spec.put("source", Serialization.unmarshal(source, java.util.Map.class));
    spec.put("target", Serialization.unmarshal(target, java.util.Map.class));
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  /** A policy whose spec is {source: {secretRef: {name: src}}} deep-merged with the patch. */
  static GenericKubernetesResource policy(String name, String specPatch) {
    var spec = new java.util.LinkedHashMap<String, Object>();
    spec.put(
        "source",
        new java.util.LinkedHashMap<>(
            java.util.Map.of(
                "secretRef", new java.util.LinkedHashMap<>(java.util.Map.of("name", "src")))));
    merge(spec, Serialization.unmarshal(specPatch, java.util.Map.class));
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion("pgconn.io/v1alpha1");
    resource.setKind("PostgresConnectionPolicy");
    resource.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(name)
            .withNamespace("v")
            .build());
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  @SuppressWarnings("unchecked")
  static void merge(java.util.Map<String, Object> into, java.util.Map<String, Object> patch) {
    patch.forEach(
        (k, v) -> {
          if (v instanceof java.util.Map<?, ?> m
              && into.get(k) instanceof java.util.Map<?, ?> existing) {
            merge((java.util.Map<String, Object>) existing, (java.util.Map<String, Object>) m);
          } else {
            into.put(k, v);
          }
        });
  }
}
