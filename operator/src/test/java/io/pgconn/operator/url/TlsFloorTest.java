package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policy's sslMode is a floor under the source's, never a ceiling over it. */
class TlsFloorTest {

  private static ConnectionString source(String sslmode) throws Exception {
    return ConnectionStringParser.parse(
        "postgresql://app:pw@db.example/app" + (sslmode == null ? "" : "?sslmode=" + sslmode));
  }

  @ParameterizedTest(name = "source {0}, spec {1} -> {2}")
  @CsvSource({
    "verify-full, require, verify-full",
    "verify-ca, require, verify-ca",
    "require, require, require",
    "prefer, require, require",
    "disable, require, require",
    ", require, require",
    ", prefer, prefer",
    ", disable, disable",
    "require, verify-full, verify-full",
    "verify-ca, verify-full, verify-full",
    "no-verify, require, require",
  })
  void theStricterModeWins(String source, String spec, String expected) throws Exception {
    assertEquals(
        SslMode.parse(expected), TlsFloor.effective(source(source), SslMode.parse(spec), false));
  }

  @Test
  void aSpecExplicitlyWeakerThanTheSourceIsRefusedWithTheFix() throws Exception {
    SslModeWeakenedException e =
        assertThrows(
            SslModeWeakenedException.class,
            () -> TlsFloor.effective(source("verify-full"), SslMode.PREFER, false));
    assertTrue(e.getMessage().contains("verify-full"), e.getMessage());
    assertTrue(e.getMessage().contains("prefer"), e.getMessage());
    assertTrue(e.getMessage().contains("allowWeakerSsl"), e.getMessage());
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
  }

  @Test
  void weakeningNeedsToBeSaidExplicitly() throws Exception {
    assertEquals(SslMode.PREFER, TlsFloor.effective(source("verify-full"), SslMode.PREFER, true));
    assertEquals(SslMode.REQUIRE, TlsFloor.effective(source("verify-full"), SslMode.REQUIRE, true));
  }

  @Provide
  Arbitrary<String> sourceModes() {
    return Arbitraries.of(
            "disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify")
        .injectNull(0.15);
  }

  @Property(tries = 500)
  void theEffectiveModeIsNeverWeakerThanTheSourceUnlessAllowed(
      @ForAll("sourceModes") String sourceMode, @ForAll SslMode spec, @ForAll boolean allowWeaker)
      throws Exception {
    ConnectionString cs = source(sourceMode);
    SslMode floor = sourceMode == null ? SslMode.DISABLE : SslMode.parse(sourceMode);
    SslMode effective;
    try {
      effective = TlsFloor.effective(cs, spec, allowWeaker);
    } catch (SslModeWeakenedException refused) {
      assertFalse(allowWeaker, "refused although weakening was allowed");
      assertTrue(spec.compareTo(floor) < 0, "refused although not weaker");
      return;
    }
    if (allowWeaker) {
      assertEquals(spec, effective, "an explicit weaker mode is taken as written");
    } else {
      assertTrue(
          effective.compareTo(floor) >= 0, effective + " is weaker than the source's " + floor);
      assertTrue(effective.compareTo(spec) >= 0, effective + " is weaker than the spec's " + spec);
    }
  }
}
