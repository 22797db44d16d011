package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;

/** Where a Secret is read from: an informer's cache, or the API server when it must be fresh. */
@FunctionalInterface
interface SecretLookup {
  Optional<Secret> get(SecretId id);
}
