package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.Consumer;

/**
 * An informer store that keeps objects without their managedFields, as Kubernetes' own controllers
 * do with a transform: the field managers' field sets are most of a cached object's maps. The
 * policy cache uses it. Secret caches keep theirs: the operator reads which keys its applies own
 * (ManagedSecrets, TargetMetadata, server-side apply matching), and in place mode applies to a
 * source Secret.
 */
public final class ManagedFieldsDroppingStore<T extends HasMetadata> extends BasicItemStore<T> {

  private final Consumer<? super T> beforePut;

  /**
   * @param beforePut told of each object before it is stored, on the informer's thread (see {@link
   *     PolicyObserver#caching})
   */
  public ManagedFieldsDroppingStore(Consumer<? super T> beforePut) {
    super(Cache::metaNamespaceKeyFunc);
    this.beforePut = beforePut;
  }

  @Override
  public T put(String key, T obj) {
    beforePut.accept(obj);
    if (obj.getMetadata() != null) obj.getMetadata().setManagedFields(null);
    return super.put(key, obj);
  }
}
