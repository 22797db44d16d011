package io.pgconn.operator.probe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Tells credentials apart without holding them: a SHA-256 of the password under a random salt that
 * lives and dies with this object, so a key built from it can be logged or compared but never
 * tested against guesses offline.
 */
final class CredentialsFingerprint {

  private final byte[] salt = new byte[16];

  CredentialsFingerprint() {
    new SecureRandom().nextBytes(salt);
  }

  String of(String password) {
    return of(password, null);
  }

  /** Password and the CA bundle the server is verified with: a change of either is new. */
  String of(String password, String caCertificates) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt);
      if (password != null) {
        md.update((byte) 1);
        md.update(password.getBytes(StandardCharsets.UTF_8));
      }
      if (caCertificates != null) {
        md.update((byte) 0);
        md.update((byte) 2);
        md.update(caCertificates.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
