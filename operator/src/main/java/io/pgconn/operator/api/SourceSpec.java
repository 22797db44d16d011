package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the base connection comes from, in one of three shapes: a URL in one key (secretRef), one
 * key per value (fields), or a JSON document (json). Exactly one is set.
 */
@ValidationRule(
    value =
        "(has(self.secretRef) ? 1 : 0) + (has(self.fields) ? 1 : 0) + (has(self.json) ? 1 : 0)"
            + " == 1",
    message =
        "set exactly one of secretRef (a URL in one key), fields (one key per value, e.g."
            + " CloudNativePG's <cluster>-app) or json (a JSON document, e.g. an RDS secret)")
public class SourceSpec {

  /**
   * The label (value "true") that users or their Secret issuers put on source and CA Secrets so
   * that the operator watches them with one watch per namespace; an unlabelled source costs a watch
   * of its own. The operator never sets it: source Secrets are not the operator's to write.
   */
  public static final String WATCH_LABEL = "pgconn.io/source-secret";

  @JsonPropertyDescription(
      "Shape 1, a URL: the Secret (same namespace) and key holding the base DATABASE_URL"
          + " (postgresql://, postgres://, jdbc:postgresql://, keyword=value, or a Prisma"
          + " Accelerate URL). Exactly one of secretRef, fields and json. Label the Secret "
          + WATCH_LABEL
          + ": \"true\" so that it is watched with one watch per namespace.")
  private SecretKeyRef secretRef;

  @JsonPropertyDescription(
      "Shape 2, one key per value: host, port, dbname, user, password and optionally sslmode"
          + " and options from one Secret; the defaults are CloudNativePG's <cluster>-app keys."
          + " The operator builds the URL, encoding every character. Exactly one of secretRef,"
          + " fields and json.")
  private SourceFieldsSpec fields;

  @JsonPropertyDescription(
      "Shape 3, a JSON document in one key (an AWS RDS secret: username, password, host, port,"
          + " dbname). Exactly one of secretRef, fields and json.")
  private SourceJsonSpec json;

  @JsonPropertyDescription(
      "Optional direct URL (not a pooler, not Prisma Accelerate), used for probing"
          + " and for outputs with pooled: false.")
  private SecretKeyRef directSecretRef;

  @JsonPropertyDescription(
      "Optional CA bundle (PEM) that signs the server's certificate, for sslMode verify-ca and"
          + " verify-full: the probe verifies the server with it, and it is copied into the target"
          + " Secret under ca.crt, with every output pointing at mountPath.")
  private CaSecretRef caSecretRef;

  public SecretKeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }

  public SourceFieldsSpec getFields() {
    return fields;
  }

  public void setFields(SourceFieldsSpec fields) {
    this.fields = fields;
  }

  public SourceJsonSpec getJson() {
    return json;
  }

  public void setJson(SourceJsonSpec json) {
    this.json = json;
  }

  public SecretKeyRef getDirectSecretRef() {
    return directSecretRef;
  }

  public void setDirectSecretRef(SecretKeyRef directSecretRef) {
    this.directSecretRef = directSecretRef;
  }

  public CaSecretRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(CaSecretRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }
}
