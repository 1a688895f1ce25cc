package example;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.PipelineApi;
import org.openapitools.client.model.ArtifactUrlResponse;
import org.openapitools.client.model.GatewayError;
import org.openapitools.client.model.TokenApiError;

/**
 * The Java example: the client generated from openapi.yaml (library native), signed with
 * {@link Acs3.Interceptor}, against the Yunxiao emulator or the real service.
 *
 * <pre>
 *   java example.Main READY_JSON    a token call, a signed call, each URL downloaded, md5 checked
 *   java example.Main vectors FILE  every vector of signing-vectors.json through Acs3
 * </pre>
 *
 * READY_JSON is a file holding the first line {@code yunxiao-emas emulator} prints. One JSON
 * line out; exit 0 (all done), 1 (an API error), 2 (usage) or 3 (a download failed or its md5
 * differs). On SignatureDoesNotMatch the emulator's canonical request goes to stderr.
 */
public final class Main {
  private static final ObjectMapper MAPPER = ApiClient.createDefaultObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Main() {}

  /**
   * An error answer, decoded by the models: a signed API's body with {@link ErrorResponse} (the
   * shape that carries the code: ServiceError, GatewayError or GatewayErrorLowerCase), a token
   * API's with the generated TokenApiError. The line says which shape it was.
   */
  static final class Failure extends Exception {
    final Map<String, Object> line = new LinkedHashMap<>();

    Failure(String api, ApiException error) {
      super(error.getMessage());
      line.put("ok", false);
      line.put("api", api);
      line.put("status", error.getCode());
      String body = error.getResponseBody();
      try {
        if (api.equals("signed")) {
          ErrorResponse decoded = MAPPER.readValue(body, ErrorResponse.class);
          line.put("shape", decoded.getActualInstance().getClass().getSimpleName());
          line.put("code", decoded.getCode());
          line.put("message", decoded.getMessage());
          line.put("requestId", decoded.getRequestId());
          // The emulator (never the real gateway) says what it signed: diff it with your own.
          if (decoded.getActualInstance() instanceof GatewayError gateway
              && gateway.getAdditionalProperty("EmulatorSignatureCheck") instanceof Map<?, ?> check) {
            System.err.println("the emulator's canonical request:\n" + check.get("canonicalRequest")
                + "\nits string to sign:\n" + check.get("stringToSign"));
          }
        } else {
          TokenApiError decoded = MAPPER.readValue(body, TokenApiError.class);
          line.put("shape", "TokenApiError");
          line.put("code", decoded.getErrorCode());
          line.put("message", decoded.getErrorMessage());
          line.put("requestId", decoded.getRequestId());
        }
      } catch (Exception unreadable) {
        // Not an error body of the spec (a proxy's page, an empty body): say so, keep the status.
        line.put("code", null);
        line.put("message", "an error body the spec does not describe: " + unreadable.getMessage());
      }
    }

    Failure(String api, ArtifactUrlResponse answer) {
      super(answer.getErrorCode());
      line.put("ok", false);
      line.put("api", api);
      line.put("status", 200);
      line.put("shape", "ArtifactUrlResponse");
      line.put("code", answer.getErrorCode());
      line.put("message", answer.getErrorMessage());
      line.put("requestId", answer.getRequestId());
    }
  }

  /**
   * The generated API aimed at baseUri. The generated ApiClient takes the first server of the
   * spec for every operation (the signed API's host, even for the token API): always pass it.
   */
  static PipelineApi api(String baseUri, java.util.function.Consumer<HttpRequest.Builder> interceptor) {
    ApiClient client = new ApiClient(HttpClient.newBuilder().connectTimeout(TIMEOUT), MAPPER, baseUri);
    client.setRequestInterceptor(interceptor);
    client.setReadTimeout(TIMEOUT);
    return new PipelineApi(client);
  }

  static String tokenCall(Map<String, Object> ready, Map<String, Object> artifact) throws Exception {
    @SuppressWarnings("unchecked")
    String token = ((List<String>) ready.get("tokens")).get(0);
    PipelineApi api = api((String) ready.get("base_url"), builder -> {
      builder.setHeader("x-yunxiao-token", token);
      // The generated method reads the String answer as text/plain only: ask for it (the
      // emulator honours Accept; a server that answers JSON anyway makes it throw).
      builder.setHeader("Accept", "text/plain");
    });
    try {
      return api.getEmasArtifactDownloadUrl((String) artifact.get("organization_id"),
          number(artifact, "pipeline_id"), number(artifact, "pipeline_run_id"),
          (String) artifact.get("emas_job_instance_id"), (String) artifact.get("md5"),
          connection(artifact));
    } catch (ApiException error) {
      throw new Failure("token", error);
    }
  }

  @SuppressWarnings("unchecked")
  static String signedCall(Map<String, Object> ready, Map<String, Object> artifact) throws Exception {
    String id;
    String secret;
    String token = null;
    Map<String, String> keys = (Map<String, String>) ready.get("access_keys");
    if (keys != null && !keys.isEmpty()) {
      id = keys.keySet().iterator().next();
      secret = keys.get(id);
    } else {
      Map<String, List<String>> sts = (Map<String, List<String>>) ready.get("sts_tokens");
      id = sts.keySet().iterator().next();
      secret = sts.get(id).get(0);
      token = sts.get(id).get(1);
    }
    PipelineApi api = api((String) ready.get("base_url"),
        new Acs3.Interceptor(id, secret, token, "GetPipelineEmasArtifactUrl", "2021-06-25"));
    ArtifactUrlResponse answer;
    try {
      answer = api.getPipelineEmasArtifactUrl((String) artifact.get("organization_id"),
          number(artifact, "pipeline_id"), number(artifact, "pipeline_run_id"),
          (String) artifact.get("emas_job_instance_id"), (String) artifact.get("md5"),
          connection(artifact));
    } catch (ApiException error) {
      throw new Failure("signed", error);
    }
    // A 200 is not always a success: check success.
    if (!Boolean.TRUE.equals(answer.getSuccess())) {
      throw new Failure("signed", answer);
    }
    return answer.getFileUrl();
  }

  static long number(Map<String, Object> artifact, String key) {
    return ((Number) artifact.get(key)).longValue();
  }

  static long connection(Map<String, Object> artifact) {
    Object value = artifact.get("service_connection_id");
    return value == null ? 1L : ((Number) value).longValue();
  }

  /** Fetches a pre-signed URL (no credentials); the md5 of what came. */
  static String download(String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpResponse<InputStream> response = http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    try (InputStream body = new DigestInputStream(response.body(), md5)) {
      body.transferTo(java.io.OutputStream.nullOutputStream());
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("download answered " + response.statusCode());
    }
    return Acs3.hex(md5.digest());
  }

  static void emit(Map<String, Object> line, int code) throws Exception {
    System.out.println(MAPPER.writeValueAsString(line));
    System.exit(code);
  }

  @SuppressWarnings("unchecked")
  static void round(String path) throws Exception {
    Map<String, Object> ready;
    try {
      ready = MAPPER.readValue(new File(path), new TypeReference<Map<String, Object>>() {});
    } catch (Exception error) {
      emit(Map.of("ok", false, "error", path + ": " + error.getMessage()), 2);
      return;
    }
    List<Map<String, Object>> artifacts = (List<Map<String, Object>>) ready.get("artifacts");
    if (ready.get("base_url") == null || artifacts == null || artifacts.isEmpty()) {
      emit(Map.of("ok", false, "error", path + " is not the emulator's first line with an artifact"), 2);
    }
    Map<String, Object> artifact = artifacts.get(0);
    String wanted = (String) artifact.get("md5");
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("ok", true);
    for (String api : List.of("token", "signed")) {
      String url;
      try {
        url = api.equals("token") ? tokenCall(ready, artifact) : signedCall(ready, artifact);
      } catch (Failure failure) {
        emit(failure.line, 1);
        return;
      }
      String got;
      try {
        got = download(url);
      } catch (Exception error) {
        emit(Map.of("ok", false, "api", api, "download", String.valueOf(error)), 3);
        return;
      }
      if (!got.equals(wanted)) {
        emit(Map.of("ok", false, "api", api, "download", "md5 " + got + ", want " + wanted), 3);
      }
      results.put(api, Map.of("fileUrl", url, "md5", got, "verified", true));
    }
    emit(results, 0);
  }

  @SuppressWarnings("unchecked")
  static void vectors(String path) throws Exception {
    Map<String, Object> file = MAPPER.readValue(new File(path), new TypeReference<Map<String, Object>>() {});
    List<Map<String, Object>> vectors = (List<Map<String, Object>>) file.get("vectors");
    int failed = 0;
    for (Map<String, Object> v : vectors) {
      List<String[]> query = new ArrayList<>();
      for (List<String> pair : (List<List<String>>) v.get("query")) {
        query.add(new String[] {pair.get(0), pair.get(1)});
      }
      Acs3.Parts parts = Acs3.sign((String) v.get("accessKeySecret"), (String) v.get("method"),
          (String) v.get("path"), query, (Map<String, String>) v.get("headers"));
      String[][] checks = {
        {"canonical request", parts.canonicalRequest(), (String) v.get("canonicalRequest")},
        {"string to sign", parts.stringToSign(), (String) v.get("stringToSign")},
        {"signature", parts.signature(), (String) v.get("signature")},
        {"signed headers", parts.signedHeaders(), (String) v.get("signedHeaders")},
        {"Authorization", parts.authorization((String) v.get("accessKeyId")), (String) v.get("authorization")},
      };
      for (String[] check : checks) {
        if (!check[1].equals(check[2])) {
          failed++;
          System.err.println("FAIL " + v.get("name") + ": " + check[0] + "\n got: " + check[1] + "\nwant: " + check[2]);
          break;
        }
      }
    }
    System.out.println("java signer: " + (vectors.size() - failed) + " of " + vectors.size() + " vectors pass");
    System.exit(failed == 0 && !vectors.isEmpty() ? 0 : 1);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      round(args[0]);
    } else if (args.length == 2 && args[0].equals("vectors")) {
      vectors(args[1]);
    } else {
      System.err.println("usage: java example.Main READY_JSON | java example.Main vectors SIGNING_VECTORS_JSON");
      System.exit(2);
    }
  }
}
