package io.portcullis.audit.service;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.jboss.logging.Logger;

import io.portcullis.audit.config.AuditLogConfig;
import io.portcullis.audit.domain.Checkpoint;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Signs checkpoints with Ed25519 (the JDK's implementation) and checks them against the trusted
 * public keys: the current key's and those of {@code portcullis.audit-log.previous-public-keys}.
 * Bouncy Castle only derives the public key from the configured private key.
 */
@ApplicationScoped
public class CheckpointSigner {

    public static final String ALGORITHM = "Ed25519";
    private static final Logger LOG = Logger.getLogger(CheckpointSigner.class);
    private static final byte[] X509_ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final Map<String, PublicKey> trusted = new LinkedHashMap<>();

    public CheckpointSigner(AuditLogConfig config) {
        KeyPair pair;
        if (config.signingKey().isPresent()) {
            pair = fromPem(config.signingKey().get());
        } else if (config.ephemeralSigningKey()) {
            LOG.warn("no checkpoint signing key configured: using a throwaway key (dev/test only)");
            pair = generate();
        } else {
            throw new IllegalStateException("portcullis.audit-log.signing-key is not set "
                    + "(PORTCULLIS_AUDIT_LOG_SIGNING_KEY_FILE): an Ed25519 PKCS#8 PEM key is required to sign checkpoints");
        }
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = keyId(publicKey);
        trusted.put(keyId, publicKey);
        for (String pem : config.previousPublicKeys().orElse(List.of())) {
            PublicKey previous = publicFromPem(pem);
            trusted.put(keyId(previous), previous);
        }
    }

    public Checkpoint sign(long seq, byte[] hash, java.time.Instant signedAt) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(Checkpoint.payload(seq, hash, signedAt));
            return new Checkpoint(seq, hash, signedAt, keyId, ALGORITHM, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint", e);
        }
    }

    /** Whether the checkpoint carries a valid signature by a trusted key. */
    public boolean verify(Checkpoint c) {
        PublicKey key = trusted.get(c.keyId());
        return key != null && ALGORITHM.equals(c.algorithm()) && verify(key, c);
    }

    public static boolean verify(PublicKey key, Checkpoint c) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(c.payload());
            return s.verify(c.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public String keyId() {
        return keyId;
    }

    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER inside a PEM block (SmallRye JWT's parser, shared with the JWT keys). */
    private static byte[] der(String pem) {
        return Base64.getDecoder().decode(KeyUtils.removePemKeyBeginEnd(pem));
    }

    static KeyPair fromPem(String pem) {
        try {
            PrivateKey priv = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(pem)));
            byte[] raw = ((EdECPrivateKey) priv).getBytes()
                    .orElseThrow(() -> new IllegalStateException("the signing key has no private bytes"));
            byte[] pub = new Ed25519PrivateKeyParameters(raw, 0).generatePublicKey().getEncoded();
            byte[] x509 = new byte[X509_ED25519_PREFIX.length + pub.length];
            System.arraycopy(X509_ED25519_PREFIX, 0, x509, 0, X509_ED25519_PREFIX.length);
            System.arraycopy(pub, 0, x509, X509_ED25519_PREFIX.length, pub.length);
            PublicKey publicKey = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
            return new KeyPair(publicKey, priv);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("portcullis.audit-log.signing-key is not an Ed25519 PKCS#8 PEM private key");
        }
    }

    public static PublicKey publicFromPem(String pem) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not an Ed25519 public key in PEM form");
        }
    }
}
