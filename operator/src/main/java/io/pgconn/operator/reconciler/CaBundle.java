package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.CaSecretRef;
import io.pgconn.operator.probe.PemTrustSslFactory;
import java.security.GeneralSecurityException;

/**
 * The CA bundle of spec.source.caSecretRef: the PEM text as the Secret holds it (copied into the
 * target byte for byte) and where the application's pods mount it.
 */
record CaBundle(String pem, String mountPath) {

  /** The key the bundle is written under in the target Secret. */
  static final String TARGET_KEY = "ca.crt";

  /** Reads and checks the bundle: every certificate must parse, and there must be one. */
  static CaBundle read(SecretId id, CaSecretRef ref, Secret secret) throws PolicyFailure {
    String pem =
        ManagedSecrets.value(secret, ref.getKey())
            .orElseThrow(
                () ->
                    InputResolver.missingKey(secret, ref.getKey(), "spec.source.caSecretRef.key"));
    try {
      PemTrustSslFactory.trustStore(pem);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_CA_BUNDLE,
          "key "
              + ref.getKey()
              + " of Secret "
              + id
              + " (spec.source.caSecretRef) is not a PEM bundle of CA certificates: it must hold"
              + " one or more -----BEGIN CERTIFICATE----- blocks (CloudNativePG's <cluster>-ca"
              + " key ca.crt, the RDS global-bundle.pem); fix the Secret or the key's name");
    }
    return new CaBundle(pem, ref.getMountPath());
  }
}
