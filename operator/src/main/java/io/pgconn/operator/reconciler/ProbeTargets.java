package io.pgconn.operator.reconciler;

import io.pgconn.operator.probe.ConnectionChecklist;
import io.pgconn.operator.probe.ProbeTarget;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.SslMode;

/**
 * Where to probe for a policy: the endpoints, database and credentials the doctor's checklist reads
 * from the string, with the policy's TLS mode and connect timeout, which are what its clients will
 * use.
 */
final class ProbeTargets {

  private ProbeTargets() {}

  static ProbeTarget of(ConnectionString cs, SslMode sslMode, Integer connectTimeoutSeconds) {
    int timeout = connectTimeoutSeconds == null ? 10 : connectTimeoutSeconds;
    ProbeTarget fromString = ConnectionChecklist.targetOf(cs, timeout);
    return new ProbeTarget(
        fromString.endpoints(),
        fromString.database(),
        fromString.user(),
        fromString.password(),
        sslMode.wire(),
        timeout);
  }
}
