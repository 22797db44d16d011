package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.kube.OperatorIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Labels, ownership and data encoding shared by every Secret the operator writes. */
public final class ManagedSecrets {

  public static final String MANAGED_BY_LABEL = OperatorIdentity.MANAGED_BY_LABEL;
  public static final String MANAGED_BY = OperatorIdentity.NAME;
  public static final String POLICY_LABEL = "pgconn.io/policy";
  public static final String SELECTOR = OperatorIdentity.MANAGED_SELECTOR;

  private ManagedSecrets() {}

  /** A Secret owned by the policy, labelled as managed, holding exactly this content. */
  static Secret owned(
      PostgresConnectionPolicy policy,
      String name,
      SortedMap<String, String> content,
      Map<String, String> annotations) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(policy.getMetadata().getNamespace())
        .withLabels(labels(policy))
        .withAnnotations(annotations)
        .withOwnerReferences(ownerReference(policy))
        .endMetadata()
        .withType("Opaque")
        .withData(encode(content))
        .build();
  }

  /**
   * The target Secret: labelled as managed, with the spec's labels and annotations, owned by the
   * policy only when its deletionPolicy is Delete, holding exactly this content.
   */
  static Secret target(
      PostgresConnectionPolicy policy,
      String name,
      SortedMap<String, String> content,
      TargetMetadata metadata) {
    var builder =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(policy.getMetadata().getNamespace())
            .withLabels(metadata.labels())
            .withAnnotations(metadata.annotations());
    if (metadata.owned()) builder = builder.withOwnerReferences(ownerReference(policy));
    return builder.endMetadata().withType("Opaque").withData(encode(content)).build();
  }

  /**
   * Whether the policy may write this Secret as its target: it owns it, or the Secret is a target
   * retained for a policy of this name (no policy owns it, and it carries the operator's managed-by
   * label and this policy's name in pgconn.io/policy, which only the operator writes on targets). A
   * Secret without those labels, or owned by another policy, is never adopted.
   */
  static boolean targetOf(Secret secret, PostgresConnectionPolicy policy) {
    if (ownedBy(secret, policy)) return true;
    if (owningPolicy(secret).isPresent()) return false;
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null
        && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
        && OperatorIdentity.policySegment(policy.getMetadata().getName())
            .equals(labels.get(POLICY_LABEL));
  }

  /** The policy (its label) a retained target was written for, if it is one. */
  static Optional<String> retainedFor(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    if (labels == null || !MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))) return Optional.empty();
    return Optional.ofNullable(labels.get(POLICY_LABEL));
  }

  static boolean ownedBy(Secret secret, PostgresConnectionPolicy policy) {
    return owners(secret).stream()
        .anyMatch(o -> Objects.equals(o.getUid(), policy.getMetadata().getUid()));
  }

  /** The PostgresConnectionPolicy that owns the Secret, if one does. */
  static Optional<String> owningPolicy(Secret secret) {
    return owners(secret).stream()
        .filter(o -> policyKind().equals(o.getKind()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  private static java.util.List<OwnerReference> owners(Secret secret) {
    var refs = secret.getMetadata().getOwnerReferences();
    return refs == null ? java.util.List.of() : refs;
  }

  private static String policyKind() {
    return io.fabric8.kubernetes.api.model.HasMetadata.getKind(PostgresConnectionPolicy.class);
  }

  /** A label value holds 63 characters and a policy's name up to 253: a longer one is shortened. */
  static Map<String, String> labels(PostgresConnectionPolicy policy) {
    return Map.of(
        MANAGED_BY_LABEL,
        MANAGED_BY,
        POLICY_LABEL,
        OperatorIdentity.policySegment(policy.getMetadata().getName()));
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
    content.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  static Optional<String> value(Secret secret, String key) {
    if (secret == null) return Optional.empty();
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      String encoded = secret.getData().get(key);
      return Optional.of(
          encoded == null
              ? ""
              : new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8));
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

  /**
   * The data keys the operator's own server-side applies own in the Secret (from its
   * managedFields): an apply that leaves one out removes it, unless another writer owns it too.
   */
  static Set<String> keysAppliedBy(Secret secret) {
    Set<String> keys = new java.util.TreeSet<>();
    var entries = secret.getMetadata().getManagedFields();
    if (entries == null) return keys;
    for (var entry : entries) {
      if (!OperatorIdentity.FIELD_MANAGER.equals(entry.getManager())
          || !"Apply".equals(entry.getOperation())
          || entry.getFieldsV1() == null) {
        continue;
      }
      if (entry.getFieldsV1().getAdditionalProperties().get("f:data") instanceof Map<?, ?> data) {
        data.keySet().stream()
            .map(String::valueOf)
            .filter(k -> k.startsWith("f:"))
            .forEach(k -> keys.add(k.substring(2)));
      }
    }
    return keys;
  }

  /** Whether the Secret holds these keys with these values, and no other key. */
  static boolean holdsExactly(Secret secret, SortedMap<String, String> content) {
    Set<String> keys = secret.getData() == null ? Set.of() : secret.getData().keySet();
    return keys.equals(content.keySet()) && holds(secret, content);
  }
}
