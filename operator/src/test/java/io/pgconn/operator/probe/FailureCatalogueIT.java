package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.closeAll;
import static io.pgconn.operator.probe.ProbeFixtures.connect;
import static io.pgconn.operator.probe.ProbeFixtures.fillUntilRefused;
import static io.pgconn.operator.probe.ProbeFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every failure of the error catalogue, reproduced against real PostgreSQL 16 and 17 (or a real
 * local socket behaving that way), classified by the real ServerProbe.
 */
class FailureCatalogueIT {

  private final ServerProbe probe = new ServerProbe(Clock.systemUTC());
  private final List<Connection> held = new ArrayList<>();
  private final List<ProbeResult> results = new ArrayList<>();
  private LogCapture logs;

  @BeforeEach
  void captureLogs() {
    logs = LogCapture.install();
  }

  @AfterEach
  void noPasswordAnywhere() {
    closeAll(held);
    probe.close();
    logs.close();
    for (ProbeResult r : results) {
      assertThat(r.message()).doesNotContain(CANARY);
      assertThat(String.valueOf(r)).doesNotContain(CANARY);
    }
    assertThat(logs.lines()).noneMatch(l -> l.contains(CANARY));
  }

  private ProbeResult probe(ProbeTarget target) {
    ProbeResult r = probe.probe(target);
    results.add(r);
    return r;
  }

  private static void assertFailure(
      ProbeResult r, FailureReason reason, String prismaCode, String serverWords) {
    System.out.println("catalogue: " + r.result() + " -> " + r.message());
    assertThat(r.ok()).as("probe should fail").isFalse();
    assertThat(r.failure()).as(r.message()).isEqualTo(reason);
    assertThat(r.result()).isEqualTo(reason.name());
    assertThat(reason.prismaCode()).isEqualTo(prismaCode);
    if (prismaCode != null) {
      assertThat(r.message()).contains("[Prisma " + prismaCode + "]");
    }
    assertThat(r.message()).contains(serverWords).contains("Fix: ");
  }

  private static LocalPostgres.Builder server(int version) {
    return LocalPostgres.builder().version(version).superuserPassword(CANARY + "-su");
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void loginAndDatabaseFailures(int version) throws Exception {
    try (LocalPostgres pg = server(version).ssl(true).start()) {
      pg.createRole("app", CANARY, null);
      pg.createRole("limited", CANARY, 1);
      pg.execute("CREATE ROLE sleeper NOLOGIN PASSWORD " + LocalPostgres.quoteLiteral(CANARY));
      pg.createDatabase("small", "app", 1);
      pg.createDatabase("closed", "app", null);
      pg.execute("ALTER DATABASE closed ALLOW_CONNECTIONS false");

      ProbeResult healthy = probe(target(pg, "app", CANARY, "postgres", "require"));
      assertThat(healthy.ok()).as(healthy.message()).isTrue();
      assertThat(healthy.facts().version()).startsWith(version + ".");

      assertFailure(
          probe(target(pg, "app", CANARY + "-wrong", "postgres", "disable")),
          FailureReason.AuthenticationFailed,
          "P1000",
          "password authentication failed for user \"app\"");
      assertFailure(
          probe(target(pg, "sleeper", CANARY, "postgres", "disable")),
          FailureReason.LoginNotPermitted,
          "P1000",
          "role \"sleeper\" is not permitted to log in");
      assertFailure(
          probe(target(pg, "app", CANARY, "nosuchdb", "disable")),
          FailureReason.DatabaseNotFound,
          "P1003",
          "database \"nosuchdb\" does not exist");
      assertFailure(
          probe(target(pg, "app", CANARY, "closed", "disable")),
          FailureReason.DatabaseNotAccepting,
          null,
          "database \"closed\" is not currently accepting connections");

      held.add(connect(pg, "limited", CANARY, "postgres"));
      assertFailure(
          probe(target(pg, "limited", CANARY, "postgres", "disable")),
          FailureReason.RoleConnectionLimit,
          null,
          "too many connections for role \"limited\"");

      held.add(connect(pg, "app", CANARY, "small"));
      assertFailure(
          probe(target(pg, "app", CANARY, "small", "disable")),
          FailureReason.DatabaseConnectionLimit,
          null,
          "too many connections for database \"small\"");

      // The server's certificate is self-signed: verify-full has nothing to chain it to.
      assertFailure(
          probe(target(pg, "app", CANARY, "postgres", "verify-full")),
          FailureReason.SslFailure,
          "P1011",
          "SSL");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void connectionSlotsRunOut(int version) {
    try (LocalPostgres pg =
        server(version)
            .ssl(false)
            .maxConnections(8)
            .superuserReservedConnections(2)
            .reservedConnections(2)
            .start()) {
      pg.createRole("app", CANARY, null);
      pg.createRole("admin", CANARY, null);
      pg.execute("GRANT pg_use_reserved_connections TO admin");

      assertFailure(
          probe(target(pg, "app", CANARY, "postgres", "require")),
          FailureReason.SslNotSupported,
          "P1011",
          "does not support SSL");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ProbeFixtures.otherClientSessions(pg) == 0);
      // Ordinary slots used up: what is left is reserved for pg_use_reserved_connections (16+).
      assertThat(fillUntilRefused(pg, "app", CANARY, held).getMessage())
          .contains("pg_use_reserved_connections");
      assertFailure(
          probe(target(pg, "app", CANARY, "postgres", "disable")),
          FailureReason.ReservedForPrivilegedRoles,
          null,
          "pg_use_reserved_connections");

      // Reserved slots used up by a privileged role: only the superusers' slots are left.
      assertThat(fillUntilRefused(pg, "admin", CANARY, held).getMessage())
          .contains("SUPERUSER attribute");
      assertFailure(
          probe(target(pg, "admin", CANARY, "postgres", "disable")),
          FailureReason.ReservedSlotsOnly,
          null,
          "remaining connection slots are reserved for roles with the SUPERUSER attribute");
      assertFailure(
          probe(target(pg, "app", CANARY, "postgres", "disable")),
          FailureReason.ReservedSlotsOnly,
          null,
          "SUPERUSER attribute");

      // And then nothing at all.
      assertThat(
              fillUntilRefused(pg, LocalPostgres.SUPERUSER, pg.superuserPassword(), held)
                  .getMessage())
          .contains("too many clients");
      assertFailure(
          probe(target(pg, "app", CANARY, "postgres", "disable")),
          FailureReason.TooManyConnections,
          null,
          "sorry, too many clients already");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void pgHbaRejections(int version) throws IOException {
    try (LocalPostgres pg = server(version).ssl(true).start()) {
      for (String role : List.of("tlsonly", "plainonly", "rejected")) {
        pg.createRole(role, CANARY, null);
      }
      Path hba = pg.dataDir().resolve("pg_hba.conf");
      // Truncating the existing file keeps its owner (the server user when tests run as root).
      Files.writeString(
          hba,
          String.join(
              "\n",
              "local all all trust",
              "host all postgres 127.0.0.1/32 scram-sha-256",
              "host all ghost 127.0.0.1/32 trust",
              "hostssl all tlsonly 127.0.0.1/32 scram-sha-256",
              "hostnossl all plainonly 127.0.0.1/32 scram-sha-256",
              "host all rejected 127.0.0.1/32 reject",
              ""),
          StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      pg.execute("SELECT pg_reload_conf()");
      // The reload is asynchronous: wait until the new rules answer.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  probe.probe(target(pg, "ghost", CANARY, "postgres", "disable")).failure()
                      == FailureReason.RoleNotFound);

      assertFailure(
          probe(target(pg, "ghost", CANARY, "postgres", "disable")),
          FailureReason.RoleNotFound,
          "P1000",
          "role \"ghost\" does not exist");

      ProbeResult unencrypted = probe(target(pg, "tlsonly", CANARY, "postgres", "disable"));
      assertFailure(unencrypted, FailureReason.PgHbaRejected, "P1010", "no pg_hba.conf entry");
      assertThat(unencrypted.message()).contains("without encryption").contains("sslmode=require");

      ProbeResult encrypted = probe(target(pg, "plainonly", CANARY, "postgres", "require"));
      assertFailure(encrypted, FailureReason.PgHbaRejected, "P1010", "no pg_hba.conf entry");
      assertThat(encrypted.message()).contains("with SSL encryption").contains("hostssl");

      ProbeResult rejected = probe(target(pg, "rejected", CANARY, "postgres", "disable"));
      assertFailure(
          rejected, FailureReason.PgHbaRejected, "P1010", "pg_hba.conf rejects connection");
      assertThat(rejected.message()).contains("a reject line");

      // The matching encryption is let in.
      assertThat(probe(target(pg, "tlsonly", CANARY, "postgres", "require")).ok()).isTrue();
      assertThat(probe(target(pg, "plainonly", CANARY, "postgres", "disable")).ok()).isTrue();
    }
  }

  @Test
  void unknownHost() {
    assertFailure(
        probe(target("pgconn-doctor-test.invalid", 5432, "app", CANARY, "postgres", "disable", 2)),
        FailureReason.UnknownHost,
        "P1001",
        "pgconn-doctor-test.invalid");
  }

  @Test
  void connectionRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertFailure(
        probe(target("127.0.0.1", port, "app", CANARY, "postgres", "disable", 2)),
        FailureReason.ConnectionRefused,
        "P1001",
        "refused");
  }

  @Test
  void connectTimeoutWhenTheServerNeverAnswers() throws IOException {
    // The kernel completes the TCP handshake for the backlog; nobody ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      long t0 = System.nanoTime();
      ProbeResult r =
          probe(
              target("127.0.0.1", silent.getLocalPort(), "app", CANARY, "postgres", "disable", 1));
      assertFailure(r, FailureReason.ConnectTimeout, "P1001", "timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }
  }

  @Test
  void connectionClosedByTheServer() throws Exception {
    try (ServerSocket rude = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!rude.isClosed()) {
                  try (Socket s = rude.accept()) {
                    s.getInputStream().read(); // the client's first packet, then hang up
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      assertFailure(
          probe(target("127.0.0.1", rude.getLocalPort(), "app", CANARY, "postgres", "disable", 2)),
          FailureReason.ConnectionReset,
          "P1017",
          "");
    }
  }
}
