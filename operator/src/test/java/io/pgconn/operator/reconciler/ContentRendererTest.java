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
        .hasMessageContaining("URL twice");
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
