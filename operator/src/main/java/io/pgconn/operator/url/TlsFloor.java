package io.pgconn.operator.url;

/**
 * The one rule for the sslmode the operator writes: never weaker than the source's, unless the
 * policy says so explicitly. libpq's order is disable < allow < prefer < require < verify-ca <
 * verify-full ({@link SslMode}'s declaration order); a source without sslmode sets no floor.
 *
 * <ul>
 *   <li>spec at least as strict as the source: the spec's mode;
 *   <li>spec {@code require} (the CRD default, so indistinguishable from "not set") below a
 *       stricter source: the source's mode, since require was only ever a floor;
 *   <li>any other weaker spec: refused, unless weakening is allowed explicitly, when the spec's
 *       mode is taken as written.
 * </ul>
 */
public final class TlsFloor {

  private TlsFloor() {}

  /**
   * The sslmode the source asks for explicitly; DISABLE (no floor) when it names none: libpq's
   * default, prefer, is opportunistic and no statement about what the server needs, and treating it
   * as a floor would refuse every policy that turns TLS off for a server without it.
   */
  public static SslMode ofSource(ConnectionString source) {
    String mode = source.parameters().get("sslmode");
    return mode == null ? SslMode.DISABLE : SslMode.parse(mode);
  }

  /**
   * @throws SslModeWeakenedException when {@code spec} is weaker than the source's mode, is not the
   *     default {@code require}, and {@code allowWeaker} is false
   */
  public static SslMode effective(ConnectionString source, SslMode spec, boolean allowWeaker)
      throws SslModeWeakenedException {
    SslMode floor = ofSource(source);
    if (allowWeaker || spec.compareTo(floor) >= 0) {
      return spec;
    }
    if (spec == SslMode.REQUIRE) {
      return floor;
    }
    throw new SslModeWeakenedException(
        "spec.pool.sslMode "
            + spec.wire()
            + " is weaker than the"
            + " source's sslmode "
            + floor.wire()
            + ", and the operator never weakens TLS on its own:"
            + " set spec.pool.sslMode to "
            + floor.wire()
            + " (or remove it), or set"
            + " spec.pool.allowWeakerSsl: true to write "
            + spec.wire()
            + " on purpose");
  }
}
