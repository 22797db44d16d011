package io.pgconn.operator.quickstart;

import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.url.ConnectionStringParser;
import java.io.PrintStream;
import java.util.List;

/** The part of a quick start's report both quick starts print: the policy, its pool, its Secret. */
public final class QuickstartReport {

  private QuickstartReport() {}

  /** Ready, the server's limits, the pool and how it was sized, the Secret's keys masked. */
  public static PolicyStatus policy(
      PrintStream out,
      ClusterFixtures k8s,
      String namespace,
      String policy,
      String target,
      List<String> keys) {
    PolicyStatus status = k8s.policy(namespace, policy).getStatus();
    out.println();
    out.println("PostgresConnectionPolicy " + namespace + "/" + policy + " is Ready.");
    out.println(
        "  server:   PostgreSQL "
            + status.getServer().getVersion()
            + ", max_connections "
            + status.getServer().getMaxConnections()
            + ", "
            + status.getServer().getReservedConnections()
            + " reserved");
    out.println(
        "  pool:     "
            + status.getPool().getConnectionLimit()
            + " per pod ("
            + status.getPool().getExplanation()
            + ")");
    out.println(
        "  Secret " + namespace + "/" + target + " (" + status.getSecret().getContentHash() + "):");
    for (String key : keys) {
      String value = k8s.secretValue(namespace, target, key).orElseThrow();
      out.println("    " + key + " = " + redacted(value));
    }
    return status;
  }

  private static String redacted(String url) {
    try {
      return ConnectionStringParser.parse(url).redacted();
    } catch (Exception e) {
      return "(unparsable)";
    }
  }
}
