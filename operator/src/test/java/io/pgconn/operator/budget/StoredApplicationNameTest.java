package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rule as PostgreSQL applies it; {@code StoredApplicationNameIT} checks it on real servers. */
class StoredApplicationNameTest {

  @Test
  void shortAsciiNamesAreStoredAsTheyAre() {
    assertThat(StoredApplicationName.of("checkout", 16)).isEqualTo("checkout");
    assertThat(StoredApplicationName.storedAsIs("checkout")).isTrue();
  }

  @Test
  void longNamesAreCutTo63Bytes() {
    String name = "a".repeat(70);
    assertThat(StoredApplicationName.of(name, 16)).isEqualTo("a".repeat(63));
    assertThat(StoredApplicationName.storedAsIs(name)).isFalse();
  }

  @Test
  void bytesOutsidePrintableAsciiBecomeHexEscapesSince16AndQuestionMarksBefore() {
    assertThat(StoredApplicationName.of("café", 16)).isEqualTo("caf\\xc3\\xa9");
    assertThat(StoredApplicationName.of("café", 17)).isEqualTo("caf\\xc3\\xa9");
    assertThat(StoredApplicationName.of("café", 15)).isEqualTo("caf??");
    assertThat(StoredApplicationName.of("a\tb", 16)).isEqualTo("a\\x09b");
    assertThat(StoredApplicationName.of("日", 16)).isEqualTo("\\xe6\\x97\\xa5");
    assertThat(StoredApplicationName.of("😀", 16)).isEqualTo("\\xf0\\x9f\\x98\\x80");
    assertThat(StoredApplicationName.of("del\u007f", 16)).isEqualTo("del\\x7f");
  }

  @Test
  void theCutComesAfterTheEscapesAndMaySplitOne() {
    String name = "x".repeat(61) + "é";
    assertThat(StoredApplicationName.of(name, 16)).isEqualTo("x".repeat(61) + "\\x");
    assertThat(StoredApplicationName.forms(name))
        .containsExactly("x".repeat(61) + "??", "x".repeat(61) + "\\x");
  }
}
