package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.pgconn.operator.api.CaSecretRef;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.SourceFieldsSpec;
import io.pgconn.operator.api.SourceJsonSpec;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.HostPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Discrete keys (CloudNativePG), a JSON document (RDS) and a CA bundle are read into the base
 * connection; every refusal says what, where and how to fix it, and none quotes a value: the canary
 * password appears in no message.
 */
class SourceReaderTest {

  static final String CANARY = "Canary-Pa55-ZQX@:/?#%é";
  private static final SecretId ID = new SecretId("ns", "shop-db-app");

  static Secret secret(Map<String, String> data) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName("shop-db-app")
        .endMetadata()
        .withStringData(data)
        .build();
  }

  static Map<String, String> cloudNativePg() {
    return Map.of(
        "host", "shop-db-rw",
        "port", "5432",
        "dbname", "app",
        "user", "app",
        "password", CANARY,
        "username", "app",
        "uri", "postgresql://app:x@shop-db-rw:5432/app");
  }

  static SourceFieldsSpec fields() {
    SourceFieldsSpec spec = new SourceFieldsSpec();
    spec.setName("shop-db-app");
    return spec;
  }

  @Test
  void cloudNativePgAppSecretIsReadWithTheDefaultKeys() throws Exception {
    ConnectionString cs = SourceReader.fields(ID, fields(), secret(cloudNativePg()));
    assertThat(cs.hosts()).containsExactly(new HostPort("shop-db-rw", 5432));
    assertThat(cs.user()).isEqualTo("app");
    assertThat(cs.database()).isEqualTo("app");
    assertThat(cs.password()).isEqualTo(CANARY);
  }

  @Test
  void aMissingKeyNamesTheKeyTheFieldAndTheKeysThereAre() {
    SourceFieldsSpec spec = fields();
    spec.setPassword("pgpass");
    assertThatThrownBy(() -> SourceReader.fields(ID, spec, secret(cloudNativePg())))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("SourceKeyNotFound"))
        .message()
        .contains("has no key pgpass", "spec.source.fields.password", "dbname, host")
        .doesNotContain(CANARY)
        .doesNotContain("Canary");
  }

  @Test
  void aBadValueNamesItsKeyButNotTheValue() {
    Map<String, String> data = new java.util.HashMap<>(cloudNativePg());
    data.put("host", "db/" + CANARY);
    assertThatThrownBy(() -> SourceReader.fields(ID, fields(), secret(data)))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("InvalidSourceValue"))
        .message()
        .contains("key host of Secret ns/shop-db-app")
        .doesNotContain("Canary");
  }

  static String rds(String password) {
    return "{\"username\":\"billing\",\"password\":"
        + json(password)
        + ",\"engine\":\"postgres\",\"host\":\"billing.abc.eu-central-1.rds.amazonaws.com\","
        + "\"port\":5432,\"dbname\":\"billing\",\"dbInstanceIdentifier\":\"billing\"}";
  }

  static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void anRdsSecretIsReadFromItsJson() throws Exception {
    ConnectionString cs =
        SourceReader.json(
            ID, new SourceJsonSpec("shop-db-app", "secret"), secret(Map.of("secret", rds(CANARY))));
    assertThat(cs.hosts())
        .containsExactly(new HostPort("billing.abc.eu-central-1.rds.amazonaws.com", 5432));
    assertThat(cs.user()).isEqualTo("billing");
    assertThat(cs.password()).isEqualTo(CANARY);
    assertThat(cs.database()).isEqualTo("billing");
  }

  @Test
  void brokenOrIncompleteJsonIsRefusedWithoutEchoingIt() {
    SourceJsonSpec spec = new SourceJsonSpec("shop-db-app", "secret");
    List<String> bad =
        List.of(
            "{\"username\":\"u\",\"password\":\"" + CANARY + "\" \"host\":\"h\"}",
            "{\"username\":\"u\",\"password\":" + json(CANARY) + "}",
            "[" + json(CANARY) + "]",
            "{\"username\":\"u\",\"password\":" + json(CANARY) + ",\"host\":{\"a\":1}}",
            "{\"username\":\"u\",\"password\":"
                + json(CANARY)
                + ",\"host\":\"h\",\"engine\":\"mysql\"}",
            "{\"username\":\"u\",\"password\":" + json(CANARY) + ",\"host\":\"h\",\"port\":\"x\"}");
    for (String text : bad) {
      assertThatThrownBy(() -> SourceReader.json(ID, spec, secret(Map.of("secret", text))))
          .as(text.replace(CANARY, "<canary>"))
          .isInstanceOf(PolicyFailure.class)
          .message()
          .contains("key secret of Secret ns/shop-db-app")
          .doesNotContain("Canary");
    }
  }

  @Test
  void aMissingMemberListsTheMembersThereAre() {
    String text = "{\"username\":\"u\",\"password\":" + json(CANARY) + "}";
    assertThatThrownBy(
            () ->
                SourceReader.json(
                    ID,
                    new SourceJsonSpec("shop-db-app", "secret"),
                    secret(Map.of("secret", text))))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("InvalidSourceJson"))
        .message()
        .contains("no member \"host\"", "[password, username]");
  }

  /** RDS-managed master user secrets hold only username and password: the spec names the rest. */
  @Test
  void anRdsManagedSecretTakesHostPortAndDatabaseFromTheSpec() throws Exception {
    String text = "{\"username\":\"postgres\",\"password\":" + json(CANARY) + "}";
    SourceJsonSpec spec = new SourceJsonSpec("shop-db-app", "secret");
    assertThatThrownBy(() -> SourceReader.json(ID, spec, secret(Map.of("secret", text))))
        .message()
        .contains("set spec.source.json.host")
        .doesNotContain("Canary");
    spec.setHost("db.abc.eu-central-1.rds.amazonaws.com");
    spec.setPort(6543);
    spec.setDbname("shop");
    ConnectionString cs = SourceReader.json(ID, spec, secret(Map.of("secret", text)));
    assertThat(cs.hosts())
        .containsExactly(new HostPort("db.abc.eu-central-1.rds.amazonaws.com", 6543));
    assertThat(cs.database()).isEqualTo("shop");
    assertThat(cs.password()).isEqualTo(CANARY);
    // The JSON's own members win where it has them.
    ConnectionString full = SourceReader.json(ID, spec, secret(Map.of("secret", rds(CANARY))));
    assertThat(full.hosts())
        .containsExactly(new HostPort("billing.abc.eu-central-1.rds.amazonaws.com", 5432));
  }

  @Test
  void aCaSecretWithoutCertificatesIsRefused() {
    CaSecretRef ref = new CaSecretRef("shop-db-ca", "ca.crt", "/etc/pgconn/ca.crt");
    Secret notPem = secret(Map.of("ca.crt", "not a certificate " + CANARY));
    assertThatThrownBy(() -> CaBundle.read(ID, ref, notPem))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("InvalidCaBundle"))
        .message()
        .contains("key ca.crt of Secret ns/shop-db-app")
        .doesNotContain("Canary");
    assertThatThrownBy(() -> CaBundle.read(ID, ref, secret(Map.of("tls.crt", "x"))))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("SourceKeyNotFound"))
        .message()
        .contains("spec.source.caSecretRef.key");
  }

  @Test
  void theCaIsWrittenUnderCaCrtAndEveryOutputPointsAtItsMountPath() throws Exception {
    PolicyView view =
        ContentRendererTest.view(
            List.of(
                new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true),
                new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true),
                new OutputSpec("NODE_URL", OutputFormatName.node_postgres, true),
                new OutputSpec(null, OutputFormatName.env, true)));
    view.spec().getPool().setSslMode("verify-full");
    ConnectionString base = SourceReader.fields(ID, fields(), secret(cloudNativePg()));
    RenderedContent content =
        ContentRenderer.render(
            view,
            base,
            null,
            new CaBundle("PEM", "/etc/pgconn/ca.crt"),
            5,
            ContentHash.keyed(new byte[ContentHash.KEY_BYTES]));
    assertThat(content.data()).containsEntry("ca.crt", "PEM");
    assertThat(content.data().get("DATABASE_URL"))
        .contains("sslrootcert=%2Fetc%2Fpgconn%2Fca.crt", "sslmode=verify-full");
    assertThat(content.data().get("JDBC_URL")).contains("sslrootcert=");
    assertThat(content.data().get("NODE_URL")).contains("sslrootcert=");
    assertThat(content.data()).containsEntry("PGSSLROOTCERT", "/etc/pgconn/ca.crt");
  }

  @Test
  void anOutputNamedCaCrtCollidesWithTheBundle() {
    PolicyView view =
        ContentRendererTest.view(List.of(new OutputSpec("ca.crt", OutputFormatName.libpq, true)));
    assertThatThrownBy(
            () ->
                ContentRenderer.render(
                    view,
                    SourceReader.fields(ID, fields(), secret(cloudNativePg())),
                    null,
                    new CaBundle("PEM", "/etc/pgconn/ca.crt"),
                    5,
                    ContentHash.keyed(new byte[ContentHash.KEY_BYTES])))
        .isInstanceOfSatisfying(
            PolicyFailure.class, f -> assertThat(f.reason()).isEqualTo("DuplicateOutputKey"))
        .message()
        .contains("spec.source.caSecretRef");
  }
}
