package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class SourceSpec {

  @Required
  @JsonPropertyDescription("The Secret (same namespace) and key holding the base DATABASE_URL.")
  private SecretKeyRef secretRef = new SecretKeyRef();

  @JsonPropertyDescription(
      "Optional direct URL (not a pooler, not Prisma Accelerate), used for probing"
          + " and for outputs with pooled: false.")
  private SecretKeyRef directSecretRef;

  public SecretKeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }

  public SecretKeyRef getDirectSecretRef() {
    return directSecretRef;
  }

  public void setDirectSecretRef(SecretKeyRef directSecretRef) {
    this.directSecretRef = directSecretRef;
  }
}
