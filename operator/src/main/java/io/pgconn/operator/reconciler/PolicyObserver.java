package io.pgconn.operator.reconciler;

import io.pgconn.operator.probe.ProbeResult;

/**
 * What the reconciler reports as it works, for metrics. Label values are a policy's namespace and
 * name, reasons and kinds: never anything from a connection string.
 */
public interface PolicyObserver {

  PolicyObserver NONE = new PolicyObserver() {};

  default void probed(String namespace, String name, ProbeResult result) {}

  default void sized(
      String namespace,
      String name,
      int connectionLimit,
      int consumers,
      Integer serverMaxConnections,
      Integer serverInUse) {}

  default void restarted(String namespace, String name, String workloadKind) {}

  default void forgotten(String namespace, String name) {}
}
