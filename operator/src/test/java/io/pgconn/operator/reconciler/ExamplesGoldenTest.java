package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.examples.ExampleFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Same inputs, byte-identical Secrets: every example policy rendered at pool sizes 1, 5 and 37 must
 * match, key for key and byte for byte, what the renderer produced when this file was recorded. A
 * refactoring that changes one byte restarts every consumer of every policy, so it fails here
 * first. Record again only for an intended change of output: {@code mvn -pl operator test
 * -Dtest=ExamplesGoldenTest -Dgolden.update=true}.
 */
class ExamplesGoldenTest {

  /**
   * A fixed key, so the recorded hashes are reproducible; the operator draws a key at random per
   * namespace and derives each policy's from it (HashKeys). Only the hash lines depend on it: the
   * content lines never do.
   */
  private static final ContentHash HASH = ContentHash.keyed(fixedKey());

  private static final Path GOLDEN = Path.of("src/test/resources/golden/examples-rendered.txt");

  /**
   * The content, byte for byte, without the hash lines' hashes: this is what the consumers read,
   * and it must never change with the hash function or its key.
   */
  @Test
  void everyExampleRendersExactlyAsRecorded() throws Exception {
    String rendered = renderAll();
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, rendered, StandardCharsets.UTF_8);
    }
    String recorded = Files.readString(GOLDEN, StandardCharsets.UTF_8);
    assertThat(withoutHashes(rendered)).isEqualTo(withoutHashes(recorded));
  }

  /** The published hash (under the fixed key) of each content, as recorded. */
  @Test
  void everyExampleHashesExactlyAsRecorded() throws Exception {
    assertThat(renderAll()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  /** Each header line ends with the hash; everything else is content. */
  private static String withoutHashes(String golden) {
    return golden.replaceAll("(?m)^(## .*) \\S+$", "$1");
  }

  private static byte[] fixedKey() {
    byte[] key = new byte[ContentHash.KEY_BYTES];
    for (int i = 0; i < key.length; i++) key[i] = (byte) i;
    return key;
  }

  private static String renderAll() throws Exception {
    StringBuilder out = new StringBuilder();
    for (Path file : ExampleFiles.files()) {
      List<HasMetadata> items = ExampleFiles.load(file);
      for (HasMetadata item : items) {
        if (!(item instanceof PostgresConnectionPolicy policy)) continue;
        policy.getMetadata().setGeneration(1L);
        PolicyView view = PolicyView.of(policy);
        ExampleInputs inputs = ExampleInputs.of(file, policy);
        for (int limit : new int[] {1, 5, 37}) {
          RenderedContent content = inputs.render(policy, limit, HASH);
          out.append("## ")
              .append(ExampleFiles.root().relativize(file))
              .append(' ')
              .append(view.namespace())
              .append('/')
              .append(view.name())
              .append(" limit ")
              .append(limit)
              .append(' ')
              .append(content.hash())
              .append('\n');
          content.data().forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        }
      }
    }
    return out.toString();
  }
}
