// Feeds every answer of cases.json (scripts/interop_cases.py) to the Java client (library
// native) generated from openapi.yaml, through its PipelineApi and a JDK HTTP server on
// 127.0.0.1 that sends the canned answer, and checks what the client read: the URL of a 200,
// the code of an error (the body decoded with the generated ErrorResponse / TokenApiError
// model and the client's own ObjectMapper, read by the spec's rule).
//
// Usage: java -cp CLASSES:JARS Decode CASES_JSON   (compiled by scripts/check-java)

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.PipelineApi;
import org.openapitools.client.model.ArtifactUrlResponse;
import org.openapitools.client.model.ErrorResponse;
import org.openapitools.client.model.TokenApiError;

public final class Decode {
  private static final ObjectMapper MAPPER = ApiClient.createDefaultObjectMapper();
  private static final AtomicReference<Map<String, Object>> CURRENT = new AtomicReference<>();
  // The answers read through a documented limitation, by what it is.
  private static final Map<String, Integer> LIMITS = new TreeMap<>();
  // The shape the generated anyOf decoder chose, counted (it keeps the first that binds).
  private static final Map<String, Integer> CHOSEN = new TreeMap<>();

  private Decode() {}

  /** The spec's rule: the first of errorCode, Code, code that is a non-empty string. */
  static String codeOf(Object model) {
    Map<String, Object> held = MAPPER.convertValue(model, new TypeReference<Map<String, Object>>() {});
    for (String key : List.of("errorCode", "Code", "code")) {
      Object value = held.get(key);
      if (value instanceof String && !((String) value).isEmpty()) {
        return (String) value;
      }
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
      String code;
      if (signed) {
        Object shape = MAPPER.readValue(error.getResponseBody(), ErrorResponse.class).getActualInstance();
        CHOSEN.merge(shape.getClass().getSimpleName(), 1, Integer::sum);
        code = codeOf(shape);
      } else {
        code = MAPPER.readValue(error.getResponseBody(), TokenApiError.class).getErrorCode();
      }
      return expect.get("code").equals(code) ? null : "read the code " + code;
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
        String problem = check(api, item);
        if (problem != null) {
          failed++;
          System.err.println("  FAIL " + item.get("name") + ": " + problem);
        }
      }
    } finally {
      server.stop(0);
    }
    CHOSEN.forEach((shape, count) ->
        System.out.println("  note: ErrorResponse decoded as " + shape + ": " + count + " answer(s)"));
    LIMITS.forEach((limit, count) ->
        System.out.println("  note: known limitation, " + count + " answer(s): " + limit));
    int limited = LIMITS.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("decode java: " + (cases.size() - failed - limited) + " of " + cases.size()
        + " answers read as documented, " + limited + " a known limitation");
    System.exit(failed == 0 && !cases.isEmpty() ? 0 : 1);
  }
}
