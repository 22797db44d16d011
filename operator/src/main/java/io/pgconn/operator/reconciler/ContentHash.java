package io.pgconn.operator.reconciler;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash of a Secret's content that the operator publishes (pod template annotations, status,
 * events): HMAC-SHA256 under the policy's own key (see {@link HashKeys}), over the content in key
 * order and length-prefixed so no two contents collide. Keyed because the content holds the
 * password and the rest of it is in plain sight: an unkeyed hash would let anyone who can read a
 * Deployment or the policy's status confirm password guesses offline. Same content and same key,
 * same bytes: no restart without a real change.
 */
public final class ContentHash {

  public static final String PREFIX = "hmac-sha256:";

  /** What versions before the keyed hash published, and the in place backup records internally. */
  public static final String UNKEYED_PREFIX = "sha256:";

  static final int KEY_BYTES = 32;
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  private ContentHash(SecretKeySpec key) {
    this.key = key;
  }

  static ContentHash keyed(byte[] key) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a content hash key has " + KEY_BYTES + " bytes");
    }
    return new ContentHash(new SecretKeySpec(key, HMAC));
  }

  /** The published, keyed hash of {@code content}. */
  public String of(SortedMap<String, String> content) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      encode(content, mac::update);
      return PREFIX + HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks " + HMAC, e);
    }
  }

  /**
   * The unkeyed sha256 of the same encoding. Never published: only the in place backup records it,
   * inside a Secret whose readers can read the password anyway, and it stays unkeyed so a backup
   * written by an earlier version still recognises the operator's own write after an upgrade.
   */
  static String unkeyed(SortedMap<String, String> content) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      encode(content, digest::update);
      return UNKEYED_PREFIX + HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  private static void encode(SortedMap<String, String> content, Consumer<byte[]> sink) {
    for (Map.Entry<String, String> entry : content.entrySet()) {
      update(sink, entry.getKey());
      update(sink, entry.getValue());
    }
  }

  private static void update(Consumer<byte[]> sink, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sink.accept((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    sink.accept(bytes);
  }

  /** Never the key. */
  @Override
  public String toString() {
    return "ContentHash[" + HMAC + "]";
  }
}
