package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PoolSpec;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringRenderer;
import io.pgconn.operator.url.OutputFormat;
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
    SortedMap<String, String> data = new TreeMap<>();
    List<String> warnings = new ArrayList<>();
    for (OutputSpec output : view.outputs()) {
      boolean pooled = output.getPooled();
      ConnectionString base = !pooled && directBase != null ? directBase : pooledBase;
      PoolSettings settings = settings(view, connectionLimit, base);
      try {
        RenderedOutput rendered =
            ConnectionStringRenderer.render(
                base,
                OutputFormat.parse(output.getFormat().wireName()),
                output.getKey(),
                settings,
                pooled);
        for (var entry : rendered.entries().entrySet()) {
          if (data.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
            throw new PolicyFailure(
                PolicyFailure.Reason.DUPLICATE_OUTPUT_KEY,
                "spec.target.outputs writes key "
                    + entry.getKey()
                    + " twice: give each output its"
                    + " own key");
          }
        }
        rendered.warnings().forEach(w -> warnings.add(output.getKey() + ": " + w));
      } catch (UnsupportedSettingException e) {
        throw new PolicyFailure(
            PolicyFailure.Reason.UNSUPPORTED_SETTING,
            "output "
                + output.getKey()
                + " ("
                + output.getFormat().wireName()
                + "): "
                + e.getMessage());
      }
    }
    return new RenderedContent(
        Collections.unmodifiableSortedMap(data), hash.of(data), List.copyOf(warnings));
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
