package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.url.ConnectionStringParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentRendererTest {

  private static final ContentHash HASH = ContentHash.keyed(new byte[ContentHash.KEY_BYTES]);

  @Test
  void everyOutputLandsUnderItsKeyAndTheHashFollowsTheContent() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("DATABASE_URL", OutputFormatName.prisma, true),
                new OutputSpec("DIRECT_URL", OutputFormatName.libpq, false)));
    var base = ConnectionStringParser.parse("postgresql://u:p%40ss@db:5432/app?schema=s");
    RenderedContent content = ContentRenderer.render(view, base, null, 7, HASH);
    assertThat(content.data()).containsOnlyKeys("DATABASE_URL", "DIRECT_URL");
    assertThat(content.data().get("DATABASE_URL")).contains("connection_limit=7");
    assertThat(content.data().get("DIRECT_URL")).doesNotContain("connection_limit");
    assertThat(content.hash()).isEqualTo(HASH.of(content.data()));
    assertThat(ContentRenderer.render(view, base, null, 8, HASH).hash())
        .isNotEqualTo(content.hash());
  }

  @Test
  void twoOutputsOnOneKeyAreRefused() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("URL", OutputFormatName.prisma, true),
                new OutputSpec("URL", OutputFormatName.libpq, true)));
    var base = ConnectionStringParser.parse("postgresql://u:p@db/app");
    assertThatThrownBy(() -> ContentRenderer.render(view, base, null, 5, HASH))
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("DuplicateOutputKey"))
        .hasMessage(
            "spec.target.outputs[0] (prisma, key URL) and spec.target.outputs[1] (libpq, key URL)"
                + " would both write the key URL: give each output its own key");
  }

  /**
   * A pooled JDBC output for the app and an unpooled one for Flyway in one Secret: each writes its
   * Spring variables under its own keyPrefix, and the pool size only under the pooled one's.
   */
  @Test
  void aPooledAndAnUnpooledJdbcOutputShareOneSecret() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true),
                new OutputSpec("FLYWAY_URL", OutputFormatName.jdbc, false, "SPRING_FLYWAY_")));
    var base = ConnectionStringParser.parse("postgresql://u:secret-pw@db/app");
    RenderedContent content = ContentRenderer.render(view, base, null, 7, HASH);
    assertThat(content.data())
        .containsOnlyKeys(
            "JDBC_URL",
            "SPRING_DATASOURCE_URL",
            "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD",
            "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE",
            "SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT",
            "FLYWAY_URL",
            "SPRING_FLYWAY_URL",
            "SPRING_FLYWAY_USERNAME",
            "SPRING_FLYWAY_PASSWORD");
    assertThat(content.data().get("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE")).isEqualTo("7");
    assertThat(content.data().get("FLYWAY_URL")).contains("password=secret-pw");
  }

  @Test
  void twoJdbcOutputsWithoutAPrefixAreRefusedWithWhatWhereAndHow() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true),
                new OutputSpec("FLYWAY_URL", OutputFormatName.jdbc, false)));
    var base = ConnectionStringParser.parse("postgresql://u:secret-pw@db/app");
    assertThatThrownBy(() -> ContentRenderer.render(view, base, null, 5, HASH))
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("DuplicateOutputKey"))
        .hasMessageStartingWith(
            "spec.target.outputs[0] (jdbc, key JDBC_URL) and spec.target.outputs[1] (jdbc, key"
                + " FLYWAY_URL) would both write the key SPRING_DATASOURCE_")
        .hasMessageContaining("set keyPrefix on one of them")
        .hasMessageNotContaining("secret-pw");
  }

  @Test
  void anEnvOutputNeedsNoKeyAndItsWarningsNameIt() throws Exception {
    PolicyView view = view(List.of(new OutputSpec(null, OutputFormatName.env, true)));
    var base = ConnectionStringParser.parse("postgresql://u:p@db/app?schema=s");
    RenderedContent content = ContentRenderer.render(view, base, null, 5, HASH);
    assertThat(content.data()).containsKeys("PGHOST", "PGUSER", "PGPASSWORD");
    assertThat(content.warnings()).isNotEmpty().allMatch(w -> w.startsWith("env: "));
  }

  @Test
  void aKeylessJdbcOutputIsAnInvalidSpecNotACrash() throws Exception {
    PolicyView view = view(List.of(new OutputSpec(null, OutputFormatName.jdbc, true)));
    var base = ConnectionStringParser.parse("postgresql://u:p@db/app");
    assertThatThrownBy(() -> ContentRenderer.render(view, base, null, 5, HASH))
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("InvalidSpec"))
        .hasMessage(
            "spec.target.outputs[0]: format jdbc needs a key: it names the Secret key the"
                + " connection string is written to");
  }

  @Test
  void prismaWithVerifyFullIsRefusedNotWeakened() throws Exception {
    PolicyView view = view(List.of(new OutputSpec("DATABASE_URL", OutputFormatName.prisma, true)));
    view.spec().getPool().setSslMode("verify-full");
    var base = ConnectionStringParser.parse("postgresql://u:secret-pw@db/app");
    assertThatThrownBy(() -> ContentRenderer.render(view, base, null, 5, HASH))
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("UnsupportedSetting"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-pw"));
  }

  @Test
  void aVerifyFullSourceStaysVerifyFullUnderTheDefaultSpec() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true),
                new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true)));
    var base =
        ConnectionStringParser.parse(
            "postgresql://u:secret-pw@db/app?sslmode=verify-full" + "&sslrootcert=%2Fetc%2Fca.pem");
    RenderedContent content = ContentRenderer.render(view, base, null, 5, HASH);
    assertThat(content.data().get("DATABASE_URL"))
        .contains("sslmode=verify-full")
        .contains("sslrootcert=%2Fetc%2Fca.pem");
    assertThat(content.data().get("JDBC_URL"))
        .contains("sslmode=verify-full")
        .contains("sslrootcert=%2Fetc%2Fca.pem");
  }

  @Test
  void anExplicitlyWeakerSpecIsRefusedUnlessAllowed() throws Exception {
    PolicyView view = view(List.of(new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true)));
    view.spec().getPool().setSslMode("prefer");
    var base = ConnectionStringParser.parse("postgresql://u:secret-pw@db/app?sslmode=verify-ca");
    assertThatThrownBy(() -> ContentRenderer.render(view, base, null, 5, HASH))
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("SslModeWeakened"))
        .hasMessageContaining("allowWeakerSsl")
        .hasMessageNotContaining("secret-pw");
    view.spec().getPool().setAllowWeakerSsl(true);
    assertThat(ContentRenderer.render(view, base, null, 5, HASH).data().get("DATABASE_URL"))
        .contains("sslmode=prefer");
  }

  @Test
  void theDirectOutputKeepsTheDirectSourcesMode() throws Exception {
    PolicyView view =
        view(
            List.of(
                new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true),
                new OutputSpec("DIRECT_URL", OutputFormatName.libpq, false)));
    var pooled = ConnectionStringParser.parse("postgresql://u:p@pooler/app");
    var direct = ConnectionStringParser.parse("postgresql://u:p@db/app?sslmode=verify-full");
    RenderedContent content = ContentRenderer.render(view, pooled, direct, 5, HASH);
    assertThat(content.data().get("DATABASE_URL")).contains("sslmode=require");
    assertThat(content.data().get("DIRECT_URL")).contains("sslmode=verify-full");
  }

  static PolicyView view(List<OutputSpec> outputs) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder().withName("p").withNamespace("ns").withGeneration(1L).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("src", "DATABASE_URL"));
    spec.getTarget().setOutputs(outputs);
    policy.setSpec(spec);
    return PolicyView.of(policy);
  }
}
