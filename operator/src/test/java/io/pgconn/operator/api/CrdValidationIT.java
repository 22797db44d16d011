package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
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
        "two outputs one key|{\"target\":{\"outputs\":[{\"key\":\"A\"},{\"key\":\"A\",\"format\":\"libpq\"}]}}|each output needs its own key",
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
      })
  void badManifestsAreRefusedWithAClearMessage(String what, String specPatch, String expected) {
    assertThatThrownBy(() -> client.resource(policy("bad", specPatch)).serverSideApply())
        .as(what)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(expected);
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
