package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** A policy's key, derived from its namespace's: its own, stable, and a full-length key. */
class HashKeysTest {

  @Property
  void aPolicysKeyIsStableAndNoOtherPolicyShares(
      @ForAll @Size(32) byte[] namespaceKey,
      @ForAll @StringLength(min = 1, max = 253) String policy,
      @ForAll @StringLength(min = 1, max = 253) String other) {
    byte[] key = HashKeys.derive(namespaceKey, policy);
    assertThat(key).hasSize(ContentHash.KEY_BYTES).isEqualTo(HashKeys.derive(namespaceKey, policy));
    if (!policy.equals(other)) {
      assertThat(Arrays.equals(key, HashKeys.derive(namespaceKey, other))).isFalse();
    }
  }

  @Property
  void anotherNamespacesKeyGivesTheSamePolicyAnotherKey(
      @ForAll @Size(32) byte[] one,
      @ForAll @Size(32) byte[] two,
      @ForAll @StringLength(min = 1, max = 253) String policy) {
    if (Arrays.equals(one, two)) return;
    assertThat(Arrays.equals(HashKeys.derive(one, policy), HashKeys.derive(two, policy))).isFalse();
  }
}
