package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A connection handed out as one JSON document in a Secret key: the shape of an AWS Secrets-Manager
 * secret for RDS ({@code {"username", "password", "host", "port", "dbname", "engine"}}), as
 * External Secrets Operator copies it into a Secret.
 */
public class SourceJsonSpec {

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the Secret, in the policy's namespace.")
  private String name;

  @Required
  @Pattern(SourceFieldsSpec.KEY_PATTERN)
  @JsonPropertyDescription(
      "Key whose value is a JSON object with username, password, host, port (a number or a"
          + " string) and, optionally, dbname (default: the user's name, as libpq) and engine"
          + " (must be postgres when present). Other members are ignored.")
  private String key;

  @Pattern("^[-._a-zA-Z0-9:\\[\\]]+$")
  @JsonPropertyDescription(
      "Host to use when the JSON has no host member: RDS-managed master user secrets"
          + " (manage_master_user_password) hold only username and password. The JSON's own"
          + " member wins when present.")
  private String host;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port to use when the JSON has no port member. Default 5432.")
  private Integer port;

  @Pattern("^[^\\x00-\\x1f]+$")
  @JsonPropertyDescription(
      "Database to use when the JSON has no dbname member. Default: the user's name, as libpq.")
  private String dbname;

  public SourceJsonSpec() {}

  public SourceJsonSpec(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getDbname() {
    return dbname;
  }

  public void setDbname(String dbname) {
    this.dbname = dbname;
  }
}
