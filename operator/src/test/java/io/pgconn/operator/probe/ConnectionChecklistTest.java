package io.pgconn.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.HostPort;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks that read only the connection string (and a given probe result). */
class ConnectionChecklistTest {

  private static ConnectionString parse(String url) throws Exception {
    return ConnectionStringParser.parse(url);
  }

  private static CheckResult check(String url, String name) throws Exception {
    return ConnectionChecklist.evaluate(parse(url), null).stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void poolParameters() throws Exception {
    assertThat(
            check(
                    "postgresql://u:p@db.example.com/app?connection_limit=4",
                    ConnectionChecklist.POOL_PARAMETERS_PRESENT)
                .status())
        .isEqualTo(CheckStatus.Pass);
    assertThat(
            check(
                    "postgresql://u:p@db.example.com/app?pool_max_conns=4",
                    ConnectionChecklist.POOL_PARAMETERS_PRESENT)
                .status())
        .isEqualTo(CheckStatus.Pass);
    assertThat(
            check(
                    "postgresql://u:p@db.example.com/app",
                    ConnectionChecklist.POOL_PARAMETERS_PRESENT)
                .status())
        .isEqualTo(CheckStatus.Fail);
    assertThat(
            check(
                    "jdbc:postgresql://db.example.com/app",
                    ConnectionChecklist.POOL_PARAMETERS_PRESENT)
                .status())
        .isEqualTo(CheckStatus.Unknown);
  }

  @Test
  void sslModesSayWhatTheyGuarantee() throws Exception {
    CheckResult require =
        check(
            "postgresql://u:p@db.example.com/app?sslmode=require", ConnectionChecklist.SSL_ENABLED);
    assertThat(require.status()).isEqualTo(CheckStatus.Pass);
    assertThat(require.message()).contains("not verified");
    // Without Prisma parameters the URL may be libpq's: verify-full holds, with a Prisma caveat.
    CheckResult libpq =
        check(
            "postgresql://u:p@db.example.com/app?sslmode=verify-full",
            ConnectionChecklist.SSL_ENABLED);
    assertThat(libpq.status()).isEqualTo(CheckStatus.Pass);
    assertThat(libpq.message()).contains("treats verify-full as prefer");
    assertThat(
            check(
                    "postgresql://u:p@db.example.com/app?sslmode=verify-ca&connection_limit=2",
                    ConnectionChecklist.SSL_ENABLED)
                .status())
        .isEqualTo(CheckStatus.Fail);
    assertThat(
            check(
                    "postgresql://u:p@db.example.com/app?sslmode=prefer",
                    ConnectionChecklist.SSL_ENABLED)
                .status())
        .isEqualTo(CheckStatus.Fail);
    assertThat(
            check("postgresql://u:p@localhost/app?sslmode=disable", ConnectionChecklist.SSL_ENABLED)
                .status())
        .isEqualTo(CheckStatus.Pass);
  }

  @Test
  void poolerHeuristics() throws Exception {
    String name = ConnectionChecklist.POOLER_DETECTED;
    CheckResult supavisor =
        check(
            "postgresql://postgres.ref:p@aws-0-eu-central-1.pooler.supabase.com"
                + ":6543/postgres?connection_limit=1",
            name);
    assertThat(supavisor.status()).isEqualTo(CheckStatus.Fail);
    assertThat(supavisor.message()).contains("port 6543").contains("pgbouncer=true");
    assertThat(
            check(
                    "postgresql://postgres.ref:p@aws-0-eu-central-1.pooler.supabase.com:6543"
                        + "/postgres?connection_limit=1&pgbouncer=true",
                    name)
                .status())
        .isEqualTo(CheckStatus.Pass);
    CheckResult session =
        check("postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:5432/db", name);
    assertThat(session.status()).isEqualTo(CheckStatus.Pass);
    assertThat(session.message()).contains("session mode");
    // Neon's PgBouncer keeps named prepared statements: pgjdbc needs no prepareThreshold=0 there.
    assertThat(check("jdbc:postgresql://ep-x-pooler.eu-central-1.aws.neon.tech/db", name).status())
        .isEqualTo(CheckStatus.Pass);
    assertThat(check("jdbc:postgresql://x-pooler.example.com/db", name).status())
        .isEqualTo(CheckStatus.Fail);
    assertThat(
            check(
                    "jdbc:postgresql://ep-x-pooler.eu-central-1.aws.neon.tech/db?prepareThreshold=0",
                    name)
                .status())
        .isEqualTo(CheckStatus.Pass);
    assertThat(check("postgresql://u:p@db.example.com/app", name).message())
        .startsWith("no pooler detected");
  }

  @Test
  void aPrismaPoolInTheUrlSaysWhichFormatPrisma7Needs() throws Exception {
    String name = ConnectionChecklist.POOL_PARAMETERS_PRESENT;
    CheckResult prisma6 = check("postgresql://u:p@db.example.com/app?connection_limit=4", name);
    assertThat(prisma6.status()).isEqualTo(CheckStatus.Pass);
    assertThat(prisma6.message())
        .startsWith("connection_limit=4 per instance")
        .contains("Prisma 6 and earlier")
        .contains("format prisma-adapter-pg");
    assertThat(check("postgresql://u:p@db.example.com/app?pool_max_conns=4", name).message())
        .doesNotContain("prisma-adapter-pg");
  }

  @Test
  void pgbouncerFlagRulePerProvider() {
    record Case(String host, int port, PoolerKind kind, boolean prismaNeedsFlag) {}
    List<Case> cases =
        List.of(
            new Case(
                "aws-0-eu-central-1.pooler.supabase.com",
                6543,
                PoolerKind.SUPABASE_TRANSACTION,
                true),
            new Case(
                "aws-0-eu-central-1.pooler.supabase.com", 5432, PoolerKind.SUPABASE_SESSION, false),
            new Case(
                "ep-cool-name-123-pooler.eu-central-1.aws.neon.tech",
                5432,
                PoolerKind.NEON_POOLER,
                false),
            new Case("EP-X-POOLER.us-east-2.aws.neon.tech", 5432, PoolerKind.NEON_POOLER, false),
            new Case("ep-cool-name-123.eu-central-1.aws.neon.tech", 5432, PoolerKind.NONE, false),
            new Case("pgbouncer-pooler.db.svc", 5432, PoolerKind.OTHER_TRANSACTION, true),
            new Case("db.example.com", 6543, PoolerKind.OTHER_TRANSACTION, true),
            new Case("db.example.com", 5432, PoolerKind.NONE, false));
    for (Case c : cases) {
      PoolerKind kind = PoolerKind.of(new HostPort(c.host(), c.port()));
      assertThat(kind).as(c.host() + ":" + c.port()).isEqualTo(c.kind());
      assertThat(kind.prismaNeedsPgbouncerFlag()).as(c.host()).isEqualTo(c.prismaNeedsFlag());
    }
  }

  @Test
  void pgbouncerFlagIsAskedForOrWarnedAboutNeverChanged() throws Exception {
    String name = ConnectionChecklist.POOLER_DETECTED;
    String neon = "postgresql://u:p@ep-x-pooler.eu-central-1.aws.neon.tech/db?connection_limit=3";
    CheckResult neonWithout = check(neon, name);
    assertThat(neonWithout.status()).isEqualTo(CheckStatus.Pass);
    assertThat(neonWithout.message())
        .contains("pgbouncer=true not needed")
        .doesNotContain("warning");
    CheckResult neonWith = check(neon + "&pgbouncer=true", name);
    assertThat(neonWith.status()).isEqualTo(CheckStatus.Pass);
    assertThat(neonWith.message()).contains("warning: pgbouncer=true is not needed here");
    CheckResult sessionWith =
        check(
            "postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:5432/db?pgbouncer=true", name);
    assertThat(sessionWith.message()).contains("warning").contains("session mode");
    CheckResult transactionWith =
        check(
            "postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/db?connection_limit=1"
                + "&pgbouncer=true",
            name);
    assertThat(transactionWith.status()).isEqualTo(CheckStatus.Pass);
    assertThat(transactionWith.message()).doesNotContain("warning");
    CheckResult transactionWithout =
        check(
            "postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/db?connection_limit=1",
            name);
    assertThat(transactionWithout.status()).isEqualTo(CheckStatus.Fail);
    assertThat(transactionWithout.message())
        .contains("Prisma 6 and earlier")
        .contains("prisma-adapter-pg");
    // A node-postgres / prisma-adapter-pg URL (no Prisma parameters) is not asked for the flag.
    assertThat(
            check("postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/db", name).status())
        .isEqualTo(CheckStatus.Pass);
  }

  @Test
  void acceleratePassesWhatItCanAndCannotBeProbed() throws Exception {
    ConnectionString cs = parse("prisma://accelerate.prisma-data.net/?api_key=secret-key-123");
    assertThat(ConnectionChecklist.canProbe(cs)).isFalse();
    List<CheckResult> checks = ConnectionChecklist.evaluate(cs, null);
    assertThat(checks)
        .extracting(CheckResult::message)
        .noneMatch(m -> m.contains("secret-key-123"));
    assertThat(checks.get(3).status()).isEqualTo(CheckStatus.Unknown);
  }

  @Test
  void usageAtOrAboveEightyPercentFails() throws Exception {
    ConnectionString cs = parse("postgresql://u:p@localhost/app?connection_limit=2");
    ServerFacts busy = new ServerFacts("17.6", 100, 3, 2, -1, -1, 76, 0, 0, Map.of(), null);
    ServerFacts calm = new ServerFacts("17.6", 100, 3, 2, -1, -1, 75, 0, 0, Map.of(), null);
    assertThat(ConnectionChecklist.usage(ProbeResult.success(Instant.EPOCH, 1, busy)).status())
        .isEqualTo(CheckStatus.Fail); // 76 of 95
    assertThat(ConnectionChecklist.usage(ProbeResult.success(Instant.EPOCH, 1, calm)).status())
        .isEqualTo(CheckStatus.Pass); // 75 of 95 = 78.9%
    assertThat(ConnectionChecklist.evaluate(cs, null)).hasSize(7);
  }

  /** A raw '&' in a JDBC password makes its tail a parameter: no check names it. */
  @Test
  void theTailOfAPasswordSplitAtARawAmpersandIsInNoCheck() throws Exception {
    var cs = parse("jdbc:postgresql://db.example.com:5432/app?user=app&password=ab&Canary7Tail=x9");
    assertThat(ConnectionChecklist.evaluate(cs, null))
        .isNotEmpty()
        .allSatisfy(
            c -> assertThat(c.name() + " " + c.message()).doesNotContain("Canary7Tail", "x9"));
  }
}
