package io.pgconn.operator.budget;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An application_name as PostgreSQL stores it and shows it in pg_stat_activity, which is what the
 * budget has to match a policy's pods against. The server does two things to the name a client
 * sends (check_application_name, then pgstat_report_appname):
 *
 * <ol>
 *   <li>every byte outside printable ASCII (32..126) is replaced: by {@code \xNN} (two lowercase
 *       hex digits) since PostgreSQL 16, by {@code ?} before (pg_clean_ascii). UTF-8 text thus
 *       turns into one escape per byte;
 *   <li>the result is cut to NAMEDATALEN - 1 = 63 bytes (after the replacement, so an escape can be
 *       cut in the middle).
 * </ol>
 *
 * Matching the name as configured would count a policy's own pods as foreign whenever its name is
 * long or not ASCII, and the limit would then follow its own usage up and down.
 */
public final class StoredApplicationName {

  /** NAMEDATALEN - 1 in every PostgreSQL build the operator supports (64 is the default). */
  public static final int MAX_BYTES = 63;

  /** The first major version that writes {@code \xNN} instead of {@code ?}. */
  public static final int HEX_ESCAPES_SINCE = 16;

  private StoredApplicationName() {}

  /** What a server of {@code serverMajor} stores for {@code name} (sent as UTF-8). */
  public static String of(String name, int serverMajor) {
    StringBuilder out = new StringBuilder();
    for (int b : utf8(name)) {
      if (b == 0) break; // a C string ends there
      if (b < 32 || b > 126) {
        out.append(
            serverMajor >= HEX_ESCAPES_SINCE
                ? "\\x" + Character.forDigit(b >> 4, 16) + Character.forDigit(b & 0xf, 16)
                : "?");
      } else {
        out.append((char) b);
      }
    }
    return out.length() > MAX_BYTES ? out.substring(0, MAX_BYTES) : out.toString();
  }

  /**
   * Every form a server of any supported version may store: the budget does not know which version
   * each probe reached, and no other client plausibly reports one of these names.
   */
  public static Set<String> forms(String name) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(of(name, HEX_ESCAPES_SINCE - 1));
    forms.add(of(name, HEX_ESCAPES_SINCE));
    return forms;
  }

  /** Whether the server would show {@code name} unchanged. */
  public static boolean storedAsIs(String name) {
    return of(name, HEX_ESCAPES_SINCE).equals(name);
  }

  /**
   * The UTF-8 bytes of {@code s} as unsigned values (unpaired surrogates become '?', as Java does).
   */
  private static int[] utf8(String s) {
    int[] out = new int[s.length() * 4];
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isSurrogate((char) cp) && cp <= 0xffff) cp = '?';
      if (cp < 0x80) {
        out[n++] = cp;
      } else if (cp < 0x800) {
        out[n++] = 0xc0 | cp >> 6;
        out[n++] = 0x80 | cp & 0x3f;
      } else if (cp < 0x10000) {
        out[n++] = 0xe0 | cp >> 12;
        out[n++] = 0x80 | cp >> 6 & 0x3f;
        out[n++] = 0x80 | cp & 0x3f;
      } else {
        out[n++] = 0xf0 | cp >> 18;
        out[n++] = 0x80 | cp >> 12 & 0x3f;
        out[n++] = 0x80 | cp >> 6 & 0x3f;
        out[n++] = 0x80 | cp & 0x3f;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
