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
    int connectTimeoutSeconds,
    String caCertificates) {

  public record Endpoint(String host, int port) {}

  /**
   * @param caCertificates the PEM bundle the server's certificate must chain to (verify-ca,
   *     verify-full, and require as libpq reads it with a root certificate), or null for the JVM's
   *     trust store or ~/.postgresql/root.crt
   */
  public ProbeTarget {
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(sslMode, "sslMode");
  }

  public ProbeTarget(
      List<Endpoint> endpoints,
      String database,
      String user,
      String password,
      String sslMode,
      int connectTimeoutSeconds) {
    this(endpoints, database, user, password, sslMode, connectTimeoutSeconds, null);
  }

  /** The same target with no password: what may be kept beside the password's salted hash. */
  ProbeTarget withoutPassword() {
    return new ProbeTarget(
        endpoints, database, user, null, sslMode, connectTimeoutSeconds, caCertificates);
  }

  /** The same target verifying the server with {@code pem} (null: no bundle of its own). */
  public ProbeTarget withCaCertificates(String pem) {
    return new ProbeTarget(
        endpoints, database, user, password, sslMode, connectTimeoutSeconds, pem);
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
        + (caCertificates == null ? "" : ", caCertificates=(own bundle)")
        + "]";
  }
}
