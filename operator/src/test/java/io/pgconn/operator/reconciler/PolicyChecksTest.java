package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicyCheck;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.probe.ConnectionChecklist;
import io.pgconn.operator.url.ConnectionStringParser;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** status.checks for outputs whose pool size is not in the URL. */
class PolicyChecksTest {

  private static PolicyCheck poolCheck(OutputFormatName format, Map<String, String> data)
      throws Exception {
    PolicyView view =
        new PolicyView(
            "ns",
            "p",
            1,
            null,
            null,
            "p-connection",
            false,
            List.of(new OutputSpec("DATABASE_URL", format, true)),
            new PolicySpec());
    List<PolicyCheck> checks =
        PolicyChecks.of(
            view,
            ConnectionStringParser.parse("postgresql://u:p@db.example.com/app"),
            new RenderedContent(new TreeMap<>(data), "hash", List.of()),
            null,
            new PolicyStatus());
    return checks.stream()
        .filter(c -> c.name().equals(ConnectionChecklist.POOL_PARAMETERS_PRESENT))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theAdaptersPoolVariableIsItsPoolSize() throws Exception {
    PolicyCheck check =
        poolCheck(
            OutputFormatName.prisma_adapter_pg,
            Map.of(
                "DATABASE_URL", "postgresql://u:p@db.example.com/app?sslmode=no-verify",
                "DATABASE_URL_POOL_MAX", "5"));
    assertThat(check.status()).isEqualTo("Pass");
    assertThat(check.message()).startsWith("DATABASE_URL_POOL_MAX=5").contains("PrismaPg");
  }

  @Test
  void aPrismaUrlIsStillJudgedByItsConnectionLimit() throws Exception {
    PolicyCheck check =
        poolCheck(
            OutputFormatName.prisma,
            Map.of("DATABASE_URL", "postgresql://u:p@db.example.com/app?connection_limit=5"));
    assertThat(check.status()).isEqualTo("Pass");
    assertThat(check.message()).startsWith("connection_limit=5").contains("prisma-adapter-pg");
    assertThat(
            poolCheck(
                    OutputFormatName.node_postgres,
                    Map.of("DATABASE_URL", "postgresql://u:p@db.example.com/app"))
                .status())
        .as("an unpooled-looking node output without its _POOL_MAX is still reported")
        .isEqualTo("Fail");
  }
}
