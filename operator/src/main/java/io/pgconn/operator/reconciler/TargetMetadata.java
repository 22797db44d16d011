package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.pgconn.operator.api.DeletionPolicy;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.TargetSpec;
import io.pgconn.operator.kube.OperatorIdentity;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the target Secret carries besides its data: the spec's labels and annotations, the
 * operator's own labels (which win: the CRD refuses the spec's attempts, an older object cannot
 * override them either), and the policy's owner reference only with deletionPolicy Delete.
 *
 * <p>None of it is part of the content hash (which covers the data alone), so changing it rewrites
 * the Secret's metadata and restarts nothing.
 */
record TargetMetadata(
    SortedMap<String, String> labels, SortedMap<String, String> annotations, boolean owned) {

  static TargetMetadata of(PostgresConnectionPolicy policy) {
    TargetSpec target = policy.getSpec().getTarget();
    SortedMap<String, String> labels = new TreeMap<>();
    SortedMap<String, String> annotations = new TreeMap<>();
    if (target != null) {
      labels.putAll(target.getLabels());
      annotations.putAll(target.getAnnotations());
    }
    labels.putAll(ManagedSecrets.labels(policy));
    // The SDK's own bookkeeping annotation is never the spec's to set.
    annotations.remove(InformerEventSource.PREVIOUS_ANNOTATION_KEY);
    return new TargetMetadata(labels, annotations, deletesWithPolicy(policy));
  }

  /**
   * {@link #of}, after checking the spec's label values, which the CRD cannot check within the API
   * server's cost budget for its rules (it checks the keys): a value Kubernetes would refuse fails
   * the policy with a message before anything is written, instead of an API error on the write.
   */
  static TargetMetadata validated(PostgresConnectionPolicy policy) throws PolicyFailure {
    TargetSpec target = policy.getSpec().getTarget();
    if (target != null) {
      for (var label : new TreeMap<>(target.getLabels()).entrySet()) {
        String value = label.getValue() == null ? "" : label.getValue();
        if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
          throw new PolicyFailure(
              PolicyFailure.Reason.INVALID_SPEC,
              "spec.target.labels: the value of "
                  + label.getKey()
                  + " is not a valid label value: it must be empty or at most 63 letters,"
                  + " digits, '-', '_' or '.', starting and ending with a letter or digit;"
                  + " put free text in spec.target.annotations instead");
        }
      }
    }
    return of(policy);
  }

  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  static boolean deletesWithPolicy(PostgresConnectionPolicy policy) {
    TargetSpec target = policy.getSpec().getTarget();
    return target != null && target.getDeletionPolicy() == DeletionPolicy.Delete;
  }

  /**
   * Whether the Secret carries exactly this: every label and annotation with its value, the owner
   * reference if and only if owned, and none of the labels or annotations the operator applied
   * before and no longer wants (server-side apply removes those on the next write).
   */
  boolean heldBy(Secret secret, PostgresConnectionPolicy policy) {
    if (ManagedSecrets.ownedBy(secret, policy) != owned) return false;
    if (!contains(secret.getMetadata().getLabels(), labels)
        || !contains(secret.getMetadata().getAnnotations(), annotations)) {
      return false;
    }
    Set<String> staleLabels = applied(secret, "f:labels");
    staleLabels.removeAll(labels.keySet());
    Set<String> staleAnnotations = applied(secret, "f:annotations");
    staleAnnotations.removeAll(annotations.keySet());
    staleAnnotations.remove(InformerEventSource.PREVIOUS_ANNOTATION_KEY);
    return staleLabels.isEmpty() && staleAnnotations.isEmpty();
  }

  /** Whether the Secret has an owner reference to this policy that Retain says it must not. */
  static boolean wronglyOwned(Secret secret, PostgresConnectionPolicy policy) {
    return !deletesWithPolicy(policy) && ManagedSecrets.ownedBy(secret, policy);
  }

  /** The index of this policy's owner reference in the Secret's, or -1. */
  static int ownerIndex(Secret secret, PostgresConnectionPolicy policy) {
    var refs = secret.getMetadata().getOwnerReferences();
    if (refs == null) return -1;
    for (int i = 0; i < refs.size(); i++) {
      OwnerReference ref = refs.get(i);
      if (Objects.equals(ref.getUid(), policy.getMetadata().getUid())) return i;
    }
    return -1;
  }

  private static boolean contains(Map<String, String> actual, Map<String, String> wanted) {
    Map<String, String> present = actual == null ? Map.of() : actual;
    return wanted.entrySet().stream()
        .allMatch(e -> Objects.equals(present.get(e.getKey()), e.getValue()));
  }

  /** The keys under metadata.{labels,annotations} that the operator's applies own. */
  private static Set<String> applied(Secret secret, String field) {
    Set<String> keys = new TreeSet<>();
    var entries = secret.getMetadata().getManagedFields();
    if (entries == null) return keys;
    for (var entry : entries) {
      if (!OperatorIdentity.FIELD_MANAGER.equals(entry.getManager())
          || !"Apply".equals(entry.getOperation())
          || entry.getFieldsV1() == null
          || !(entry.getFieldsV1().getAdditionalProperties().get("f:metadata")
              instanceof Map<?, ?> metadata)
          || !(metadata.get(field) instanceof Map<?, ?> map)) {
        continue;
      }
      map.keySet().stream()
          .map(String::valueOf)
          .filter(k -> k.startsWith("f:"))
          .forEach(k -> keys.add(k.substring(2)));
    }
    return keys;
  }
}
