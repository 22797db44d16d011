package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** Labels, ownership and data encoding shared by every Secret the operator writes. */
public final class ManagedSecrets {

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "pgconn-operator";
  public static final String POLICY_LABEL = "pgconn.io/policy";
  public static final String SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
  public static final String FIELD_MANAGER = "pgconn-operator";

  private ManagedSecrets() {}

  static Map<String, String> labels(PostgresConnectionPolicy policy) {
    return Map.of(MANAGED_BY_LABEL, MANAGED_BY, POLICY_LABEL, policy.getMetadata().getName());
  }

  static OwnerReference ownerReference(PostgresConnectionPolicy policy) {
    return new OwnerReferenceBuilder()
        .withApiVersion(policy.getApiVersion())
        .withKind(policy.getKind())
        .withName(policy.getMetadata().getName())
        .withUid(policy.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(false)
        .build();
  }

  static SortedMap<String, String> encode(SortedMap<String, String> content) {
    SortedMap<String, String> data = new TreeMap<>();
    content.forEach((k, v) -> data.put(k,
        Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  static Optional<String> value(Secret secret, String key) {
    if (secret == null) return Optional.empty();
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      String encoded = secret.getData().get(key);
      return Optional.of(encoded == null ? "" : new String(Base64.getMimeDecoder().decode(encoded),
          StandardCharsets.UTF_8));
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return Optional.ofNullable(secret.getStringData().get(key));
    }
    return Optional.empty();
  }

  /** Whether the Secret already holds exactly these values for these keys. */
  static boolean holds(Secret secret, SortedMap<String, String> content) {
    return content.entrySet().stream()
        .allMatch(e -> value(secret, e.getKey()).filter(e.getValue()::equals).isPresent());
  }
}
