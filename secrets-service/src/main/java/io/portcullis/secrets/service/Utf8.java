package io.portcullis.secrets.service;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;

/** A value's UTF-8 bytes, strictly: a lone surrogate is refused, never silently turned into '?'. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * @throws ValidationException (400) for text that is not valid Unicode
     * @throws ProblemException (413) when the encoding is longer than {@code maxBytes}
     */
    static byte[] encode(String field, String value, int maxBytes) {
        if (value.length() > maxBytes) { // at least one byte per char: too long already
            throw tooLarge(field, maxBytes);
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer;
        try {
            buffer = encoder.encode(CharBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new ValidationException(field, field + " must be valid Unicode text");
        }
        byte[] out = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
        Arrays.fill(buffer.array(), (byte) 0);
        if (out.length > maxBytes) {
            Arrays.fill(out, (byte) 0);
            throw tooLarge(field, maxBytes);
        }
        return out;
    }

    private static ProblemException tooLarge(String field, int maxBytes) {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                field + " must be at most " + maxBytes + " bytes of UTF-8", field, java.util.Map.of());
    }
}
