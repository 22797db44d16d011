package io.pgconn.operator.examples;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every YAML file under examples/, loaded with Fabric8's own deserializer. */
public final class ExampleFiles {

  private ExampleFiles() {}

  public static Path root() {
    String configured = System.getProperty("pgconn.examples.dir");
    if (configured != null) return Path.of(configured);
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples"))) return p.resolve("examples");
    }
    throw new IllegalStateException("examples/ not found from " + here);
  }

  public static List<Path> files() {
    try (Stream<Path> walk = Files.walk(root())) {
      return walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The objects a file's policies read: its own, plus the quick start's source Secret for the files
   * of examples/quickstart and its variants (they share quickstart/secret.yaml).
   */
  public static List<HasMetadata> withSharedSecret(Path file, List<HasMetadata> items) {
    Path relative = root().relativize(file);
    if (!relative.startsWith("quickstart") || relative.endsWith("secret.yaml")) return items;
    List<HasMetadata> out = new ArrayList<>(items);
    out.addAll(load(root().resolve("quickstart").resolve("secret.yaml")));
    return out;
  }

  public static List<HasMetadata> load(Path file) {
    try (InputStream in = Files.newInputStream(file);
        KubernetesClient offline = new KubernetesClientBuilder().build()) {
      return offline.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
