package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.OutputFormatName;
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
    return ConnectionChecklist.evaluate(subject(view, base, content), probed).stream()
        .map(c -> new PolicyCheck(c.name(), c.status().name(), c.message()))
        .toList();
  }

  private static ConnectionString subject(
      PolicyView view, ConnectionString base, RenderedContent content) {
    for (var output : view.outputs()) {
      if (!output.getPooled() || output.getFormat() == OutputFormatName.env) continue;
      String value = content.data().get(output.getKey());
      try {
        return value == null ? base : ConnectionStringParser.parse(value);
      } catch (InvalidConnectionStringException e) {
        return base;
      }
    }
    return base;
  }
}
