package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.pgconn.operator.api.CaSecretRef;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.SourceSpec;
import io.pgconn.operator.url.ConnectionString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A policy's source read the way its reconcile reads it, from Secrets mounted as files instead of
 * the API: what {@code kubectl pgconn doctor} runs in a Pod inside the cluster, so the checklist
 * tests the network path the applications use with the connection the operator would tune. The same
 * readers and the same errors as the reconcile (key, field and Secret named, never a value), and
 * the sslmode the operator writes and probes with (the stricter of the source's and
 * spec.pool.sslMode's, unless the spec allows weakening).
 *
 * @param base the base connection string in whichever shape spec.source names, with the sslmode the
 *     operator would write
 * @param caPem the bundle of spec.source.caSecretRef, or null when the spec names none
 */
public record MountedSource(ConnectionString base, String caPem) {

  /**
   * @param spec the policy's spec
   * @param namespace the policy's namespace, for messages
   * @param sourceDir the source Secret mounted as a volume (one file per key)
   * @param caDir the CA Secret mounted as a volume, or null
   */
  public static MountedSource read(PolicySpec spec, String namespace, Path sourceDir, Path caDir)
      throws PolicyFailure {
    SourceSpec source = spec.getSource();
    if (source == null) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "the policy's spec has no source: set spec.source.secretRef, fields or json");
    }
    SecretId id = new SecretId(namespace, sourceName(source));
    Secret secret = fromFiles(id, sourceDir);
    ConnectionString base;
    if (source.getFields() != null) {
      base = SourceReader.fields(id, source.getFields(), secret);
    } else if (source.getJson() != null) {
      base = SourceReader.json(id, source.getJson(), secret);
    } else if (source.getSecretRef() != null) {
      SecretKeyRef ref = source.getSecretRef();
      base = InputResolver.parse(id, ref.getKey(), InputResolver.value(secret, ref));
    } else {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "spec.source names no Secret: set secretRef, fields or json");
    }
    base =
        base.withParameter("sslmode", ContentRenderer.sslMode(view(spec, namespace), base).wire());
    CaSecretRef ca = source.getCaSecretRef();
    if (ca == null) return new MountedSource(base, null);
    if (caDir == null) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "spec.source.caSecretRef names Secret "
              + ca.getName()
              + " but no directory holds it: mount it and pass --ca-dir");
    }
    SecretId caId = new SecretId(namespace, ca.getName());
    return new MountedSource(base, CaBundle.read(caId, ca, fromFiles(caId, caDir)).pem());
  }

  private static PolicyView view(PolicySpec spec, String namespace) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("doctor").build());
    policy.setSpec(spec);
    return PolicyView.of(policy);
  }

  private static String sourceName(SourceSpec source) {
    if (source.getFields() != null) return source.getFields().getName();
    if (source.getJson() != null) return source.getJson().getName();
    if (source.getSecretRef() != null) return source.getSecretRef().getName();
    return null;
  }

  /**
   * A Secret volume: one regular file per key, beside the kubelet's own {@code ..data} links and
   * timestamped directories, which are not keys.
   */
  static Secret fromFiles(SecretId id, Path dir) throws PolicyFailure {
    if (!Files.isDirectory(dir)) {
      throw new PolicyFailure(
          PolicyFailure.Reason.SOURCE_SECRET_NOT_FOUND,
          "Secret " + id + " is not mounted: " + dir + " is not a directory");
    }
    Map<String, String> data = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String key = file.getFileName().toString();
        if (key.startsWith("..") || !Files.isRegularFile(file)) continue;
        data.put(key, Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the mounted Secret " + id + " in " + dir, e);
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(id.namespace())
        .withName(id.name())
        .endMetadata()
        .withData(data)
        .build();
  }
}
