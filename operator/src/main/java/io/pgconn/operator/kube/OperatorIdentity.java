package io.pgconn.operator.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How the operator names itself to the API server: the field manager of every server-side apply,
 * the managed-by label of the Secrets it writes, and the source of its Events. One name, so that
 * {@code kubectl get --show-managed-fields}, label selectors and {@code kubectl get events} agree.
 * The one exception is what several policies write into one object (the restart stamps on a
 * workload's pod template): each policy applies that under its own manager, named after it.
 */
public final class OperatorIdentity {

  public static final String NAME = "pgconn-operator";
  public static final String FIELD_MANAGER = NAME;
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + NAME;

  /** The longest name part of an annotation key (and of a label key). */
  public static final int NAME_SEGMENT_MAX = 63;

  private static final int SEGMENT_HASH_LENGTH = 10;

  private OperatorIdentity() {}

  /**
   * The field manager under which one policy applies what it alone owns in an object other policies
   * write too: server-side apply removes the fields a manager owned and no longer applies, so two
   * policies sharing one manager would delete each other's fields.
   */
  public static String policyFieldManager(String policyName) {
    return FIELD_MANAGER + "/" + policySegment(policyName);
  }

  /**
   * A policy's name where at most 63 characters fit (the name part of an annotation key): the name
   * itself when it fits, otherwise a prefix and a hash of the whole name, so the result is stable
   * across restarts and two long names sharing a prefix still differ. Policy names are DNS
   * subdomains, so every character is valid there.
   */
  public static String policySegment(String policyName) {
    if (policyName.length() <= NAME_SEGMENT_MAX) return policyName;
    String prefix = policyName.substring(0, NAME_SEGMENT_MAX - SEGMENT_HASH_LENGTH - 1);
    return prefix + "-" + sha256Hex(policyName).substring(0, SEGMENT_HASH_LENGTH);
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
