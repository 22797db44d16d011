package io.pgconn.operator.probe;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postgresql.ssl.WrappedFactory;

/**
 * pgjdbc's {@code sslfactory} that trusts exactly the CA certificates of a PEM bundle handed over
 * in memory (the policy's spec.source.caSecretRef), so no file is ever written: pgjdbc's own
 * options only read {@code sslrootcert} from a path. pgjdbc builds it with the connection's
 * properties; the bundle travels in {@link #PEM_PROPERTY}. Host names are still checked by pgjdbc
 * itself for verify-full (after the handshake, whatever the factory), so this decides the chain
 * only, which is verify-ca's part.
 */
public final class PemTrustSslFactory extends WrappedFactory {

  /** The connection property that carries the PEM bundle (not a password: CA certificates). */
  public static final String PEM_PROPERTY = "pgconn.caCertificates";

  public PemTrustSslFactory(Properties info) throws GeneralSecurityException {
    String pem = info.getProperty(PEM_PROPERTY);
    if (pem == null) {
      throw new GeneralSecurityException("no CA certificates given in " + PEM_PROPERTY);
    }
    KeyStore trusted = trustStore(pem);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    factory = context.getSocketFactory();
  }

  /**
   * Every certificate of the bundle as a trust anchor.
   *
   * @throws GeneralSecurityException when the text holds no certificate or a damaged one
   */
  public static KeyStore trustStore(String pem) throws GeneralSecurityException {
    Collection<? extends Certificate> certificates =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException("no PEM certificate found");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      return store;
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot build the trust store", e);
    }
  }
}
