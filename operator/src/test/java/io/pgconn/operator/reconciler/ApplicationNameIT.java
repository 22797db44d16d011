package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.url.ConnectionStringParser;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The application_name the operator writes is exactly what PostgreSQL then shows in
 * pg_stat_activity, so the budget, which matches sessions by that name, counts a policy's own pods
 * as its own. PostgreSQL keeps 63 bytes of it: the default (the policy's name, up to 253
 * characters) is written cut to what the server keeps, and a configured name the CRD would refuse
 * today (stored before that validation existed) is written as the server would store it. Real
 * PostgreSQL 16, connecting with the JDBC URL the operator renders.
 */
@OperatorEnvironment(controlPlane = ControlPlane.NONE, operator = false, postgres = 16)
class ApplicationNameIT {

  static final String USER = "appname";
  static final String PASSWORD = "AppName-Canary-pw1";

  record Case(String policyName, String configured, String written) {
    @Override
    public String toString() {
      return policyName.length() + "-character policy name, configured " + configured;
    }
  }

  static List<Case> cases() {
    String sixtyThree = "a".repeat(20) + "-" + "b".repeat(20) + "-" + "c".repeat(21);
    String longest = ("x".repeat(61) + ".").repeat(4) + "end-of-name";
    return List.of(
        new Case("web", null, "web"),
        new Case(sixtyThree, null, sixtyThree),
        new Case(sixtyThree + "d", null, sixtyThree),
        new Case(longest, null, longest.substring(0, 63)),
        new Case("web", "café-checkout", "caf\\xc3\\xa9-checkout"),
        new Case("web", "z".repeat(70), "z".repeat(63)));
  }

  private final LocalPostgres postgres;

  ApplicationNameIT(LocalPostgres postgres) {
    this.postgres = postgres;
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole(USER, PASSWORD, null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theWrittenApplicationNameIsWhatTheServerShows(Case c) throws Exception {
    String jdbc = render(c.policyName(), c.configured());
    String written = ConnectionStringParser.parse(jdbc).parameters().get("ApplicationName");
    assertThat(written).isEqualTo(c.written());
    assertThat(written.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
    try (Connection connection = DriverManager.getConnection(jdbc);
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select application_name from pg_stat_activity where pid = pg_backend_pid()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(written);
    }
  }

  private String render(String policyName, String configured) throws Exception {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder()
            .withName(policyName)
            .withNamespace("ns")
            .withGeneration(1L)
            .build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("src", "DATABASE_URL"));
    spec.getTarget().setOutputs(List.of(new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true)));
    spec.getPool().setSslMode("disable");
    spec.getPool().setApplicationName(configured);
    policy.setSpec(spec);
    var base = ConnectionStringParser.parse(postgres.url(USER, PASSWORD, "postgres"));
    return ContentRenderer.render(
            PolicyView.of(policy),
            base,
            null,
            3,
            ContentHash.keyed(new byte[ContentHash.KEY_BYTES]))
        .data()
        .get("JDBC_URL");
  }
}
