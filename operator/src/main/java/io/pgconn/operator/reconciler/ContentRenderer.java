package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PoolSpec;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringRenderer;
import io.pgconn.operator.url.OutputFormat;
import io.pgconn.operator.url.OutputKeys;
import io.pgconn.operator.url.PoolSettings;
import io.pgconn.operator.url.RenderedOutput;
import io.pgconn.operator.url.SourceKind;
import io.pgconn.operator.url.SslMode;
import io.pgconn.operator.url.SslModeWeakenedException;
import io.pgconn.operator.url.TlsFloor;
import io.pgconn.operator.url.UnsupportedSettingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Turns the base connection string and the policy's settings into the target Secret's content. */
final class ContentRenderer {

  private ContentRenderer() {}

  static RenderedContent render(
      PolicyView view,
      ConnectionString pooledBase,
      ConnectionString directBase,
      int connectionLimit,
      ContentHash hash)
      throws PolicyFailure {
    return render(view, pooledBase, directBase, null, connectionLimit, hash);
  }

  /**
   * @param ca the CA bundle of spec.source.caSecretRef, or null: written under {@value
   *     CaBundle#TARGET_KEY}, and every output names its mount path as sslrootcert (the source's
   *     own sslrootcert, a path on the source's machine, gives way to it)
   */
  static RenderedContent render(
      PolicyView view,
      ConnectionString pooledBase,
      ConnectionString directBase,
      CaBundle ca,
      int connectionLimit,
      ContentHash hash)
      throws PolicyFailure {
    List<OutputKeys> names = names(view.outputs());
    SortedMap<String, String> data = new TreeMap<>();
    if (ca != null) {
      pooledBase = withRootCert(pooledBase, ca);
      directBase = directBase == null ? null : withRootCert(directBase, ca);
      data.put(CaBundle.TARGET_KEY, ca.pem());
    }
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      OutputSpec output = view.outputs().get(i);
      String where = "spec.target.outputs[" + i + "] (" + names.get(i).describe() + ")";
      boolean pooled = output.getPooled();
      ConnectionString base = !pooled && directBase != null ? directBase : pooledBase;
      PoolSettings settings = settings(view, connectionLimit, base);
      try {
        RenderedOutput rendered =
            ConnectionStringRenderer.render(base, names.get(i), settings, pooled);
        for (var entry : rendered.entries().entrySet()) {
          if (ca != null && entry.getKey().equals(CaBundle.TARGET_KEY)) {
            throw new PolicyFailure(
                PolicyFailure.Reason.DUPLICATE_OUTPUT_KEY,
                where
                    + " writes key "
                    + CaBundle.TARGET_KEY
                    + ", which holds the CA bundle of spec.source.caSecretRef: give the output"
                    + " another key");
          }
          if (data.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
            // OutputKeys.collision rules this out; kept so that a writer naming a key it does
            // not declare can never overwrite another output's value.
            throw new PolicyFailure(
                PolicyFailure.Reason.DUPLICATE_OUTPUT_KEY,
                where + " writes key " + entry.getKey() + ", which an earlier output wrote");
          }
        }
        // Named by key as before (status stays as it was); an env output may have none.
        String label = output.getKey() != null ? output.getKey() : names.get(i).describe();
        rendered.warnings().forEach(w -> warnings.add(label + ": " + w));
      } catch (UnsupportedSettingException e) {
        throw new PolicyFailure(
            PolicyFailure.Reason.UNSUPPORTED_SETTING, where + ": " + e.getMessage());
      }
    }
    return new RenderedContent(
        Collections.unmodifiableSortedMap(data), hash.of(data), List.copyOf(warnings));
  }

  private static ConnectionString withRootCert(ConnectionString cs, CaBundle ca) {
    return cs.kind() == SourceKind.PRISMA_ACCELERATE
        ? cs
        : cs.withParameter("sslrootcert", ca.mountPath());
  }

  /**
   * The names each output writes under, checked before anything is rendered: a spec the CRD's rules
   * would refuse (an object stored before them) fails here with the same answer, whatever the
   * source holds.
   */
  static List<OutputKeys> names(List<OutputSpec> outputs) throws PolicyFailure {
    List<OutputKeys> names = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      OutputSpec output = outputs.get(i);
      try {
        names.add(
            new OutputKeys(
                OutputFormat.parse(output.getFormat().wireName()),
                output.getKey(),
                output.getKeyPrefix()));
      } catch (IllegalArgumentException e) {
        throw new PolicyFailure(
            PolicyFailure.Reason.INVALID_SPEC, "spec.target.outputs[" + i + "]: " + e.getMessage());
      }
    }
    var collision = OutputKeys.collision(names, "spec.target.outputs");
    if (collision.isPresent()) {
      throw new PolicyFailure(PolicyFailure.Reason.DUPLICATE_OUTPUT_KEY, collision.get());
    }
    return names;
  }

  private static SslMode sslMode(PolicyView view) throws PolicyFailure {
    String configured = view.spec().getPool().getSslMode();
    try {
      return configured == null || configured.isBlank()
          ? SslMode.REQUIRE
          : SslMode.parse(configured);
    } catch (IllegalArgumentException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC, "spec.pool.sslMode: " + e.getMessage());
    }
  }

  /**
   * The mode written for (and probed on) {@code source}: the stricter of the source's and the
   * spec's, or the spec's when it allows weakening explicitly.
   */
  static SslMode sslMode(PolicyView view, ConnectionString source) throws PolicyFailure {
    if (source.kind() == SourceKind.PRISMA_ACCELERATE) {
      return sslMode(view);
    }
    try {
      return TlsFloor.effective(source, sslMode(view), view.spec().getPool().getAllowWeakerSsl());
    } catch (SslModeWeakenedException e) {
      throw new PolicyFailure(PolicyFailure.Reason.SSL_MODE_WEAKENED, e.getMessage());
    }
  }

  private static PoolSettings settings(
      PolicyView view, int connectionLimit, ConnectionString source) throws PolicyFailure {
    PoolSpec pool = view.spec().getPool();
    return new PoolSettings(
        connectionLimit,
        pool.getPoolTimeoutSeconds(),
        pool.getConnectTimeoutSeconds(),
        pool.getSocketTimeoutSeconds(),
        sslMode(view, source),
        view.applicationName(),
        pool.getPgbouncer());
  }
}
