package io.pgconn.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the CRD's printer columns in the order {@link PostgresConnectionPolicy} declares them. The
 * fabric8 generator sorts them by JSON path, which makes AGE the first column of {@code kubectl
 * get}; kubectl's convention is AGE last. A build step right after the generator (process-classes),
 * since the generator has no option for it, so every build and test sees the CRD users install. It
 * edits the generated text in place, entry by entry, so everything else stays exactly as the
 * generator wrote it. Not used by the operator at run time.
 */
public final class PrinterColumnOrder {

  static final String FILE = "postgresconnectionpolicies.pgconn.io-v1.yml";

  private static final String LIST = "  - additionalPrinterColumns:";
  private static final String ENTRY = "    - ";
  private static final String ENTRY_BODY = "      ";

  private PrinterColumnOrder() {}

  /** Argument: the directory the generator wrote the CRD into. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]).resolve(FILE);
    String generated = Files.readString(file, StandardCharsets.UTF_8);
    List<String> order =
        Arrays.stream(
                PostgresConnectionPolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    Files.writeString(file, reorder(generated, order), StandardCharsets.UTF_8);
  }

  /**
   * The same text with the entries of additionalPrinterColumns in {@code order} (by name).
   *
   * @throws IllegalArgumentException when a column is not in {@code order}, or the text has no
   *     printer columns: the build then fails instead of shipping a CRD nobody ordered
   */
  static String reorder(String crd, List<String> order) {
    List<String> lines = crd.lines().toList();
    int start = lines.indexOf(LIST);
    if (start < 0) throw new IllegalArgumentException("no additionalPrinterColumns in the CRD");
    int end = start + 1;
    List<List<String>> entries = new ArrayList<>();
    while (end < lines.size()
        && (lines.get(end).startsWith(ENTRY) || lines.get(end).startsWith(ENTRY_BODY))) {
      if (lines.get(end).startsWith(ENTRY)) entries.add(new ArrayList<>());
      entries.get(entries.size() - 1).add(lines.get(end));
      end++;
    }
    entries.sort(Comparator.comparingInt(entry -> position(entry, order)));
    List<String> out = new ArrayList<>(lines.subList(0, start + 1));
    entries.forEach(out::addAll);
    out.addAll(lines.subList(end, lines.size()));
    return String.join("\n", out) + (crd.endsWith("\n") ? "\n" : "");
  }

  private static int position(List<String> entry, List<String> order) {
    for (String line : entry) {
      String field = line.substring(ENTRY_BODY.length());
      if (field.startsWith("name: ")) {
        String name = field.substring("name: ".length()).replace("\"", "");
        int at = order.indexOf(name);
        if (at < 0) throw new IllegalArgumentException("printer column not declared: " + name);
        return at;
      }
    }
    throw new IllegalArgumentException("printer column without a name: " + entry);
  }
}
