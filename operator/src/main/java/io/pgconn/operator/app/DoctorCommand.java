package io.pgconn.operator.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.probe.CheckResult;
import io.pgconn.operator.probe.CheckStatus;
import io.pgconn.operator.probe.ConnectionChecklist;
import io.pgconn.operator.probe.ProbePools;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import io.pgconn.operator.probe.ServerProbe;
import io.pgconn.operator.reconciler.MountedSource;
import io.pgconn.operator.reconciler.PolicyFailure;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.InvalidConnectionStringException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs the troubleshooting checklist on one connection string and the server behind it. The URL
 * comes from the argument, else $DATABASE_URL, else stdin; it is shown only redacted. Exit code: 0
 * no check failed, 1 a check failed, 2 the input is missing or unreadable.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Check a PostgreSQL connection string and the server behind it.",
      "The URL is read from the argument, else $DATABASE_URL, else stdin (prefer the last two:"
          + " an argument ends up in shell history and process lists).",
      "Exit codes: 0 no check failed, 1 a check failed, 2 missing or unreadable input."
    })
public class DoctorCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final String ENV = "DATABASE_URL";

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "URL",
      description = "the connection string (default: $DATABASE_URL, then stdin)")
  String url;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Option(
      names = "--connect-timeout",
      defaultValue = "5",
      description =
          "seconds to wait for the server when the URL sets none (default: ${DEFAULT-VALUE})")
  int connectTimeout;

  @Option(
      names = "--policy-spec",
      paramLabel = "JSON",
      description =
          "a policy's spec as JSON: read the connection from the source Secret mounted at"
              + " --source-dir in the shape spec.source names, with the sslmode the operator"
              + " writes, as the operator does; kubectl pgconn doctor passes it")
  String policySpec;

  @Option(
      names = "--source-dir",
      paramLabel = "DIR",
      description = "the source Secret mounted as a volume (with --policy-spec)")
  Path sourceDir;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "the Secret of spec.source.caSecretRef mounted as a volume (with --policy-spec)")
  Path caDir;

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description = "the policy's namespace, for messages (with --policy-spec)")
  String namespace;

  private InputStream in = System.in;
  private PrintStream out = System.out;
  private PrintStream err = System.err;
  private Function<String, String> environment = System::getenv;

  /** For tests and embedding: where the URL is read from and the report and errors go. */
  public void setStreams(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  /** For tests: the environment $DATABASE_URL is read from. */
  public void setEnvironment(Function<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws IOException {
    if (connectTimeout < 1) {
      err.println("error: --connect-timeout must be at least 1");
      return BAD_INPUT;
    }
    MountedSource mounted = null;
    if (policySpec != null) {
      try {
        mounted = mountedSource();
      } catch (PolicyFailure e) {
        err.println("error: " + e.getMessage());
        return BAD_INPUT;
      }
    }
    String input = mounted == null ? input() : null;
    if (mounted == null && (input == null || input.isBlank())) {
      err.println(
          "error: no connection string: pass it as an argument, in $" + ENV + " or on stdin");
      return BAD_INPUT;
    }
    String shown = null;
    List<CheckResult> checks;
    int code;
    ProbeResult probed = null;
    ConnectionLedger.ConsumerId own = null;
    try {
      ConnectionString cs = mounted != null ? mounted.base() : ConnectionStringParser.parse(input);
      shown = cs.redacted();
      // Only a URL that names its application_name can tell its own sessions from others'.
      String applicationName = cs.parameters().get("application_name");
      own =
          applicationName == null || applicationName.isEmpty()
              ? null
              : new ConnectionLedger.ConsumerId(applicationName, cs.user());
      if (ConnectionChecklist.canProbe(cs)) {
        try (ServerProbe probe = new ServerProbe(Clock.systemUTC())) {
          probed =
              probe.probe(
                  ConnectionChecklist.targetOf(cs, connectTimeout)
                      .withCaCertificates(mounted == null ? null : mounted.caPem()));
        }
      }
      checks = ConnectionChecklist.evaluate(cs, probed);
      if (mounted != null) checks = poolParametersAreThePolicys(checks);
      code = checks.stream().anyMatch(c -> c.status() == CheckStatus.Fail) ? FAILED : OK;
    } catch (InvalidConnectionStringException e) {
      checks = ConnectionChecklist.unreadable(e);
      code = BAD_INPUT;
    }
    List<ConnectionLedger.Line> ledger = ledger(probed);
    if (json) {
      printJson(shown, checks, code, ledger, own);
    } else {
      printText(shown, checks, code, ledger, own);
    }
    out.flush();
    return code;
  }

  /**
   * A policy's source is the base the operator tunes: it writes the pool parameters into every
   * output, so their absence from the source is no finding.
   */
  private static List<CheckResult> poolParametersAreThePolicys(List<CheckResult> checks) {
    return checks.stream()
        .map(
            c ->
                c.name().equals(ConnectionChecklist.POOL_PARAMETERS_PRESENT)
                        && c.status() != CheckStatus.Pass
                    ? new CheckResult(
                        c.name(),
                        CheckStatus.Pass,
                        "the policy's source: the operator writes the pool parameters into each"
                            + " output (kubectl pgconn status shows the limit and why)")
                    : c)
        .toList();
  }

  /** The connection of --policy-spec, read from the mounted Secrets as the reconcile reads it. */
  private MountedSource mountedSource() throws PolicyFailure {
    PolicySpec spec;
    try {
      spec =
          new ObjectMapper()
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(policySpec, PolicySpec.class);
    } catch (JsonProcessingException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "--policy-spec is not a policy's spec as JSON: " + e.getOriginalMessage());
    }
    if (sourceDir == null) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "--policy-spec needs --source-dir: the directory the source Secret is mounted at");
    }
    return MountedSource.read(spec, namespace, sourceDir, caDir);
  }

  private String input() throws IOException {
    if (url != null) {
      return url;
    }
    String fromEnv = environment.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    if (in == System.in && System.console() != null) {
      return null; // an interactive terminal: do not sit waiting for input nobody announced
    }
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Lines of the connection table the doctor prints at most; the rest is counted. */
  static final int MAX_LEDGER_LINES = 20;

  /**
   * Who holds connections on the server, by application_name and role, as the probe read them (its
   * own session left out): the table a policy's status.server.consumers shows, without allotments
   * (those are the policies', which a URL alone does not know). Empty when the probe did not log
   * in.
   */
  private static List<ConnectionLedger.Line> ledger(ProbeResult probed) {
    if (probed == null || !probed.ok()) return List.of();
    Map<ConnectionLedger.ConsumerId, Integer> held =
        ConnectionLedger.held(
            probed.facts().sessions(),
            ServerFacts.Client::applicationName,
            ServerFacts.Client::role);
    return ConnectionLedger.of(held, List.of(), ProbePools.APPLICATION_NAME).lines();
  }

  private void printLedger(List<ConnectionLedger.Line> ledger, ConnectionLedger.ConsumerId own) {
    if (ledger.isEmpty()) return;
    out.println(
        "who holds connections on the server (pg_stat_activity, this check's own left out):");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"HELD", "APPLICATION_NAME", "ROLE", ""});
    for (ConnectionLedger.Line line :
        ledger.subList(0, Math.min(MAX_LEDGER_LINES, ledger.size()))) {
      rows.add(
          new String[] {
            Integer.toString(line.held()),
            line.applicationName().isEmpty() ? "(none)" : line.applicationName(),
            line.role(),
            note(line, own)
          });
    }
    int[] width = new int[3];
    for (String[] row : rows) {
      for (int i = 0; i < 3; i++) width[i] = Math.max(width[i], row[i].length());
    }
    for (String[] row : rows) {
      out.println(
          ("  %" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s")
              .formatted(row[0], row[1], row[2], row[3])
              .stripTrailing());
    }
    if (ledger.size() > MAX_LEDGER_LINES) {
      out.println("  … " + (ledger.size() - MAX_LEDGER_LINES) + " more");
    }
  }

  private static String note(ConnectionLedger.Line line, ConnectionLedger.ConsumerId own) {
    if (line.standing() == ConnectionLedger.Standing.OPERATOR_PROBE) return "the operator's probe";
    if (own != null && line.id().equals(own)) return "this URL's application_name and role";
    return "";
  }

  private void printText(
      String shown,
      List<CheckResult> checks,
      int code,
      List<ConnectionLedger.Line> ledger,
      ConnectionLedger.ConsumerId own) {
    out.println(
        "pgconn doctor: "
            + (shown == null ? "(connection string not shown: it could not" + " be read)" : shown));
    int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (CheckResult c : checks) {
      out.printf("%-7s %-" + width + "s  %s%n", label(c.status()), c.name(), c.message());
    }
    out.println("verdict: " + verdict(checks, code));
    printLedger(ledger, own);
  }

  private void printJson(
      String shown,
      List<CheckResult> checks,
      int code,
      List<ConnectionLedger.Line> ledger,
      ConnectionLedger.ConsumerId own)
      throws IOException {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("url", shown);
    report.put("verdict", code == OK ? "pass" : code == FAILED ? "fail" : "bad-input");
    report.put("exitCode", code);
    List<Map<String, String>> list = new ArrayList<>();
    for (CheckResult c : checks) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("status", label(c.status()).toLowerCase(Locale.ROOT));
      m.put("message", c.message());
      list.add(m);
    }
    report.put("checks", list);
    List<Map<String, Object>> consumers = new ArrayList<>();
    for (ConnectionLedger.Line line : ledger) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("applicationName", line.applicationName());
      m.put("role", line.role());
      m.put("held", line.held());
      m.put("standing", own != null && line.id().equals(own) ? "ThisUrl" : line.standing().wire());
      consumers.add(m);
    }
    report.put("consumers", consumers);
    out.println(
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
  }

  private static String label(CheckStatus status) {
    return status.name().toUpperCase(Locale.ROOT);
  }

  private static String verdict(List<CheckResult> checks, int code) {
    long failed = checks.stream().filter(c -> c.status() == CheckStatus.Fail).count();
    long unknown = checks.stream().filter(c -> c.status() == CheckStatus.Unknown).count();
    String counts = failed + " of " + checks.size() + " checks failed, " + unknown + " unknown";
    return switch (code) {
      case OK -> "PASS (" + counts + ")";
      case FAILED -> "FAIL (" + counts + ")";
      default -> "BAD INPUT (the connection string could not be read)";
    };
  }
}
