package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cluster someone else runs, reached through a kubeconfig file; closing it leaves it running. */
final class ExistingCluster implements TestCluster {

  private final Path kubeconfig;

  ExistingCluster(Path kubeconfig) {
    if (!Files.isReadable(kubeconfig)) {
      throw new IllegalArgumentException("pgconn.test.kubeconfig: cannot read " + kubeconfig);
    }
    this.kubeconfig = kubeconfig;
  }

  @Override
  public Path kubeconfigFile() {
    return kubeconfig;
  }

  @Override
  public KubernetesClient newClient() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean local() {
    return false;
  }

  @Override
  public void close() {}
}
