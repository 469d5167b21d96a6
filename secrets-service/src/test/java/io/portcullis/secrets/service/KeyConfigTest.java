package io.portcullis.secrets.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.portcullis.secrets.config.SecretsConfig;

/**
 * How the service reads its key-encryption keys, and refuses to start without a usable one. The
 * messages name the setting, never a byte of its value.
 */
class KeyConfigTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
            15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 });

    record Config(Optional<String> kek, Optional<List<String>> additionalKeks, Optional<String> kekPassphrase,
            boolean ephemeralKek) implements SecretsConfig {
        @Override
        public int kekPassphraseIterations() {
            return 100_000;
        }

        @Override
        public int defaultMaxVersions() {
            return 10;
        }

        @Override
        public int maxValueBytes() {
            return 65536;
        }

        @Override
        public int maxShareTtlSeconds() {
            return 3600;
        }

        @Override
        public int defaultShareTtlSeconds() {
            return 300;
        }

        @Override
        public int rewrapBatchSize() {
            return 200;
        }

        @Override
        public boolean bootstrapAdminPolicy() {
            return true;
        }
    }

    static KeyBootstrap bootstrap(Config c) {
        return new KeyBootstrap(c, new KeyRing(), null, null, null, null);
    }

    @Test
    void refusesToStartWithoutAKek() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bootstrap(new Config(Optional.empty(), Optional.empty(), Optional.empty(), false)).load());
        assertTrue(e.getMessage().contains("portcullis.secrets.kek is not set"));
        assertTrue(e.getMessage().contains("PORTCULLIS_SECRETS_KEK_FILE"));
    }

    @Test
    void aThrowawayKekOnlyWhenExplicitlyAllowed() {
        var keys = bootstrap(new Config(Optional.empty(), Optional.empty(), Optional.empty(), true)).load();
        assertEquals(1, keys.size());
        assertEquals(KeyRing.Source.EPHEMERAL, keys.get(0).source());
    }

    @Test
    void refusesAKekThatIsNotBase64WithoutEchoingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bootstrap(
                new Config(Optional.of("not base64 at all!"), Optional.empty(), Optional.empty(), false)).load());
        assertTrue(e.getMessage().startsWith("portcullis.secrets.kek is not valid base64"));
        assertFalse(e.getMessage().contains("not base64 at all"));
    }

    @Test
    void refusesAKekOfTheWrongLength() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bootstrap(new Config(Optional.of(shortKey), Optional.empty(), Optional.empty(), false)).load());
        assertTrue(e.getMessage().contains("must be 32 bytes"));
        IllegalStateException add = assertThrows(IllegalStateException.class, () -> bootstrap(
                new Config(Optional.of(KEY), Optional.of(List.of(KEY, shortKey)), Optional.empty(), false)).load());
        assertTrue(add.getMessage().startsWith("portcullis.secrets.additional-keks[1]"));
    }

    @Test
    void refusesBothAKeyAndAPassphrase() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bootstrap(
                new Config(Optional.of(KEY), Optional.empty(), Optional.of("a long enough passphrase"), false)).load());
        assertTrue(e.getMessage().contains("set only one"));
    }

    @Test
    void readsThePrimaryFirstThenTheAdditionalKeks() {
        byte[] other = new byte[32];
        other[0] = 9;
        String otherKey = Base64.getEncoder().encodeToString(other);
        var keys = bootstrap(new Config(Optional.of(KEY), Optional.of(List.of(otherKey)), Optional.empty(), false)).load();
        assertEquals(List.of(KeyRing.Source.PRIMARY, KeyRing.Source.ADDITIONAL), keys.stream().map(KeyRing.Kek::source).toList());
        assertEquals(KeyRing.keyId(Base64.getDecoder().decode(KEY)), keys.get(0).id());
        assertFalse(keys.get(0).toString().contains(KEY));
    }

    @Test
    void derivesTheSameKekFromTheSamePassphraseAndSalt() {
        byte[] salt = new byte[16];
        var a = KeyRing.fromPassphrase("correct horse battery staple", salt, 100_000);
        var b = KeyRing.fromPassphrase("correct horse battery staple", salt, 100_000);
        var c = KeyRing.fromPassphrase("correct horse battery stapler", salt, 100_000);
        assertEquals(a.id(), b.id());
        assertFalse(a.id().equals(c.id()));
        salt[0] = 1;
        assertFalse(a.id().equals(KeyRing.fromPassphrase("correct horse battery staple", salt, 100_000).id()));
    }

    @Test
    void refusesAShortPassphrase() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KeyRing.fromPassphrase("short", new byte[16], 100_000));
        assertTrue(e.getMessage().contains("at least 16"));
    }
}
