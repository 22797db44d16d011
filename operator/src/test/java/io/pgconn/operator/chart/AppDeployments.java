package io.pgconn.operator.chart;

/**
 * Deployments whose pods read one Secret through envFrom, on the real node (images imported, never
 * pulled). Rolling updates surge by one pod and never take a Ready pod away first (maxUnavailable
 * 0).
 */
final class AppDeployments {

  private AppDeployments() {}

  /**
   * The demo app (tools/images/demo-app: Go, pgx): its pods read DATABASE_URL (pgx format), open
   * the pool to exactly its pool_max_conns and hold it, and are Ready while /health (SELECT 1 on a
   * pooled connection) passes.
   */
  static String demoApp(String namespace, String name, int replicas, String secretName) {
    return yaml(
        namespace,
        name,
        replicas,
        ChartOnRealNode.DEMO_IMAGE,
        secretName,
        """
        readinessProbe:
          httpGet: {path: /health, port: 8080}
          periodSeconds: 2
        """);
  }

  /**
   * The demo app made deliberately greedy: each pod opens {@code greed} times the pool limit its
   * URL gives (GREED), as an app that ignores connection_limit would.
   */
  static String greedyDemoApp(
      String namespace, String name, int replicas, String secretName, int greed) {
    return yaml(
        namespace,
        name,
        replicas,
        ChartOnRealNode.DEMO_IMAGE,
        secretName,
        """
        env: [{name: GREED, value: "%d"}]
        readinessProbe:
          httpGet: {path: /health, port: 8080}
          periodSeconds: 2
        """
            .formatted(greed));
  }

  /** Pause containers: the pods run (once the Secret exists) and do nothing else. */
  static String pause(String namespace, String name, int replicas, String secretName) {
    return yaml(namespace, name, replicas, ChartOnRealNode.PAUSE_IMAGE, secretName, "");
  }

  private static String yaml(
      String namespace,
      String name,
      int replicas,
      String image,
      String secretName,
      String containerExtra) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %2$s, namespace: %1$s}
        spec:
          replicas: %3$d
          strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
          selector: {matchLabels: {app: %2$s}}
          template:
            metadata: {labels: {app: %2$s}}
            spec:
              terminationGracePeriodSeconds: 5
              containers:
                - name: app
                  image: %4$s
                  imagePullPolicy: Never
                  envFrom: [{secretRef: {name: %5$s}}]
        %6$s
        """
        .formatted(
            namespace,
            name,
            replicas,
            image,
            secretName,
            containerExtra.indent(10).stripTrailing());
  }
}
