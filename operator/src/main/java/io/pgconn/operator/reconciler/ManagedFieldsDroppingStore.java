package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that keeps objects without their managedFields, as Kubernetes' own controllers
 * do with a transform: the field managers' field sets are most of a cached object's maps, and only
 * the target Secrets' are read (ManagedSecrets, TargetMetadata, server-side apply matching), so
 * only the caches of what the operator does not apply drop them.
 */
public final class ManagedFieldsDroppingStore<T extends HasMetadata> extends BasicItemStore<T> {

  public ManagedFieldsDroppingStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T obj) {
    if (obj.getMetadata() != null) obj.getMetadata().setManagedFields(null);
    return super.put(key, obj);
  }
}
