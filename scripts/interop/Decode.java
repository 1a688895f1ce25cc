// Feeds every answer of cases.json (scripts/interop_cases.py) to the Java client (library
// native) generated from openapi.yaml, through its PipelineApi and a JDK HTTP server on
// 127.0.0.1 that sends the canned answer, and checks what the client read: the values of a
// 200, and for an error its status, its code and its request id in the typed fields of the
// right shape. A signed API's error is decoded with ErrorResponse (the hand-written
// examples/java/src/example/ErrorResponse.java that check-java's --schema-mappings puts in place
// of the generated anyOf decoder), and must come out as the shape whose key holds the code the
// case expects: ServiceError (errorCode), GatewayError (Code) or GatewayErrorLowerCase (code).
// A token API's error is decoded with the generated TokenApiError. Any misread fails the run.
//
// Usage: java -cp CLASSES:JARS Decode CASES_JSON   (compiled by scripts/check-java)

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import example.ErrorResponse;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.PipelineApi;
import org.openapitools.client.model.ArtifactUrlResponse;
import org.openapitools.client.model.GatewayError;
import org.openapitools.client.model.GatewayErrorLowerCase;
import org.openapitools.client.model.ServiceError;
import org.openapitools.client.model.TokenApiError;

public final class Decode {
  private static final ObjectMapper MAPPER = ApiClient.createDefaultObjectMapper();
  private static final AtomicReference<Map<String, Object>> CURRENT = new AtomicReference<>();
  // The answers read through a documented limitation, by what it is.
  private static final Map<String, Integer> LIMITS = new TreeMap<>();
  // The shape each error answer decoded as, counted.
  private static final Map<String, Integer> CHOSEN = new TreeMap<>();

  private Decode() {}

  /** The shape a signed API's error must decode as: the one whose key holds the code. */
  static Class<?> expectedShape(Map<String, Object> body, String code) {
    if (code.equals(body.get("errorCode"))) return ServiceError.class;
    if (code.equals(body.get("Code"))) return GatewayError.class;
    if (code.equals(body.get("code"))) return GatewayErrorLowerCase.class;
    return null;
  }

  /** A problem with the error body of a signed API's answer, or null. */
  static String signedErrorProblem(String raw, String want) throws Exception {
    Map<String, Object> body = MAPPER.readValue(raw, new TypeReference<Map<String, Object>>() {});
    ErrorResponse decoded;
    try {
      decoded = MAPPER.readValue(raw, ErrorResponse.class);
    } catch (IOException error) {
      return "ErrorResponse refused the body: " + error.getMessage();
    }
    Object shape = decoded.getActualInstance();
    CHOSEN.merge("ErrorResponse as " + shape.getClass().getSimpleName(), 1, Integer::sum);
    Class<?> expected = expectedShape(body, want);
    if (expected == null) return "the case's code " + want + " is under none of errorCode, Code, code";
    if (!expected.isInstance(shape)) {
      return "decoded as " + shape.getClass().getSimpleName() + ", not " + expected.getSimpleName();
    }
    // The code and the request id in the shape's typed fields, not in its additional properties.
    String code;
    Object requestId;
    if (shape instanceof ServiceError) {
      code = ((ServiceError) shape).getErrorCode();
      requestId = body.get("requestId");
      if (!Objects.equals(requestId, ((ServiceError) shape).getRequestId())) {
        return "read the request id " + ((ServiceError) shape).getRequestId() + ", not " + requestId;
      }
    } else if (shape instanceof GatewayError) {
      code = ((GatewayError) shape).getCode();
      requestId = body.get("RequestId");
      if (!Objects.equals(requestId, ((GatewayError) shape).getRequestId())) {
        return "read the request id " + ((GatewayError) shape).getRequestId() + ", not " + requestId;
      }
    } else {
      // No typed requestId in the lower-case gateway body (the spec gives it the service
      // body's meaning): only ErrorResponse.getRequestId() below reads it.
      code = ((GatewayErrorLowerCase) shape).getCode();
      requestId = body.get("requestId");
    }
    if (!want.equals(code)) return "read the code " + code + " in the typed field, not " + want;
    if (!want.equals(decoded.getCode())) return "ErrorResponse.getCode() is " + decoded.getCode();
    if (!Objects.equals(requestId, decoded.getRequestId())) {
      return "ErrorResponse.getRequestId() is " + decoded.getRequestId() + ", not " + requestId;
    }
    return null;
  }

  // Bodies with no code by the spec's rule: ErrorResponse must refuse them, not guess a shape.
  private static final List<String> NOT_ERROR_BODIES = List.of(
      "{\"requestId\": \"R\", \"success\": false}",
      "{\"errorCode\": \"\", \"Code\": null, \"code\": 404}",
      "[]",
      "\"Bad Gateway\"");

  /** The bodies of NOT_ERROR_BODIES that ErrorResponse decoded instead of refusing. */
  static int notErrorsDecoded() {
    int decoded = 0;
    for (String body : NOT_ERROR_BODIES) {
      try {
        Object shape = MAPPER.readValue(body, ErrorResponse.class).getActualInstance();
        decoded++;
        System.err.println("  FAIL ErrorResponse decoded " + body + " as " + shape.getClass().getSimpleName());
      } catch (IOException refused) {
        // As it must.
      }
    }
    return decoded;
  }

  /** A problem with the error body of a token API's answer, or null. */
  static String tokenErrorProblem(String raw, String want) throws Exception {
    Map<String, Object> body = MAPPER.readValue(raw, new TypeReference<Map<String, Object>>() {});
    TokenApiError decoded = MAPPER.readValue(raw, TokenApiError.class);
    CHOSEN.merge("TokenApiError", 1, Integer::sum);
    if (!want.equals(decoded.getErrorCode())) return "read the code " + decoded.getErrorCode();
    if (!Objects.equals(body.get("requestId"), decoded.getRequestId())) {
      return "read the request id " + decoded.getRequestId();
    }
    return null;
  }

  private static final String ORG = "5ebbc0228123212b59xxxxx";

  /** One of the operations that find the ids: what the client decoded, or null for the others. */
  static Object finding(PipelineApi api, String operation) throws ApiException {
    switch (operation) {
      case "GetPipelineRun": return api.getPipelineRun(ORG, 1111L, 1L);
      case "GetPipelineRunByToken": return api.getPipelineRunByToken(ORG, 1111L, 1L);
      case "GetLatestPipelineRunByToken": return api.getLatestPipelineRunByToken(ORG, 1111L);
      case "ListPipelineRuns":
        return api.listPipelineRuns(ORG, 1111L, 30, null, null, null, "SUCCESS", null);
      case "ListPipelineRunsByToken":
        return api.listPipelineRunsByToken(ORG, 1111L, 1, 30, null, null, null, null);
      case "ListServiceConnections": return api.listServiceConnections(ORG, "emas");
      case "ListServiceConnectionsByToken": return api.listServiceConnectionsByToken(ORG, "emas");
      default: return null;
    }
  }

  /** The value at a dotted path ("stages.0.stageInfo.jobs.0.params"), or null. */
  static Object at(Object value, String path) {
    for (String part : path.split("\\.")) {
      if (value instanceof Map) {
        value = ((Map<?, ?>) value).get(part);
      } else if (value instanceof List && part.matches("[0-9]+")
          && Integer.parseInt(part) < ((List<?>) value).size()) {
        value = ((List<?>) value).get(Integer.parseInt(part));
      } else {
        return null;
      }
    }
    return value;
  }

  /** The decoded model, written back as JSON by the client's mapper, against the fields. */
  static String fieldsProblem(Object model, Map<String, Object> fields) throws Exception {
    Object held = MAPPER.convertValue(model, Object.class);
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      String got = MAPPER.writeValueAsString(at(held, field.getKey()));
      String want = MAPPER.writeValueAsString(field.getValue());
      if (!got.equals(want)) return "read " + field.getKey() + " = " + got + ", not " + want;
    }
    return null;
  }

  /** A problem, or null when the client read what the case expects. */
  static String check(PipelineApi api, Map<String, Object> item) throws Exception {
    CURRENT.set(item);
    @SuppressWarnings("unchecked")
    Map<String, Object> expect = (Map<String, Object>) item.get("expect");
    int status = (Integer) item.get("status");
    boolean ok = status >= 200 && status < 300;
    String operation = String.valueOf(item.get("operation"));
    boolean signed = "signed".equals(item.get("api"));
    try {
      Object found = finding(api, operation);
      if (found != null) {
        if (!ok) return "expected an error, got " + found;
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) expect.get("fields");
        return fieldsProblem(found, fields);
      }
      if ("GetPipelineEmasArtifactUrl".equals(operation)) {
        ArtifactUrlResponse answer =
            api.getPipelineEmasArtifactUrl("5ebbc0228123212b59xxxxx", 1111L, 1L, "Psaxsa", "assasas", 122L);
        if (!ok) return "expected an error, got " + answer;
        String fileUrl = answer.getFileUrl() == null ? "" : answer.getFileUrl();
        String errorCode = answer.getErrorCode() == null ? "" : answer.getErrorCode();
        boolean same = expect.get("success").equals(answer.getSuccess())
            && expect.get("fileUrl").equals(fileUrl) && expect.get("errorCode").equals(errorCode);
        return same ? null : "read " + answer;
      }
      String url;
      try {
        url = api.getEmasArtifactDownloadUrl("5ebbc0228123212b59xxxxx", 1111L, 1L, "Psaxsa", "assasas", 122L);
      } catch (RuntimeException error) {
        // The generated method reads a String answer as text/plain only, and throws on the
        // JSON string the spec also documents (examples/typescript/README.md says so).
        if (ok && String.valueOf(item.get("contentType")).startsWith("application/json")
            && String.valueOf(error.getMessage()).contains("supposed to be `text/plain`")) {
          LIMITS.merge("a JSON string answer is refused (text/plain only)", 1, Integer::sum);
          return null;
        }
        throw error;
      }
      if (!ok) return "expected an error, got " + url;
      return expect.get("url").equals(url) ? null : "read the URL " + url;
    } catch (ApiException error) {
      if (ok) return "failed: " + error;
      if (error.getCode() != status) return "status " + error.getCode();
      String want = (String) expect.get("code");
      return signed
          ? signedErrorProblem(error.getResponseBody(), want)
          : tokenErrorProblem(error.getResponseBody(), want);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java Decode CASES_JSON");
      System.exit(2);
    }
    List<Map<String, Object>> cases =
        MAPPER.readValue(new File(args[0]), new TypeReference<List<Map<String, Object>>>() {});
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      Map<String, Object> item = CURRENT.get();
      byte[] body = String.valueOf(item.get("body")).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", String.valueOf(item.get("contentType")));
      exchange.sendResponseHeaders((Integer) item.get("status"), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    int failed = 0;
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      PipelineApi api = new PipelineApi(new ApiClient(HttpClient.newBuilder(), MAPPER, base));
      for (Map<String, Object> item : cases) {
        String problem;
        try {
          problem = check(api, item);
        } catch (Exception error) {
          problem = "threw " + error;
        }
        if (problem != null) {
          failed++;
          System.err.println("  FAIL " + item.get("name") + ": " + problem);
        }
      }
    } finally {
      server.stop(0);
    }
    int guessed = notErrorsDecoded();
    CHOSEN.forEach((shape, count) ->
        System.out.println("  note: error bodies decoded with " + shape + ": " + count));
    LIMITS.forEach((limit, count) ->
        System.out.println("  note: known limitation, " + count + " answer(s): " + limit));
    int limited = LIMITS.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("decode java: " + (cases.size() - failed - limited) + " of " + cases.size()
        + " answers read as documented, " + limited + " a known limitation; "
        + (NOT_ERROR_BODIES.size() - guessed) + " of " + NOT_ERROR_BODIES.size()
        + " bodies without a code refused by ErrorResponse");
    System.exit(failed == 0 && guessed == 0 && !cases.isEmpty() ? 0 : 1);
  }
}
