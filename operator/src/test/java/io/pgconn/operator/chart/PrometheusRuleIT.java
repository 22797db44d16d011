package io.pgconn.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.testenv.GoTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alerts in a real Prometheus rule evaluator: the PrometheusRule rendered by helm, its
 * rule groups loaded by promtool (built from Go modules by tools/build-promtool.sh), checked, and
 * unit-tested against recorded series (src/test/resources/prometheus/rules-test.yaml): a failing
 * policy fires PgconnPolicyNotReady after 10 minutes and not before, a healthy one fires nothing, a
 * server at 85% of its usable slots fires and one at 70% does not, a held rollout and a conflicting
 * writer fire. That the metric names exist in the operator's real scrape is checked by
 * PolicyEndToEndIT (it runs the operator with metrics on every code path the names need).
 */
class PrometheusRuleIT {

  private static final String KUBE_VERSION =
      io.pgconn.operator.testenv.LocalControlPlane.K8S_VERSION;
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final List<String> ALERTS =
      List.of(
          "PgconnPolicyNotReady",
          "PgconnServerConnectionsNearlyFull",
          "PgconnRolloutHeld",
          "PgconnConflictingWriter");

  @TempDir static Path scratch;
  private static Helm helm;
  private static Path chart;
  private static Path promtool;

  @BeforeAll
  static void tools() {
    helm = Helm.locate(scratch);
    chart = Helm.repoRoot().resolve("helm/pgconn-operator");
    promtool = GoTool.locate("promtool", "github.com/prometheus/prometheus");
  }

  @Test
  void theRuleIsTheChartsRuleFileWithTheConfiguredLabelsAndOnlyWhenEnabled() throws IOException {
    GenericKubernetesResource rule =
        renderRule("prometheusRule:\n  enabled: true\n  labels: {release: prom}\n");
    assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
    assertEquals("pgconn-system", rule.getMetadata().getNamespace());
    assertEquals("prom", rule.getMetadata().getLabels().get("release"));
    assertEquals("pgconn-operator", rule.getMetadata().getLabels().get("app.kubernetes.io/name"));
    Map<?, ?> file =
        YAML.unmarshal(Files.readString(chart.resolve("files/prometheus-rules.yaml")), Map.class);
    assertEquals(file.get("groups"), rule.get("spec", "groups"));
    List<String> alerts = new ArrayList<>();
    for (Map<?, ?> group : (List<Map<?, ?>>) rule.get("spec", "groups")) {
      for (Map<?, ?> r : (List<Map<?, ?>>) group.get("rules")) alerts.add((String) r.get("alert"));
    }
    assertEquals(ALERTS, alerts);

    Helm.Result disabled = helm.run(template(""));
    assertTrue(disabled.ok(), disabled.describe());
    assertFalse(disabled.stdout().contains("kind: PrometheusRule"), disabled.stdout());
  }

  @Test
  void promtoolAcceptsTheRules() throws IOException {
    Path rules = extractRules();
    Run check = promtool("check", "rules", rules.toString());
    assertEquals(0, check.exitCode(), check.describe());
    assertTrue(check.output().contains("SUCCESS: 4 rules found"), check.describe());
  }

  @Test
  void promtoolUnitTestsPassOnTheRecordedSeries() throws IOException {
    Path tests = testsNextTo(extractRules(), resource("prometheus/rules-test.yaml"));
    Run run = promtool("test", "rules", tests.toString());
    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.output().contains("SUCCESS"), run.describe());
  }

  /**
   * The evaluator really evaluates: expecting the not-Ready alert after 9 minutes (before its 10
   * minutes have passed) fails, and so does expecting nothing from a server at 85%.
   */
  @Test
  void promtoolFailsAnExpectationTheRulesDoNotMeet() throws IOException {
    String tests = resource("prometheus/rules-test.yaml");
    String early = tests.replaceFirst("eval_time: 11m", "eval_time: 9m");
    assertNotEquals(tests, early);
    Run tooEarly = promtool("test", "rules", testsNextTo(extractRules(), early).toString());
    assertNotEquals(0, tooEarly.exitCode(), tooEarly.describe());
    assertTrue(tooEarly.output().contains("PgconnPolicyNotReady"), tooEarly.describe());

    String quiet =
        """
        rule_files: [rules.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'pgconn_server_connections_in_use{namespace="shop",policy="busy"}'
                values: '85x20'
              - series: 'pgconn_server_usable_connections{namespace="shop",policy="busy"}'
                values: '100x20'
            alert_rule_test:
              - {eval_time: 10m, alertname: PgconnServerConnectionsNearlyFull, exp_alerts: []}
        """;
    Run wrong = promtool("test", "rules", testsNextTo(extractRules(), quiet).toString());
    assertNotEquals(0, wrong.exitCode(), wrong.describe());
    assertTrue(wrong.output().contains("PgconnServerConnectionsNearlyFull"), wrong.describe());
  }

  /**
   * Thresholds from values: a policy failing for 3 minutes alerts with notReadyFor 3m (at 4m, not
   * at 2m) and says so in its summary; with serverUsageAbove 0.9 a server at 85% stays quiet and
   * one at 95% alerts after serverUsageFor, with "90%" in its description.
   */
  @Test
  void thresholdsComeFromTheValues() throws IOException {
    Path rules =
        extractRules(
            """
            prometheusRule:
              enabled: true
              notReadyFor: 3m
              serverUsageAbove: 0.9
              serverUsageFor: 2m
              rolloutHeldFor: 30m
            """);
    Map<String, Map<?, ?>> annotations = new HashMap<>();
    GenericKubernetesResource rule =
        renderRule(
            "prometheusRule: {enabled: true, notReadyFor: 3m, serverUsageAbove: 0.9,"
                + " rolloutHeldFor: 30m}\n");
    for (Map<?, ?> group : (List<Map<?, ?>>) rule.get("spec", "groups")) {
      for (Map<?, ?> r : (List<Map<?, ?>>) group.get("rules")) {
        annotations.put((String) r.get("alert"), (Map<?, ?>) r.get("annotations"));
      }
    }
    assertTrue(
        ((String) annotations.get("PgconnPolicyNotReady").get("summary"))
            .endsWith("has not been Ready for 3m"));
    assertTrue(
        ((String) annotations.get("PgconnServerConnectionsNearlyFull").get("description"))
            .startsWith("More than 90% of the server's usable connection slots"));
    assertTrue(
        ((String) annotations.get("PgconnRolloutHeld").get("summary"))
            .endsWith("has been held for 30m"));
    String tests =
        """
        rule_files: [rules.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'pgconn_policy_ready{namespace="shop",policy="failing"}'
                values: '0x20'
              - series: 'pgconn_server_connections_in_use{namespace="shop",policy="busy"}'
                values: '85x20'
              - series: 'pgconn_server_usable_connections{namespace="shop",policy="busy"}'
                values: '100x20'
              - series: 'pgconn_server_connections_in_use{namespace="shop",policy="full"}'
                values: '95x20'
              - series: 'pgconn_server_usable_connections{namespace="shop",policy="full"}'
                values: '100x20'
            alert_rule_test:
              - {eval_time: 2m, alertname: PgconnPolicyNotReady, exp_alerts: []}
              - eval_time: 4m
                alertname: PgconnPolicyNotReady
                exp_alerts:
                  - exp_labels: {severity: warning, namespace: shop, policy: failing}
                    exp_annotations:
                      summary: PostgresConnectionPolicy shop/failing has not been Ready for 3m
                      description: >-
                        Its workloads are held and its target Secret keeps its last good
                        content. The reason and the remedy are in its status: kubectl
                        describe pgcp -n shop failing
              - eval_time: 3m
                alertname: PgconnServerConnectionsNearlyFull
                exp_alerts:
                  - exp_labels: {severity: warning, namespace: shop, policy: full}
                    exp_annotations:
                      summary: The server of PostgresConnectionPolicy shop/full is 95% full
                      description: >-
                        More than 90% of the server's usable connection slots are in use, as
                        the policy's last probe saw them. Find who holds them
                        (pg_stat_activity by application_name) before a rollout's surge pods
                        are refused.
        """;
    Run run = promtool("test", "rules", testsNextTo(rules, tests).toString());
    assertEquals(0, run.exitCode(), run.describe());

    Run defaults = promtool("test", "rules", testsNextTo(extractRules(), tests).toString());
    assertNotEquals(
        0, defaults.exitCode(), "the default thresholds differ: " + defaults.describe());
  }

  /** The rendered PrometheusRule's groups, as a plain rule file promtool loads. */
  private static Path extractRules() throws IOException {
    return extractRules("prometheusRule: {enabled: true}\n");
  }

  private static Path extractRules(String values) throws IOException {
    GenericKubernetesResource rule = renderRule(values);
    Path dir = Files.createTempDirectory(scratch, "rules-");
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, YAML.asYaml(Map.of("groups", rule.get("spec", "groups"))));
    return file;
  }

  private static Path testsNextTo(Path rules, String tests) throws IOException {
    Path file = rules.resolveSibling("rules-test.yaml");
    Files.writeString(file, tests);
    return file;
  }

  private static GenericKubernetesResource renderRule(String values) throws IOException {
    List<String> args = template(values);
    args.addAll(List.of("--show-only", "templates/prometheusrule.yaml"));
    Helm.Result r = helm.run(args);
    assertTrue(r.ok(), r.describe());
    return YAML.unmarshal(r.stdout(), GenericKubernetesResource.class);
  }

  private static List<String> template(String values) throws IOException {
    Path file = Files.createTempFile(scratch, "values-", ".yaml");
    Files.writeString(file, values);
    return new ArrayList<>(
        List.of(
            "template",
            "pgconn-operator",
            chart.toString(),
            "--namespace",
            "pgconn-system",
            "--kube-version",
            KUBE_VERSION,
            "-f",
            file.toString()));
  }

  private static String resource(String name) {
    try (InputStream in = PrometheusRuleIT.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("no test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Run(List<String> command, int exitCode, String output) {
    String describe() {
      return String.join(" ", command) + " -> exit " + exitCode + "\n" + output;
    }
  }

  private static Run promtool(String... args) {
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(scratch, "promtool-", ".out");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish in 2 minutes");
      }
      return new Run(command, p.exitValue(), Files.readString(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
