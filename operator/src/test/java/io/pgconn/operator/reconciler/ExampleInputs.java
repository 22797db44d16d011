package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.examples.ExampleFiles;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * An example policy's inputs as the operator reads them (every source shape, the CA bundle), from
 * the Secrets of the example's own directory (an example may keep its Secrets in another file:
 * CloudNativePG's are what that operator writes, apart from the policy) and the quick start's
 * shared Secret for its variants.
 */
record ExampleInputs(ConnectionString base, ConnectionString direct, CaBundle ca) {

  static ExampleInputs of(Path file, PostgresConnectionPolicy policy) throws Exception {
    PolicyView view = PolicyView.of(policy);
    ConnectionString base = SourceReader.base(view, secret(file, view.sourceId()));
    ConnectionString direct =
        view.direct() == null
            ? null
            : ConnectionStringParser.parse(
                InputResolver.value(secret(file, view.directId()), view.direct()));
    var caRef = view.spec().getSource().getCaSecretRef();
    CaBundle ca =
        caRef == null ? null : CaBundle.read(view.caId(), caRef, secret(file, view.caId()));
    return new ExampleInputs(base, direct, ca);
  }

  RenderedContent render(PostgresConnectionPolicy policy, int limit, ContentHash hash)
      throws PolicyFailure {
    return ContentRenderer.render(PolicyView.of(policy), base, direct, ca, limit, hash);
  }

  static Secret secret(Path file, SecretId id) {
    List<Path> siblings;
    try (Stream<Path> files = Files.list(file.getParent())) {
      siblings = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Stream.concat(
            ExampleFiles.withSharedSecret(file, List.of()).stream(),
            siblings.stream().flatMap(p -> ExampleFiles.load(p).stream()))
        .filter(Secret.class::isInstance)
        .map(Secret.class::cast)
        .filter(
            s ->
                id.name().equals(s.getMetadata().getName())
                    && id.namespace().equals(s.getMetadata().getNamespace()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(file + ": no Secret " + id + " in its directory"));
  }

  static boolean isPolicy(HasMetadata item) {
    return item instanceof PostgresConnectionPolicy;
  }
}
