package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
}
