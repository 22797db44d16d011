package io.pgconn.operator.probe;

import java.util.List;
import java.util.Objects;

/**
 * Where and as whom to probe. Kept independent of the url package so probing can be reused by the
 * doctor command on any parsed input. toString never shows the password.
 */
public record ProbeTarget(
    List<Endpoint> endpoints,
    String database,
    String user,
    String password,
    String sslMode,
    int connectTimeoutSeconds) {

  public record Endpoint(String host, int port) {}

  public ProbeTarget {
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(sslMode, "sslMode");
  }

  /** The same target with no password: what may be kept beside the password's salted hash. */
  ProbeTarget withoutPassword() {
    return new ProbeTarget(endpoints, database, user, null, sslMode, connectTimeoutSeconds);
  }

  @Override
  public String toString() {
    return "ProbeTarget[endpoints="
        + endpoints
        + ", database="
        + database
        + ", user="
        + user
        + ", sslMode="
        + sslMode
        + "]";
  }
}
