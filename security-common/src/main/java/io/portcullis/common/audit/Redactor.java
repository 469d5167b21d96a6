package io.portcullis.common.audit;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.portcullis.common.validation.Validation;

/**
 * Keeps secrets out of the audit log, applied by every producer before an event leaves the process
 * and again by the audit-service (defence in depth):
 *
 * <ul>
 * <li>a value whose key names a secret ({@code password}, {@code secret}, {@code token},
 * {@code api_key}, {@code authorization}, {@code cookie}, {@code private_key}, {@code credential},
 * {@code session}, in any case and with any {@code _}/{@code -}/{@code .} spelling) is replaced;</li>
 * <li>a value that is shaped like a secret wherever it sits is replaced too: a payment card number
 * (13-19 digits, spaces or dashes allowed, Luhn-valid), a JWT, a Portcullis API key, a PEM block;</li>
 * <li>control characters are neutralised and every value is cut at {@link #MAX_VALUE} characters,
 * so no log line can be forged and no field can swell the log.</li>
 * </ul>
 */
public final class Redactor {

    public static final String REDACTED = "[REDACTED]";
    public static final int MAX_VALUE = 1024;

    private static final Pattern SECRET_KEY = Pattern.compile(
            "password|passwd|passphrase|secret|token|apikey|authorization|cookie|privatekey|credential|session|kek|signature");
    /** 13-19 digits, spaces or dashes between them, standing alone (not inside a UUID, a hex string or a word). */
    private static final Pattern CARD = Pattern.compile("(?<![0-9A-Za-z_-])(?:[0-9][ -]?){12,18}[0-9](?![0-9A-Za-z_-])");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
    private static final Pattern API_KEY = Pattern.compile("pcx_[A-Za-z0-9]+_[A-Za-z0-9_-]+");
    private static final Pattern PEM = Pattern.compile("-----BEGIN [A-Z ]+-----");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+\\S+");

    private Redactor() {
    }

    /** Whether values under {@code key} are secret by name. */
    public static boolean isSecretKey(String key) {
        String normalised = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
        return SECRET_KEY.matcher(normalised).find();
    }

    /** A redacted, neutralised and bounded copy of {@code details}. */
    public static Map<String, String> details(Map<String, String> details) {
        Map<String, String> out = new LinkedHashMap<>();
        details.forEach((k, v) -> out.put(k, isSecretKey(k) ? REDACTED : value(v)));
        return out;
    }

    /** One free-text value: secret-shaped parts replaced, control characters neutralised, bounded. */
    public static String value(String value) {
        if (value == null) {
            return null;
        }
        String v = value;
        // each pattern runs only when a cheap scan says it could match: most values are short and plain
        if (v.contains("-----BEGIN") && PEM.matcher(v).find()) {
            return REDACTED;
        }
        if (v.contains("eyJ")) {
            v = JWT.matcher(v).replaceAll(REDACTED);
        }
        if (v.contains("pcx_")) {
            v = API_KEY.matcher(v).replaceAll(REDACTED);
        }
        if (containsIgnoreCase(v, "bearer")) {
            v = BEARER.matcher(v).replaceAll(REDACTED);
        }
        if (countDigits(v) >= 13) {
            v = CARD.matcher(v).replaceAll(m -> luhn(m.group()) ? REDACTED : m.group());
        }
        return Validation.forLog(v, MAX_VALUE);
    }

    private static boolean containsIgnoreCase(String s, String lowerNeedle) {
        return s.length() >= lowerNeedle.length() && s.toLowerCase(Locale.ROOT).contains(lowerNeedle);
    }

    private static int countDigits(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        return n;
    }

    /**
     * The event with its details redacted and its identifying fields (actor, address, service,
     * request id) neutralised and bounded; those have fixed shapes and are not searched for secrets,
     * so a UUID in an actor is never mistaken for a card number.
     */
    public static AuditEvent event(AuditEvent e) {
        return new AuditEvent(e.id(), e.type(), e.outcome(), plain(e.actor()), plain(e.sourceIp()), plain(e.service()),
                plain(e.requestId()), e.occurredAt(), details(e.details()));
    }

    private static String plain(String value) {
        return Validation.forLog(value, 256);
    }

    static boolean luhn(String candidate) {
        int sum = 0;
        boolean doubled = false;
        int digits = 0;
        for (int i = candidate.length() - 1; i >= 0; i--) {
            char c = candidate.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (doubled) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubled = !doubled;
            digits++;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }
}
