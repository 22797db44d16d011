package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class SecretKeyRef {

  public static final String DEFAULT_KEY = "DATABASE_URL";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the Secret, in the policy's namespace.")
  private String name;

  @Default(DEFAULT_KEY)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription("Key in the Secret's data. Default DATABASE_URL.")
  private String key = DEFAULT_KEY;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
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
    return key == null || key.isBlank() ? DEFAULT_KEY : key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
