package io.pgconn.operator.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

@Factory
public class KubernetesClientFactory {

  @Singleton
  @Bean(preDestroy = "close")
  public KubernetesClient kubernetesClient(OperatorSettings settings) {
    Config config;
    if (settings.kubeconfig() != null && !settings.kubeconfig().isBlank()) {
      try {
        config = Config.fromKubeconfig(Files.readString(Path.of(settings.kubeconfig())));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read kubeconfig " + settings.kubeconfig() + " (pgconn.kubeconfig)", e);
      }
    } else {
      config = Config.autoConfigure(null);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
