package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicyCheck;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.probe.ConnectionChecklist;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.InvalidConnectionStringException;
import java.util.List;

/**
 * status.checks: the troubleshooting checklist run on what the app really gets, the first pooled
 * output when it is a connection string, the source otherwise.
 */
final class PolicyChecks {

  private PolicyChecks() {}

  static List<PolicyCheck> of(
      PolicyView view,
      ConnectionString base,
      RenderedContent content,
      ProbeResult probed,
      PolicyStatus previous) {
    if (probed == null
        && previous.getChecks() != null
        && !previous.getChecks().isEmpty()
        && view.spec().getProbe().getMode() != ProbeMode.Off) {
      return previous.getChecks();
    }
    var output = firstPooledUrlOutput(view);
    return ConnectionChecklist.evaluate(
            subject(output, base, content), probed, separatePool(output, content))
        .stream()
        .map(c -> new PolicyCheck(c.name(), c.status().name(), c.message()))
        .toList();
  }

  private static OutputSpec firstPooledUrlOutput(PolicyView view) {
    for (var output : view.outputs()) {
      if (output.getPooled() && output.getFormat() != OutputFormatName.env) return output;
    }
    return null;
  }

  private static ConnectionString subject(
      OutputSpec output, ConnectionString base, RenderedContent content) {
    String value = output == null ? null : content.data().get(output.getKey());
    try {
      return value == null ? base : ConnectionStringParser.parse(value);
    } catch (InvalidConnectionStringException e) {
      return base;
    }
  }

  /**
   * node-postgres and Prisma 7's adapter size their pool from {@code <key>_POOL_MAX}, not from the
   * URL, so the checklist is told where the size is rather than failing for a missing
   * connection_limit.
   */
  private static String separatePool(OutputSpec output, RenderedContent content) {
    if (output == null) return null;
    OutputFormatName format = output.getFormat();
    if (format != OutputFormatName.node_postgres && format != OutputFormatName.prisma_adapter_pg) {
      return null;
    }
    String key = output.getKey() + "_POOL_MAX";
    String max = content.data().get(key);
    if (max == null) return null;
    return key
        + "="
        + max
        + " per instance, for "
        + (format == OutputFormatName.prisma_adapter_pg
            ? "new PrismaPg({ max }) (Prisma 7 ignores connection_limit in the URL)"
            : "new Pool({ max }) (pg does not read the pool size from the URL)");
  }
}
