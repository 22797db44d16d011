package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority for tests, made with openssl (as LocalPostgres makes its self-signed
 * certificate): a CA certificate, and server certificates it signs for {@code localhost} and {@code
 * 127.0.0.1}, as CloudNativePG's {@code <cluster>-ca} signs its server certificates.
 */
public final class TestCa {

  /** A certificate and its private key, PEM. */
  public record Issued(String certificatePem, String privateKeyPem) {}

  private final Path dir;
  private final String certificatePem;

  private TestCa(Path dir, String certificatePem) {
    this.dir = dir;
    this.certificatePem = certificatePem;
  }

  /** A new CA in a fresh directory under {@code parent}. */
  public static TestCa create(Path parent, String commonName) {
    try {
      Path dir = Files.createTempDirectory(parent, "ca-");
      openssl(
          dir,
          "req",
          "-x509",
          "-nodes",
          "-days",
          "2",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-subj",
          "/CN=" + commonName,
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign,cRLSign",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt");
      return new TestCa(dir, Files.readString(dir.resolve("ca.crt"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String certificatePem() {
    return certificatePem;
  }

  /** A server certificate for localhost and 127.0.0.1, signed by this CA. */
  public Issued serverCertificate() {
    try {
      Path ext = dir.resolve("server.ext");
      Files.writeString(
          ext,
          "basicConstraints=critical,CA:FALSE\n"
              + "keyUsage=critical,digitalSignature,keyEncipherment\n"
              + "extendedKeyUsage=serverAuth\n"
              + "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
      openssl(
          dir,
          "req",
          "-new",
          "-nodes",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-subj",
          "/CN=localhost",
          "-keyout",
          "server.key",
          "-out",
          "server.csr");
      openssl(
          dir,
          "x509",
          "-req",
          "-in",
          "server.csr",
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-days",
          "2",
          "-extfile",
          "server.ext",
          "-out",
          "server.crt");
      return new Issued(
          Files.readString(dir.resolve("server.crt"), StandardCharsets.UTF_8),
          Files.readString(dir.resolve("server.key"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("openssl.log").toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "openssl " + args[0] + " failed: " + Files.readString(dir.resolve("openssl.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
