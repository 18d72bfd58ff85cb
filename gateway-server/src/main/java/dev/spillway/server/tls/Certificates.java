package dev.spillway.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates certificates in memory (BouncyCastle): a self-signed server certificate for the mock backend's
 * {@code --tls-self-signed}, and CAs with certificates they sign, for tests and demos. Keys are EC P-256,
 * written as unencrypted PKCS#8 PEM, the form {@code server.tls.key} reads.
 */
public final class Certificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes {@code <name>.pem} (certificate) and {@code <name>-key.pem} (key) into {@code dir}. */
    public PemPair written(Path dir, String name) {
      Path cert = dir.resolve(name + ".pem");
      Path keyFile = dir.resolve(name + "-key.pem");
      writeCertificates(cert, certificate);
      writeKey(keyFile, key);
      return new PemPair(cert, keyFile);
    }
  }

  /** Where {@link Issued#written} put the certificate and key. */
  public record PemPair(Path certificate, Path key) {}

  /** A CA certificate, valid for a day, that can sign others. */
  public static Issued authority(String commonName) {
    KeyPair pair = newKeyPair();
    X500Name subject = new X500Name("CN=" + commonName);
    return new Issued(sign(subject, pair.getPublic(), subject, pair.getPrivate(), true, List.of(), false),
        pair.getPrivate());
  }

  /**
   * A leaf certificate for {@code names} (DNS names, or IP addresses) signed by {@code issuer}, usable by a
   * server and a client.
   */
  public static Issued signed(Issued issuer, String... names) {
    KeyPair pair = newKeyPair();
    X500Name subject = new X500Name("CN=" + names[0]);
    X500Name issuerName = new X500Name(issuer.certificate().getSubjectX500Principal().getName());
    return new Issued(sign(subject, pair.getPublic(), issuerName, issuer.key(), false, List.of(names), true),
        pair.getPrivate());
  }

  /** A self-signed leaf certificate for {@code names}. */
  public static Issued selfSigned(String... names) {
    KeyPair pair = newKeyPair();
    X500Name subject = new X500Name("CN=" + names[0]);
    return new Issued(sign(subject, pair.getPublic(), subject, pair.getPrivate(), false, List.of(names), true),
        pair.getPrivate());
  }

  /** Writes certificates as PEM. */
  public static void writeCertificates(Path file, X509Certificate... certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        pem.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    write(file, out.toString());
  }

  /** Writes a key as unencrypted PKCS#8 PEM. */
  public static void writeKey(Path file, PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    write(file, out.toString());
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key", e);
    }
  }

  private static X509Certificate sign(X500Name subject, java.security.PublicKey publicKey, X500Name issuer,
      PrivateKey issuerKey, boolean ca, List<String> names, boolean leaf) {
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          new BigInteger(64, RANDOM).abs().add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), subject, publicKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      }
      if (leaf) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        List<GeneralName> alt = new ArrayList<>();
        for (String name : names) {
          alt.add(new GeneralName(isIp(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(alt.toArray(new GeneralName[0])));
      }
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a certificate for " + subject, e);
    }
  }

  private static boolean isIp(String name) {
    if (name.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.') {
        return false;
      }
    }
    try {
      InetAddress.getByName(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
