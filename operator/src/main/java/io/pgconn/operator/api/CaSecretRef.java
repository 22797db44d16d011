package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret key holding the PEM bundle of the CA(s) that sign the server's certificate. */
public class CaSecretRef {

  public static final String DEFAULT_KEY = "ca.crt";
  public static final String DEFAULT_MOUNT_PATH = "/etc/pgconn/ca.crt";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of the Secret, in the policy's namespace (e.g. CloudNativePG's <cluster>-ca, or one"
          + " holding the RDS global bundle).")
  private String name;

  @Default(DEFAULT_KEY)
  @Pattern(SourceFieldsSpec.KEY_PATTERN)
  @JsonPropertyDescription(
      "Key holding the PEM certificates (one or more BEGIN CERTIFICATE blocks). Default ca.crt.")
  private String key = DEFAULT_KEY;

  @Default(DEFAULT_MOUNT_PATH)
  @Pattern("^/[-._a-zA-Z0-9/]*[-._a-zA-Z0-9]$")
  @JsonPropertyDescription(
      "Where the application's pods find the bundle: mount the target Secret's ca.crt key at"
          + " this path. Every output names it (sslrootcert= in libpq, pgx, JDBC and"
          + " node-postgres and prisma-adapter-pg URLs, PGSSLROOTCERT for env). Default /etc/pgconn/ca.crt.")
  private String mountPath = DEFAULT_MOUNT_PATH;

  public CaSecretRef() {}

  public CaSecretRef(String name, String key, String mountPath) {
    this.name = name;
    this.key = key;
    this.mountPath = mountPath;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key == null || key.isBlank() ? DEFAULT_KEY : key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getMountPath() {
    return mountPath == null || mountPath.isBlank() ? DEFAULT_MOUNT_PATH : mountPath;
  }

  public void setMountPath(String mountPath) {
    this.mountPath = mountPath;
  }
}
