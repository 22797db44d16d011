package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Acting as a ServiceAccount on the class's cluster: with a token of its own, exactly as a pod
 * running under it authenticates, or by impersonation through the admin's credentials. What it
 * hands out is closed (clients) or deleted (kubeconfig files) with the environment.
 */
public final class ServiceAccounts implements AutoCloseable {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private final TestCluster cluster;
  private final KubernetesClient admin;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final List<Path> kubeconfigs = new ArrayList<>();

  ServiceAccounts(TestCluster cluster, KubernetesClient admin) {
    this.cluster = cluster;
    this.admin = admin;
  }

  /**
   * A kubeconfig for the cluster whose every user signs in with a token of the ServiceAccount
   * (TokenRequest API, valid for an hour); requests made with it are audited as the ServiceAccount.
   */
  @SuppressWarnings("unchecked")
  public synchronized Path tokenKubeconfig(String namespace, String serviceAccount) {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    try {
      var kubeconfig = (Map<String, Object>) YAML.unmarshal(adminKubeconfig(), Map.class);
      for (Object user : (List<?>) kubeconfig.get("users")) {
        ((Map<String, Object>) user).put("user", Map.of("token", token));
      }
      Path file = Files.createTempFile("pgconn-sa-", ".yaml");
      kubeconfigs.add(file);
      Files.writeString(file, YAML.asYaml(kubeconfig));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client that impersonates the ServiceAccount: the RBAC authorizer judges each request as the
   * ServiceAccount's, while the audit log names the admin as the one who made it.
   */
  public synchronized KubernetesClient impersonate(String namespace, String serviceAccount) {
    Config config = Config.fromKubeconfig(adminKubeconfig());
    config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + serviceAccount);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(client);
    return client;
  }

  private String adminKubeconfig() {
    try {
      return Files.readString(cluster.kubeconfigFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    clients.forEach(KubernetesClient::close);
    clients.clear();
    for (Path file : kubeconfigs) Files.deleteIfExists(file);
    kubeconfigs.clear();
  }
}
