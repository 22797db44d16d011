package io.pgconn.operator.testenv.k3s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgconn.operator.testenv.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * K3s in a container (Testcontainers), for machines with a Docker engine. Compiled only with mvn
 * -Pk3s; selected with -Dpgconn.test.cluster=k3s. Not run on the project's own machines, which have
 * no Docker engine.
 */
public final class K3sCluster implements TestCluster {

  private final K3sContainer container;
  private final Path kubeconfig;

  private K3sCluster(K3sContainer container, Path kubeconfig) {
    this.container = container;
    this.kubeconfig = kubeconfig;
  }

  public static K3sCluster start() {
    K3sContainer container =
        new K3sContainer(
            DockerImageName.parse(
                System.getProperty("pgconn.test.k3s.image", "rancher/k3s:v1.34.1-k3s1")));
    container.start();
    try {
      Path file = Files.createTempFile("pgconn-k3s-", ".yaml");
      Files.writeString(file, container.getKubeConfigYaml());
      return new K3sCluster(container, file);
    } catch (IOException e) {
      container.stop();
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Path kubeconfigFile() {
    return kubeconfig;
  }

  @Override
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(container.getKubeConfigYaml()))
        .build();
  }

  @Override
  public boolean local() {
    return false;
  }

  @Override
  public void close() {
    container.stop();
  }
}
