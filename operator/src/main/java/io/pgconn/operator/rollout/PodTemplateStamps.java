package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.pgconn.operator.kube.OperatorIdentity;
import java.util.Map;
import java.util.TreeMap;

/**
 * The restart stamps a pod template carries: one annotation per policy whose content the pods read,
 * {@code content-hash.pgconn.io/<policy>: <content hash>}. One key per policy, so a workload that
 * reads the Secrets of two policies carries both hashes and each policy restarts it only when its
 * own content changes (with one shared key each would undo the other's stamp on every reconcile).
 *
 * @param byKey the template's stamp annotations, the legacy one included, by key
 */
public record PodTemplateStamps(Map<String, String> byKey) {

  public static final String KEY_PREFIX = "content-hash.pgconn.io/";

  /** The one key every policy stamped before keys were per policy; read, never written. */
  public static final String LEGACY_KEY = "pgconn.io/content-hash";

  public static final PodTemplateStamps NONE = new PodTemplateStamps(Map.of());

  public PodTemplateStamps {
    byKey = Map.copyOf(byKey);
  }

  /** The annotation key of this policy's stamp. */
  public static String key(String policyName) {
    return KEY_PREFIX + OperatorIdentity.policySegment(policyName);
  }

  public static PodTemplateStamps of(PodTemplateSpec template) {
    ObjectMeta meta = template == null ? null : template.getMetadata();
    Map<String, String> annotations = meta == null ? null : meta.getAnnotations();
    if (annotations == null) return NONE;
    Map<String, String> stamps = new TreeMap<>();
    annotations.forEach(
        (key, value) -> {
          if (key.startsWith(KEY_PREFIX) || key.equals(LEGACY_KEY)) stamps.put(key, value);
        });
    return new PodTemplateStamps(stamps);
  }

  /**
   * The content hash this policy last stamped, or null. A template without the policy's own key
   * that carries the legacy key (stamped by an operator from before per-policy keys) is read as
   * stamped with that hash, exactly as that operator read it: so the upgrade restarts nothing whose
   * legacy stamp is the policy's current content, and the policy's next stamp writes its own key,
   * after which the legacy key no longer counts for it.
   */
  public String hashOf(String policyName) {
    String own = byKey.get(key(policyName));
    return own != null ? own : byKey.get(LEGACY_KEY);
  }
}
