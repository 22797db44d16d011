package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.url.ConnectionString;

/**
 * The connection strings a policy starts from.
 *
 * @param source the source Secret as read (in place mode rewrites it)
 * @param base the URL every pooled output is rendered from
 * @param direct the direct URL of spec.source.directSecretRef, or null
 * @param ca the CA bundle of spec.source.caSecretRef, or null
 */
record PolicyInputs(Secret source, ConnectionString base, ConnectionString direct, CaBundle ca) {

  /** What the probe and the budget look at: the server itself, not a pooler in front of it. */
  ConnectionString server() {
    return direct != null ? direct : base;
  }
}
