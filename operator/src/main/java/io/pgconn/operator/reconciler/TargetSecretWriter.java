package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes a Secret the policy owns (the target, or the backup of an in place source) with
 * server-side apply: the full content, labelled as managed, owned by the policy so it goes
 * when the policy goes.
 */
public class TargetSecretWriter {

  private final KubernetesClient client;

  public TargetSecretWriter(KubernetesClient client) {
    this.client = client;
  }

  public Secret apply(PostgresConnectionPolicy policy, String name, SortedMap<String, String> content,
      Map<String, String> annotations) {
    Secret secret = new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(policy.getMetadata().getNamespace())
        .withLabels(ManagedSecrets.labels(policy))
        .withAnnotations(annotations)
        .withOwnerReferences(ManagedSecrets.ownerReference(policy))
        .endMetadata()
        .withType("Opaque")
        .withData(ManagedSecrets.encode(content))
        .build();
    return client.secrets().inNamespace(policy.getMetadata().getNamespace()).resource(secret)
        .fieldManager(ManagedSecrets.FIELD_MANAGER).forceConflicts().serverSideApply();
  }
}
