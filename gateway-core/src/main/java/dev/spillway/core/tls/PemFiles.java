package dev.spillway.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads PEM certificate chains and PKCS#8 private keys, failing with a {@link TlsFileException} that names the
 * file. A key is checked against its certificate (a signature made with the key must verify with the
 * certificate's public key), so a certificate and key that do not belong together are refused when they are
 * loaded, not at the first handshake.
 */
public final class PemFiles {
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  private PemFiles() {}

  /** The certificates of a PEM file, in file order; at least one. */
  public static List<X509Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : factory.generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new TlsFileException(file, "no certificate in it (expected: PEM, -----BEGIN CERTIFICATE-----)");
      }
      return certificates;
    } catch (IOException e) {
      throw new TlsFileException(file, "cannot be read: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new TlsFileException(file, "not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** The unencrypted PKCS#8 key of a PEM file, checked to belong to {@code certificate}. */
  public static PrivateKey privateKey(Path file, X509Certificate certificate) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new TlsFileException(file, "cannot be read: " + e.getMessage(), e);
    }
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new TlsFileException(file, "no unencrypted PKCS#8 key in it (expected: -----BEGIN PRIVATE KEY-----; "
          + "convert with: openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem)");
    }
    PublicKey publicKey = certificate.getPublicKey();
    PrivateKey key;
    try {
      byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
      key = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new TlsFileException(file, "not a private key of the certificate's type (" + publicKey.getAlgorithm()
          + "): " + e.getMessage(), e);
    }
    if (!matches(key, publicKey)) {
      throw new TlsFileException(file, "the key does not belong to the certificate "
          + certificate.getSubjectX500Principal().getName());
    }
    return key;
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (publicKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      // An algorithm we cannot test: the handshake will tell.
      return true;
    }
    try {
      byte[] probe = "spillway key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
