package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A local API server with the project's CRD installed, some namespaces and an admin client: the
 * setup of every test class that needs the API server but no operator.
 */
public final class ApiServerSession implements AutoCloseable {

  private final LocalControlPlane controlPlane;
  private final KubernetesClient client;

  private ApiServerSession(LocalControlPlane controlPlane, KubernetesClient client) {
    this.controlPlane = controlPlane;
    this.client = client;
  }

  public static ApiServerSession start(String... namespaces) {
    LocalControlPlane controlPlane = LocalControlPlane.start();
    KubernetesClient client = controlPlane.newClient();
    ClusterFixtures k8s = new ClusterFixtures(client);
    k8s.installCrd();
    for (String namespace : namespaces) {
      k8s.namespace(namespace);
    }
    return new ApiServerSession(controlPlane, client);
  }

  public KubernetesClient client() {
    return client;
  }

  public LocalControlPlane controlPlane() {
    return controlPlane;
  }

  @Override
  public void close() {
    client.close();
    controlPlane.close();
  }
}
