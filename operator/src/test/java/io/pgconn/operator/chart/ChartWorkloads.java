package io.pgconn.operator.chart;

/**
 * The workloads the chart tests give a policy, one of each kind the operator restarts: a Deployment
 * {@code web} scaled by an HPA (so the operator must read HPAs), a StatefulSet {@code ledger} and a
 * DaemonSet {@code agent}. {@code web} and {@code agent} carry the label {@code tier: app} for
 * policies that select by label. Every pod runs the given pod spec.
 */
final class ChartWorkloads {

  private ChartWorkloads() {}

  /**
   * @param podSpec a pod template's {@code spec:} block, starting at column 0
   * @param hpaMaxReplicas the HPA's maximum, which the operator sizes the pool for
   */
  static String yaml(String namespace, String podSpec, int hpaMaxReplicas) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: %1$s, labels: {tier: app}}
        spec:
          replicas: 2
          strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
        %2$s
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: %1$s}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 2
          maxReplicas: %3$d
          metrics:
            - type: Resource
              resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: ledger, namespace: %1$s}
        spec:
          replicas: 1
          serviceName: ledger
          selector: {matchLabels: {app: ledger}}
          template:
            metadata: {labels: {app: ledger}}
        %2$s
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: %1$s, labels: {tier: app}}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
        %2$s
        """
        .formatted(namespace, podSpec.indent(4).stripTrailing(), hpaMaxReplicas);
  }
}
