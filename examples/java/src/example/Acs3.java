package example;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.net.http.HttpRequest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Alibaba Cloud request signature V3 (ACS3-HMAC-SHA256), the authentication of
 * GetPipelineEmasArtifactUrl (API version 2021-06-25), as a request interceptor of the Java
 * client (library native) generated from openapi.yaml: {@code apiClient.setRequestInterceptor(
 * new Acs3.Interceptor(id, secret, null, "GetPipelineEmasArtifactUrl", "2021-06-25"))}.
 *
 * <p>Each step is a small method named for what it builds, in the order of the public V3
 * documentation, like yunxiao_emas/auth/acs3.py: percentEncode, canonicalUri, canonicalQuery,
 * canonicalHeaders, sign. signing-vectors.json pins them ({@code Main vectors FILE}).
 */
public final class Acs3 {
  public static final String ALGORITHM = "ACS3-HMAC-SHA256";
  /** x-acs-date: UTC, to the second (yyyy-MM-ddTHH:mm:ssZ). */
  public static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Acs3() {}

  private static boolean unreserved(int b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
        || b == '-' || b == '_' || b == '.' || b == '~';
  }

  private static String encodeBytes(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte raw : bytes) {
      int b = raw & 0xFF;
      if (unreserved(b)) {
        out.append((char) b);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b));
      }
    }
    return out.toString();
  }

  /** RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay; space is %20, never +. */
  public static String percentEncode(String value) {
    return encodeBytes(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The bytes of a path segment: %XX decoded (a malformed escape kept), + kept as +. */
  private static byte[] segmentBytes(String segment) {
    byte[] utf8 = segment.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < utf8.length; i++) {
      if (utf8[i] == '%' && i + 2 < utf8.length) {
        int hi = Character.digit(utf8[i + 1], 16);
        int lo = Character.digit(utf8[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi << 4 | lo);
          i += 2;
          continue;
        }
      }
      out.write(utf8[i]);
    }
    return out.toByteArray();
  }

  /**
   * The canonical URI of a path as it goes on the wire ({@code uri.getRawPath()}): each segment
   * decoded and encoded again per RFC 3986, so %2F stays inside its segment.
   */
  public static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    String[] segments = rawPath.split("/", -1);
    List<String> out = new ArrayList<>();
    for (String segment : segments) {
      out.add(encodeBytes(segmentBytes(segment)));
    }
    return String.join("/", out);
  }

  /** Decoded parameters, RFC 3986 encoded, sorted by name then value, joined by &. */
  public static String canonicalQuery(List<String[]> params) {
    List<String[]> encoded = new ArrayList<>();
    for (String[] pair : params) {
      encoded.add(new String[] {percentEncode(pair[0]), percentEncode(pair[1])});
    }
    encoded.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> out = new ArrayList<>();
    for (String[] pair : encoded) {
      out.add(pair[0] + "=" + pair[1]);
    }
    return String.join("&", out);
  }

  /** Lower-case names, sorted, values trimmed. */
  private static TreeMap<String, String> lowered(Map<String, String> headers) {
    TreeMap<String, String> out = new TreeMap<>();
    headers.forEach((name, value) -> out.put(name.toLowerCase(Locale.ROOT), value.trim()));
    return out;
  }

  /** "name:value\n" for each signed header, names lower-case and sorted, values trimmed. */
  public static String canonicalHeaders(Map<String, String> headers) {
    StringBuilder out = new StringBuilder();
    lowered(headers).forEach((name, value) -> out.append(name).append(':').append(value).append('\n'));
    return out.toString();
  }

  static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format(Locale.ROOT, "%02x", b & 0xFF));
    }
    return out.toString();
  }

  static String sha256Hex(byte[] data) {
    try {
      return hex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every intermediate of one signature. */
  public record Parts(String canonicalRequest, String stringToSign, String signature, String signedHeaders) {
    public String authorization(String accessKeyId) {
      return ALGORITHM + " Credential=" + accessKeyId + ",SignedHeaders=" + signedHeaders
          + ",Signature=" + signature;
    }
  }

  /** Signs a request as data: rawPath as sent, query decoded, exactly the headers to sign. */
  public static Parts sign(
      String secret, String method, String rawPath, List<String[]> query, Map<String, String> headers) {
    TreeMap<String, String> byName = lowered(headers);
    String signed = String.join(";", byName.keySet());
    String payloadHash = byName.getOrDefault("x-acs-content-sha256", sha256Hex(new byte[0]));
    String canonical = String.join("\n", method.toUpperCase(Locale.ROOT), canonicalUri(rawPath),
        canonicalQuery(query), canonicalHeaders(headers), signed, payloadHash);
    String toSign = ALGORITHM + "\n" + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String signature = hex(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
      return new Parts(canonical, toSign, signature, signed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The decoded parameters of a raw query (as the server parses it: + is a space). */
  static List<String[]> queryOf(String rawQuery) {
    List<String[]> out = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String item : rawQuery.split("&")) {
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      String name = eq < 0 ? item : item.substring(0, eq);
      String value = eq < 0 ? "" : item.substring(eq + 1);
      out.add(new String[] {
        URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8)
      });
    }
    return out;
  }

  /**
   * The request interceptor: adds x-acs-action and x-acs-version (vendor extensions of the
   * spec, which the generated client never sends), the date, a new nonce, the payload hash,
   * with STS the token, then the Authorization header. The generated operations send no body.
   */
  public static final class Interceptor implements Consumer<HttpRequest.Builder> {
    private final String accessKeyId;
    private final String accessKeySecret;
    private final String securityToken;
    private final String action;
    private final String version;
    Supplier<Instant> clock = Instant::now;
    Supplier<String> nonce = () -> {
      byte[] bytes = new byte[16];
      RANDOM.nextBytes(bytes);
      return hex(bytes);
    };

    public Interceptor(String accessKeyId, String accessKeySecret, String securityToken, String action,
        String version) {
      this.accessKeyId = accessKeyId;
      this.accessKeySecret = accessKeySecret;
      this.securityToken = securityToken;
      this.action = action;
      this.version = version;
    }

    @Override
    public void accept(HttpRequest.Builder builder) {
      HttpRequest probe = builder.copy().build();
      long length = probe.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L);
      if (length != 0) {
        throw new IllegalArgumentException("Acs3.Interceptor signs requests without a body only");
      }
      Map<String, String> fresh = new TreeMap<>();
      fresh.put("x-acs-action", action);
      fresh.put("x-acs-version", version);
      fresh.put("x-acs-date", DATE.format(clock.get().truncatedTo(ChronoUnit.SECONDS)));
      fresh.put("x-acs-signature-nonce", nonce.get());
      fresh.put("x-acs-content-sha256", sha256Hex(new byte[0]));
      if (securityToken != null && !securityToken.isEmpty()) {
        fresh.put("x-acs-security-token", securityToken);
        fresh.put("x-acs-accesskey-id", accessKeyId);
      }
      URI uri = probe.uri();
      // host as the JDK's HttpClient sends it: the port only when the URI has one.
      Map<String, String> toSign = new TreeMap<>();
      toSign.put("host", uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
      probe.headers().map().forEach((name, values) -> {
        if (name.toLowerCase(Locale.ROOT).startsWith("x-acs-")) {
          toSign.put(name.toLowerCase(Locale.ROOT), String.join(",", values));
        }
      });
      toSign.putAll(fresh);
      Parts parts = sign(accessKeySecret, probe.method(), uri.getRawPath(), queryOf(uri.getRawQuery()), toSign);
      fresh.forEach(builder::setHeader);
      builder.setHeader("Authorization", parts.authorization(accessKeyId));
    }
  }
}
