package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class ContentHashTest {

  @Property
  void sameContentSameHashAndMovingABoundaryChangesIt(@ForAll String a, @ForAll String b) {
    TreeMap<String, String> one = new TreeMap<>();
    one.put("K", a + b);
    assertThat(ContentHash.of(one)).isEqualTo(ContentHash.of(new TreeMap<>(one)));
    TreeMap<String, String> two = new TreeMap<>();
    two.put("K" + a, b);
    if (!a.isEmpty()) {
      assertThat(ContentHash.of(two)).isNotEqualTo(ContentHash.of(one));
    }
  }
}
