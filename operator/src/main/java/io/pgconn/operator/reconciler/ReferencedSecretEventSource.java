package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches exactly the Secrets that policies reference (their source Secrets), one name-scoped
 * informer each (a field selector on metadata.name), and wakes the policies that reference a Secret
 * when it changes. Source Secrets carry no label of ours, and watching every Secret of the cluster
 * to find them would cache every credential the cluster holds.
 */
public class ReferencedSecretEventSource
    extends AbstractEventSource<Secret, PostgresConnectionPolicy> {

  public static final String NAME = "referenced-secrets";
  private static final Logger LOG = LoggerFactory.getLogger(ReferencedSecretEventSource.class);

  private final KubernetesClient client;
  private final Map<SecretId, SharedIndexInformer<Secret>> informers = new HashMap<>();
  private final Map<ResourceID, Set<SecretId>> referencesByPolicy = new HashMap<>();

  public ReferencedSecretEventSource(KubernetesClient client) {
    super(Secret.class, NAME);
    this.client = client;
  }

  /** Records what a policy references now, starting and stopping informers to match. */
  public synchronized void track(ResourceID policy, Set<SecretId> secrets) {
    Set<SecretId> previous = referencesByPolicy.put(policy, Set.copyOf(secrets));
    for (SecretId id : secrets) {
      informers.computeIfAbsent(id, this::inform);
    }
    if (previous != null) {
      previous.stream().filter(id -> !secrets.contains(id)).forEach(this::stopIfUnreferenced);
    }
  }

  public synchronized void untrack(ResourceID policy) {
    Set<SecretId> previous = referencesByPolicy.remove(policy);
    if (previous != null) previous.forEach(this::stopIfUnreferenced);
  }

  /**
   * The Secret as the informer last saw it; a tracked Secret's absence here means it does not
   * exist.
   */
  public Optional<Secret> get(SecretId id) {
    SharedIndexInformer<Secret> informer;
    synchronized (this) {
      informer = informers.get(id);
    }
    if (informer == null) {
      return Optional.ofNullable(
          client.secrets().inNamespace(id.namespace()).withName(id.name()).get());
    }
    return Optional.ofNullable(informer.getStore().getByKey(id.namespace() + "/" + id.name()));
  }

  @Override
  public Set<Secret> getSecondaryResources(PostgresConnectionPolicy policy) {
    Set<SecretId> ids;
    synchronized (this) {
      ids = referencesByPolicy.getOrDefault(ResourceID.fromResource(policy), Set.of());
    }
    return ids.stream().map(this::get).flatMap(Optional::stream).collect(Collectors.toSet());
  }

  @Override
  public synchronized void stop() {
    informers.values().forEach(SharedIndexInformer::close);
    informers.clear();
    super.stop();
  }

  private SharedIndexInformer<Secret> inform(SecretId id) {
    LOG.debug("watching referenced Secret {}", id);
    return client
        .secrets()
        .inNamespace(id.namespace())
        .withName(id.name())
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Secret secret) {
                changed(id);
              }

              @Override
              public void onUpdate(Secret before, Secret after) {
                if (!sameContent(before, after)) changed(id);
              }

              @Override
              public void onDelete(Secret secret, boolean finalStateUnknown) {
                changed(id);
              }
            },
            0);
  }

  private static boolean sameContent(Secret before, Secret after) {
    return java.util.Objects.equals(before.getData(), after.getData())
        && java.util.Objects.equals(before.getStringData(), after.getStringData());
  }

  private void changed(SecretId id) {
    if (!isRunning()) return;
    Set<ResourceID> policies;
    synchronized (this) {
      policies =
          referencesByPolicy.entrySet().stream()
              .filter(e -> e.getValue().contains(id))
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(HashSet::new));
    }
    policies.forEach(policy -> getEventHandler().handleEvent(new Event(policy)));
  }

  private void stopIfUnreferenced(SecretId id) {
    boolean used = referencesByPolicy.values().stream().anyMatch(ids -> ids.contains(id));
    if (!used) {
      SharedIndexInformer<Secret> informer = informers.remove(id);
      if (informer != null) informer.close();
    }
  }
}
