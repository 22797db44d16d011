package io.pgconn.operator.reconciler;

import io.pgconn.operator.probe.ProbeTarget;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.HostPort;
import io.pgconn.operator.url.SslMode;

/** Where to probe, from a parsed connection string and the policy's TLS and timeout settings. */
final class ProbeTargets {

  private ProbeTargets() {}

  static ProbeTarget of(ConnectionString cs, SslMode sslMode, Integer connectTimeoutSeconds) {
    var endpoints = cs.hosts().isEmpty()
        ? java.util.List.of(new ProbeTarget.Endpoint("localhost", HostPort.DEFAULT_PORT))
        : cs.hosts().stream().map(h -> new ProbeTarget.Endpoint(h.host(), h.portOrDefault())).toList();
    int timeout = connectTimeoutSeconds == null ? 10 : connectTimeoutSeconds;
    return new ProbeTarget(endpoints, cs.database(), cs.user(), cs.password(), sslMode.wire(),
        timeout, "pgconn-operator-probe");
  }
}
