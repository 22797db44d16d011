package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SourceSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the Secrets that policies reference (their source and CA Secrets) and wakes the policies
 * that reference a Secret when its content changes, without ever watching every Secret of a
 * namespace: that would cache every credential the cluster holds.
 *
 * <p>As cert-manager does, one informer per namespace that holds referenced Secrets sees only the
 * Secrets labelled {@value SourceSpec#WATCH_LABEL}=true: its users (or their Secret issuers) put
 * the label on, the operator never writes a source. A referenced Secret without the label gets a
 * name-scoped informer of its own (a field selector on metadata.name), as before the label existed.
 * A Secret moves between the two as the label comes and goes: the labelled informer's add closes
 * the Secret's own informer, its delete (the label removed, or the Secret deleted) starts one
 * again, which also sees the Secret created again without the label.
 */
public class ReferencedSecretEventSource
    extends AbstractEventSource<Secret, PostgresConnectionPolicy> {

  public static final String NAME = "referenced-secrets";
  private static final Logger LOG = LoggerFactory.getLogger(ReferencedSecretEventSource.class);

  /** The informers open now: per namespace (labelled Secrets) and per unlabelled Secret. */
  public record Watches(int namespaces, int secrets) {}

  private final KubernetesClient client;
  private final Map<String, SharedIndexInformer<Secret>> labelled = new HashMap<>();
  private final Map<SecretId, SharedIndexInformer<Secret>> own = new HashMap<>();
  private final Map<ResourceID, Set<SecretId>> referencesByPolicy = new HashMap<>();

  /**
   * The same references the other way round, and how many referenced Secrets each namespace has: a
   * Secret's event and a policy's untrack look up who references what without a pass over every
   * policy (10,000 sources added meant 10,000 passes over 10,000 policies, under this lock).
   */
  private final Map<SecretId, Set<ResourceID>> policiesBySecret = new HashMap<>();

  private final Map<String, Integer> referencedInNamespace = new HashMap<>();

  public ReferencedSecretEventSource(KubernetesClient client) {
    super(Secret.class, NAME);
    this.client = client;
  }

  /**
   * Records what a policy references now, starting and stopping informers to match. A namespace's
   * labelled informer is started (and synced: fabric8's inform returns after the initial list)
   * before it is asked whether a Secret needs one of its own; a Secret labelled after that question
   * arrives as the labelled informer's add, which waits for this lock and then closes it.
   */
  public synchronized void track(ResourceID policy, Set<SecretId> secrets) {
    Set<SecretId> previous = referencesByPolicy.put(policy, Set.copyOf(secrets));
    for (SecretId id : secrets) {
      reference(id, policy);
      SharedIndexInformer<Secret> namespace =
          labelled.computeIfAbsent(id.namespace(), this::informLabelled);
      if (namespace.getStore().getByKey(key(id)) == null
          && !own.containsKey(id)
          && !labelledOnServer(id)) {
        own.computeIfAbsent(id, this::informOwn);
      }
    }
    if (previous != null) {
      for (SecretId id : previous) {
        if (secrets.contains(id)) continue;
        unreference(id, policy);
        stopIfUnreferenced(id);
      }
    }
  }

  /** Idempotent: a reconcile tracks the same references again and again. */
  private void reference(SecretId id, ResourceID policy) {
    Set<ResourceID> policies = policiesBySecret.computeIfAbsent(id, k -> new HashSet<>());
    if (policies.isEmpty()) referencedInNamespace.merge(id.namespace(), 1, Integer::sum);
    policies.add(policy);
  }

  private void unreference(SecretId id, ResourceID policy) {
    Set<ResourceID> policies = policiesBySecret.get(id);
    if (policies == null || !policies.remove(policy) || !policies.isEmpty()) return;
    policiesBySecret.remove(id);
    referencedInNamespace.computeIfPresent(id.namespace(), (ns, n) -> n > 1 ? n - 1 : null);
  }

  /**
   * Whether the Secret exists with the label though the namespace's informer has not seen it yet: a
   * GitOps sync applies a source and its policy together, and the policy's first reconcile may come
   * first. Such a Secret needs no informer of its own (a list and a watch): the namespace's
   * informer delivers it in a moment.
   */
  private boolean labelledOnServer(SecretId id) {
    Secret secret = client.secrets().inNamespace(id.namespace()).withName(id.name()).get();
    return secret != null
        && secret.getMetadata().getLabels() != null
        && "true".equals(secret.getMetadata().getLabels().get(SourceSpec.WATCH_LABEL));
  }

  public synchronized void untrack(ResourceID policy) {
    Set<SecretId> previous = referencesByPolicy.remove(policy);
    if (previous == null) return;
    for (SecretId id : previous) {
      unreference(id, policy);
      stopIfUnreferenced(id);
    }
  }

  /** How many watches are open, for metrics and tests. */
  public synchronized Watches watches() {
    return new Watches(labelled.size(), own.size());
  }

  /**
   * The Secret as an informer last saw it: the namespace's labelled one, else its own; a tracked
   * Secret's absence from both means it does not exist. A Secret in neither (not tracked yet, or
   * between losing its label and its own informer's start) is read from the API server.
   */
  public Optional<Secret> get(SecretId id) {
    SharedIndexInformer<Secret> namespace;
    SharedIndexInformer<Secret> single;
    synchronized (this) {
      namespace = labelled.get(id.namespace());
      single = own.get(id);
    }
    Secret found = namespace == null ? null : namespace.getStore().getByKey(key(id));
    if (found != null) return Optional.of(found);
    if (single != null) return Optional.ofNullable(single.getStore().getByKey(key(id)));
    return Optional.ofNullable(
        client.secrets().inNamespace(id.namespace()).withName(id.name()).get());
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
    labelled.values().forEach(SharedIndexInformer::close);
    labelled.clear();
    own.values().forEach(SharedIndexInformer::close);
    own.clear();
    super.stop();
  }

  private SharedIndexInformer<Secret> informLabelled(String namespace) {
    LOG.debug("watching the Secrets labelled {} in {}", SourceSpec.WATCH_LABEL, namespace);
    // The handler learns its informer once inform returns (read under the lock, which track holds
    // until then): events of an informer already replaced (closed, the namespace dropped and
    // tracked again) are ignored.
    AtomicReference<SharedIndexInformer<Secret>> self = new AtomicReference<>();
    SharedIndexInformer<Secret> informer =
        client
            .secrets()
            .inNamespace(namespace)
            .withLabel(SourceSpec.WATCH_LABEL, "true")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Secret secret) {
                    labelAdded(self, id(secret), secret);
                  }

                  @Override
                  public void onUpdate(Secret before, Secret after) {
                    if (!sameContent(before, after)) changed(id(after));
                  }

                  @Override
                  public void onDelete(Secret secret, boolean finalStateUnknown) {
                    labelRemoved(self, id(secret));
                  }
                },
                0);
    self.set(informer);
    return informer;
  }

  private SharedIndexInformer<Secret> informOwn(SecretId id) {
    LOG.debug("watching referenced Secret {} (not labelled {})", id, SourceSpec.WATCH_LABEL);
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

  /**
   * A labelled Secret appeared in the namespace's store: created with the label, or labelled now.
   * Its own informer, if it had one, is no longer needed; its policies wake only if what they read
   * changed (its own informer had other content, or did not see it at all).
   */
  private void labelAdded(
      AtomicReference<SharedIndexInformer<Secret>> from, SecretId id, Secret secret) {
    boolean wake;
    synchronized (this) {
      if (!current(from, id) || !referenced(id)) return;
      SharedIndexInformer<Secret> single = own.remove(id);
      if (single == null) {
        wake = true;
      } else {
        Secret seen = single.getStore().getByKey(key(id));
        single.close();
        LOG.debug("{} is labelled {}: its own watch closed", id, SourceSpec.WATCH_LABEL);
        wake = seen == null || !sameContent(seen, secret);
      }
    }
    if (wake) changed(id);
  }

  /**
   * A Secret left the namespace's labelled store: deleted, or its label removed. Its own informer
   * starts again (synced before the policies wake, so they read it, or its absence, from there) and
   * sees it created again whether labelled or not.
   */
  private void labelRemoved(AtomicReference<SharedIndexInformer<Secret>> from, SecretId id) {
    synchronized (this) {
      if (!current(from, id) || !referenced(id) || !isRunning()) return;
      own.computeIfAbsent(id, this::informOwn);
    }
    changed(id);
  }

  /** Whether the event comes from the namespace's labelled informer now open. */
  private boolean current(AtomicReference<SharedIndexInformer<Secret>> from, SecretId id) {
    SharedIndexInformer<Secret> informer = from.get();
    return informer != null && labelled.get(id.namespace()) == informer;
  }

  private static SecretId id(Secret secret) {
    return new SecretId(secret.getMetadata().getNamespace(), secret.getMetadata().getName());
  }

  private static String key(SecretId id) {
    return id.namespace() + "/" + id.name();
  }

  private static boolean sameContent(Secret before, Secret after) {
    return Objects.equals(before.getData(), after.getData())
        && Objects.equals(before.getStringData(), after.getStringData());
  }

  private void changed(SecretId id) {
    if (!isRunning()) return;
    Set<ResourceID> policies;
    synchronized (this) {
      policies = new HashSet<>(policiesBySecret.getOrDefault(id, Set.of()));
    }
    policies.forEach(policy -> getEventHandler().handleEvent(new Event(policy)));
  }

  private boolean referenced(SecretId id) {
    return policiesBySecret.containsKey(id);
  }

  private void stopIfUnreferenced(SecretId id) {
    if (referenced(id)) return;
    SharedIndexInformer<Secret> single = own.remove(id);
    if (single != null) single.close();
    if (!referencedInNamespace.containsKey(id.namespace())) {
      SharedIndexInformer<Secret> namespace = labelled.remove(id.namespace());
      if (namespace != null) {
        LOG.debug("no referenced Secret left in {}: its labelled watch closed", id.namespace());
        namespace.close();
      }
    }
  }
}
