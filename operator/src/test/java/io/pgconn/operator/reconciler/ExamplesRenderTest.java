package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.examples.ExampleFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example policy, rendered from its own Secret's URL with the operator's renderer: no example
 * may ask for something the engine refuses (e.g. verify-full for Prisma).
 */
class ExamplesRenderTest {

  private static final ContentHash HASH = ContentHash.keyed(new byte[ContentHash.KEY_BYTES]);

  static Stream<Path> examples() {
    return ExampleFiles.files().stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyPolicyRendersFromItsSecret(Path file) throws Exception {
    List<HasMetadata> items = ExampleFiles.load(file);
    long declared =
        java.nio.file.Files.readString(file)
            .lines()
            .filter(l -> l.strip().equals("kind: PostgresConnectionPolicy"))
            .count();
    assertThat(items.stream().filter(PostgresConnectionPolicy.class::isInstance).count())
        .as("%s: policies loaded as typed objects", file)
        .isEqualTo(declared);
    for (HasMetadata item : items) {
      if (!(item instanceof PostgresConnectionPolicy policy)) continue;
      policy.getMetadata().setGeneration(1L);
      RenderedContent content = ExampleInputs.of(file, policy).render(policy, 5, HASH);
      assertThat(content.data()).as(file.toString()).isNotEmpty();
      content.data().values().forEach(v -> assertThat(v).isNotBlank());
    }
  }
}
