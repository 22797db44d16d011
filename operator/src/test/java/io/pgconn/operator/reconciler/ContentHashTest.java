package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ContentHashTest {

  private static final String CANARY = "canary-Pa55w0rd-7f3c";
  private static final byte[] KEY = filled(7);
  private static final byte[] OTHER_KEY = filled(9);

  @Property
  void sameContentSameHashAndMovingABoundaryChangesIt(@ForAll String a, @ForAll String b) {
    ContentHash hash = ContentHash.keyed(KEY);
    TreeMap<String, String> one = new TreeMap<>();
    one.put("K", a + b);
    assertThat(hash.of(one)).isEqualTo(ContentHash.keyed(KEY.clone()).of(new TreeMap<>(one)));
    TreeMap<String, String> two = new TreeMap<>();
    two.put("K" + a, b);
    if (!a.isEmpty()) {
      assertThat(hash.of(two)).isNotEqualTo(hash.of(one));
    }
  }

  /**
   * Someone who can read the published hash and guesses the content (all of it but the password is
   * in plain sight: host, user, pool settings) must not be able to confirm a password guess: the
   * hash is not the sha256 of the content, and depends on a key they cannot read.
   */
  @Test
  void aHashOfContentWithAPasswordCannotBeRecomputedFromTheContentAlone() throws Exception {
    SortedMap<String, String> content = new TreeMap<>();
    content.put("DATABASE_URL", "postgresql://app:" + CANARY + "@db:5432/app?connection_limit=5");
    content.put("PGPASSWORD", CANARY);

    String published = ContentHash.keyed(KEY).of(content);

    assertThat(published).startsWith("hmac-sha256:").doesNotContain(CANARY);
    assertThat(published).isNotEqualTo(ContentHash.unkeyed(content));
    assertThat(hex(published)).isNotEqualTo(hex(ContentHash.unkeyed(content)));
    assertThat(hex(published)).isNotEqualTo(plainSha256(content));
    assertThat(published).isNotEqualTo(ContentHash.keyed(OTHER_KEY).of(content));
    assertThat(published).isEqualTo(ContentHash.keyed(KEY).of(new TreeMap<>(content)));
  }

  @Test
  void theKeyNeverShowsInTheHashersText() {
    ContentHash hash = ContentHash.keyed(KEY);
    assertThat(hash.toString()).doesNotContain(HexFormat.of().formatHex(KEY));
  }

  @Test
  void aKeyOfTheWrongLengthIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContentHash.keyed(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("0000");
  }

  /** The same length-prefixed encoding the operator has always hashed, without a key. */
  private static String plainSha256(SortedMap<String, String> content) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (var e : content.entrySet()) {
      for (String text : new String[] {e.getKey(), e.getValue()}) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String hex(String prefixed) {
    return prefixed.substring(prefixed.indexOf(':') + 1);
  }

  private static byte[] filled(int value) {
    byte[] key = new byte[ContentHash.KEY_BYTES];
    Arrays.fill(key, (byte) value);
    return key;
  }
}
