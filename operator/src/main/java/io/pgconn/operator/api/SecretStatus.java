package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretStatus {
  @JsonPropertyDescription("Name of the Secret written.")
  private String name;

  @JsonPropertyDescription("sha256 of the written content; never the content.")
  private String contentHash;

  @JsonPropertyDescription("When the content last changed.")
  private String updatedAt;

  public SecretStatus() {}

  public SecretStatus(String name, String contentHash, String updatedAt) {
    this.name = name;
    this.contentHash = contentHash;
    this.updatedAt = updatedAt;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getContentHash() {
    return contentHash;
  }

  public void setContentHash(String contentHash) {
    this.contentHash = contentHash;
  }

  public String getUpdatedAt() {
    return updatedAt;
  }

  public void setUpdatedAt(String updatedAt) {
    this.updatedAt = updatedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretStatus that
        && Objects.equals(name, that.name)
        && Objects.equals(contentHash, that.contentHash)
        && Objects.equals(updatedAt, that.updatedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, contentHash, updatedAt);
  }
}
