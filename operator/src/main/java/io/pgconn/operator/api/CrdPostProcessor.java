package io.pgconn.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the fabric8 generator cannot say in the CRD, added right after it (process-classes, so every
 * build and test sees the CRD users install). Not used by the operator at run time.
 *
 * <ul>
 *   <li>Printer columns in the order {@link PostgresConnectionPolicy} declares them: the generator
 *       sorts them by JSON path, which made AGE the first column of {@code kubectl get}.
 *   <li>status.conditions as a list map keyed by type, as Kubernetes' own conditions are.
 *   <li>A description on the nodes no annotation reaches (the root, spec, status, list items and
 *       the fabric8 Condition and LabelSelector types), so {@code kubectl explain} says something
 *       everywhere; a test fails on any node left without one.
 * </ul>
 *
 * The generator writes with Jackson's YAML mapper, as this does: nodes left alone are byte for byte
 * what it wrote.
 */
public final class CrdPostProcessor {

  static final String FILE = "postgresconnectionpolicies.pgconn.io-v1.yml";

  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();

  /** By path: "" is the root, ".a.b" a property, "[]" a list's items, "{}" a map's values. */
  static final Map<String, String> DESCRIPTIONS =
      Map.ofEntries(
          Map.entry(
              "",
              "Which Secret holds a DATABASE_URL, how its pool is tuned and which workloads consume"
                  + " it. The operator writes tuned connection strings into a target Secret and"
                  + " restarts the workloads when their content changes."),
          Map.entry(
              ".spec",
              "What the policy asks for: the source Secret, pool settings, outputs, workloads and"
                  + " probe."),
          Map.entry(
              ".status",
              "What the operator found and did, as of status.observedGeneration. Written by the"
                  + " operator only."),
          Map.entry(
              ".spec.target.outputs[]",
              "One key of the target Secret and the client dialect it is written in."),
          Map.entry(".spec.target.labels{}", "The label's value."),
          Map.entry(".spec.target.annotations{}", "The annotation's value."),
          Map.entry(
              ".spec.workloads.refs[]",
              "A workload of the policy's namespace that reads the target Secret."),
          Map.entry(
              ".spec.workloads.selector.matchExpressions",
              "Label selector requirements; all must hold (ANDed with matchLabels)."),
          Map.entry(
              ".spec.workloads.selector.matchExpressions[]",
              "A label selector requirement: a key, an operator and values."),
          Map.entry(
              ".spec.workloads.selector.matchExpressions[].key",
              "The label key the requirement applies to."),
          Map.entry(
              ".spec.workloads.selector.matchExpressions[].operator",
              "In, NotIn, Exists or DoesNotExist."),
          Map.entry(
              ".spec.workloads.selector.matchExpressions[].values",
              "Label values for In and NotIn; empty for Exists and DoesNotExist."),
          Map.entry(".spec.workloads.selector.matchExpressions[].values[]", "A label value."),
          Map.entry(
              ".spec.workloads.selector.matchLabels",
              "Labels a workload must have, key: value (ANDed with matchExpressions)."),
          Map.entry(".spec.workloads.selector.matchLabels{}", "The label's value."),
          Map.entry(".status.checks[]", "One line of the troubleshooting checklist."),
          Map.entry(
              ".status.conditions[]",
              "One aspect of the policy's state, by type (Kubernetes condition conventions)."),
          Map.entry(
              ".status.conditions[].lastTransitionTime",
              "When the condition last changed status (RFC 3339)."),
          Map.entry(
              ".status.conditions[].message",
              "What happened, and what to change when the status is not the good one."),
          Map.entry(
              ".status.conditions[].observedGeneration",
              "The policy's metadata.generation the condition was set for."),
          Map.entry(
              ".status.conditions[].reason",
              "Why, as one CamelCase word (e.g. Reconciled, AuthenticationFailed)."),
          Map.entry(".status.conditions[].status", "True, False or Unknown."),
          Map.entry(
              ".status.conditions[].type",
              "Ready, ConnectionVerified, SecretSynced, BudgetSatisfied, WorkloadsUpToDate,"
                  + " Stalled or Reconciling."),
          Map.entry(
              ".status.server.consumers[]",
              "One consumer of the server (an application_name and role): connections held"
                  + " against what the policies allot it."),
          Map.entry(".status.warnings[]", "One warning, in words."),
          Map.entry(".status.workloads[]", "One workload's rollout state."));

  private CrdPostProcessor() {}

  /** Argument: the directory the generator wrote the CRD into. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]).resolve(FILE);
    List<String> columns =
        Arrays.stream(
                PostgresConnectionPolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    String generated = Files.readString(file, StandardCharsets.UTF_8);
    Files.writeString(file, process(generated, columns), StandardCharsets.UTF_8);
  }

  /**
   * @param columns printer column names in the order kubectl shows them
   * @throws IllegalArgumentException on a printer column not in {@code columns}: the build then
   *     fails instead of shipping a column nobody placed
   */
  static String process(String generated, List<String> columns) throws IOException {
    String header = generated.startsWith("#") ? generated.lines().findFirst().orElseThrow() : null;
    ObjectNode crd = (ObjectNode) YAML.readTree(generated);
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (version.get("additionalPrinterColumns") instanceof ArrayNode printed) {
        orderColumns(printed, columns);
      }
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      if (schema instanceof ObjectNode root) {
        conditionsAsMap(root);
        describe(root, "");
      }
    }
    String yaml = YAML.writeValueAsString(crd);
    return header == null ? yaml : header + "\n" + yaml;
  }

  private static void orderColumns(ArrayNode printed, List<String> columns) {
    List<JsonNode> entries = new ArrayList<>();
    printed.forEach(entries::add);
    for (JsonNode entry : entries) {
      if (!columns.contains(entry.path("name").asText())) {
        throw new IllegalArgumentException(
            "printer column not declared: " + entry.path("name").asText());
      }
    }
    entries.sort(Comparator.comparingInt(e -> columns.indexOf(e.path("name").asText())));
    printed.removeAll();
    entries.forEach(printed::add);
  }

  /** Kubernetes' conditions are a map keyed by type; a map key must be a required field. */
  private static void conditionsAsMap(ObjectNode root) {
    JsonNode conditions =
        root.path("properties").path("status").path("properties").path("conditions");
    if (!(conditions instanceof ObjectNode list)) return;
    list.put("x-kubernetes-list-type", "map");
    list.putArray("x-kubernetes-list-map-keys").add("type");
    if (list.get("items") instanceof ObjectNode item) {
      item.putArray("required").add("type").add("status");
      sortFields(item);
    }
    sortFields(list);
  }

  private static void describe(ObjectNode node, String path) {
    String description = DESCRIPTIONS.get(path);
    if (description != null && !node.has("description")) {
      node.put("description", description);
      sortFields(node);
    }
    if (node.get("properties") instanceof ObjectNode properties) {
      Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue() instanceof ObjectNode child)
          describe(child, path + "." + field.getKey());
      }
    }
    if (node.get("items") instanceof ObjectNode items) describe(items, path + "[]");
    if (node.get("additionalProperties") instanceof ObjectNode values)
      describe(values, path + "{}");
  }

  /** The generator writes each node's fields in alphabetical order; added ones follow suit. */
  private static void sortFields(ObjectNode node) {
    Map<String, JsonNode> sorted = new TreeMap<>();
    node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
    node.removeAll();
    sorted.forEach(node::set);
  }
}
