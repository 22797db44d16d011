package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Kubernetes API the end-to-end suite runs against. By default a local control plane
 * (LocalControlPlane); -Dpgconn.test.kubeconfig=FILE targets an existing cluster, and
 * -Dpgconn.test.cluster=k3s (with mvn -Pk3s, where a Docker engine exists) a K3s container started
 * by Testcontainers. The operator itself always runs in the test JVM.
 */
public interface TestCluster extends AutoCloseable {

  Path kubeconfigFile();

  /** A new client; the caller closes it. */
  KubernetesClient newClient();

  /** Whether this is the local control plane the suite started (and can audit). */
  boolean local();

  @Override
  void close();

  static TestCluster start(Map<String, String> localApiServerFlags) {
    String kubeconfig = System.getProperty("pgconn.test.kubeconfig", "");
    if (!kubeconfig.isBlank()) {
      return new ExistingCluster(Path.of(kubeconfig));
    }
    if ("k3s".equals(System.getProperty("pgconn.test.cluster"))) {
      try {
        return (TestCluster)
            Class.forName("io.pgconn.operator.testenv.k3s.K3sCluster")
                .getMethod("start")
                .invoke(null);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "-Dpgconn.test.cluster=k3s needs the k3s profile:"
                + " mvn verify -Pk3s -Dpgconn.test.cluster=k3s (and a Docker engine)",
            e);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("could not start K3s: " + e.getCause(), e);
      }
    }
    return LocalControlPlane.start(localApiServerFlags);
  }
}
