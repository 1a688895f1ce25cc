package example;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.openapitools.client.model.GatewayError;
import org.openapitools.client.model.GatewayErrorLowerCase;
import org.openapitools.client.model.ServiceError;

/**
 * An error body of the signed API (the spec's {@code ErrorResponse}), decoded into the shape
 * that carries its code: {@link ServiceError} ({@code errorCode}), {@link GatewayError}
 * ({@code Code}) or {@link GatewayErrorLowerCase} ({@code code}).
 *
 * <p>Hand-written, and used in place of the class OpenAPI Generator would make: generate with
 * {@code --schema-mappings ErrorResponse=example.ErrorResponse} (your package instead of
 * {@code example} when you copy this file). Why: the generated anyOf decoder of the {@code java}
 * generator tries the three shapes in alphabetical order and keeps the first that Jackson binds;
 * Jackson binds any JSON object to any of them (it checks no {@code required} property, and the
 * unknown keys go to the additional properties), so every error would come out as a
 * {@code GatewayError} with {@code getCode() == null} and the service's {@code errorCode} hidden
 * in {@code getAdditionalProperties()}. No change to openapi.yaml makes Jackson reject a shape
 * without also rejecting answers the gateway really sends (extra keys, such as the emulator's
 * {@code EmulatorSignatureCheck}), so this class looks at the keys instead, by the spec's rule:
 * the shape is that of the first of {@code errorCode}, {@code Code}, {@code code} that is a
 * non-empty string; a body with none of them is not a well-formed error answer and is refused.
 *
 * <pre>{@code
 * } catch (ApiException error) {
 *   ErrorResponse body = mapper.readValue(error.getResponseBody(), ErrorResponse.class);
 *   body.getCode();       // "InvalidPipelineRun.NotFound", "SignatureDoesNotMatch", ...
 *   body.getRequestId();  // quote it in a support ticket
 *   if (body.getActualInstance() instanceof ServiceError) { ... body.getServiceError() ... }
 * }</pre>
 *
 * <p>The accessors of the generated class are kept ({@link #getActualInstance()},
 * {@link #getServiceError()}, {@link #getGatewayError()}, {@link #getGatewayErrorLowerCase()}),
 * so code written against it keeps compiling.
 */
@JsonDeserialize(using = ErrorResponse.Deserializer.class)
@JsonSerialize(using = ErrorResponse.Serializer.class)
public final class ErrorResponse {
  /** The keys that carry the code, in the order the spec's rule reads them. */
  public static final List<String> CODE_KEYS = List.of("errorCode", "Code", "code");

  private final Object actualInstance;

  /** A service error. */
  public ErrorResponse(ServiceError error) {
    this.actualInstance = Objects.requireNonNull(error, "error");
  }

  /** A gateway error. */
  public ErrorResponse(GatewayError error) {
    this.actualInstance = Objects.requireNonNull(error, "error");
  }

  /** A gateway error with lower-case keys. */
  public ErrorResponse(GatewayErrorLowerCase error) {
    this.actualInstance = Objects.requireNonNull(error, "error");
  }

  /**
   * The class of the shape that carries the code of body, by the spec's rule, or null when
   * none of {@link #CODE_KEYS} is a non-empty string in it.
   */
  public static Class<?> shapeOf(JsonNode body) {
    for (String key : CODE_KEYS) {
      JsonNode value = body.get(key);
      if (value != null && value.isTextual() && !value.asText().isEmpty()) {
        switch (key) {
          case "errorCode": return ServiceError.class;
          case "Code": return GatewayError.class;
          default: return GatewayErrorLowerCase.class;
        }
      }
    }
    return null;
  }

  /** The decoded shape: a ServiceError, a GatewayError or a GatewayErrorLowerCase. */
  public Object getActualInstance() {
    return actualInstance;
  }

  /** The service error; ClassCastException when the body is another shape (as generated). */
  public ServiceError getServiceError() {
    return (ServiceError) actualInstance;
  }

  /** The gateway error; ClassCastException when the body is another shape (as generated). */
  public GatewayError getGatewayError() {
    return (GatewayError) actualInstance;
  }

  /** The lower-case gateway error; ClassCastException for another shape (as generated). */
  public GatewayErrorLowerCase getGatewayErrorLowerCase() {
    return (GatewayErrorLowerCase) actualInstance;
  }

  /** The error code, never empty: errorCode, Code or code, from the typed field of the shape. */
  public String getCode() {
    if (actualInstance instanceof ServiceError) {
      return ((ServiceError) actualInstance).getErrorCode();
    }
    if (actualInstance instanceof GatewayError) {
      return ((GatewayError) actualInstance).getCode();
    }
    return ((GatewayErrorLowerCase) actualInstance).getCode();
  }

  /** The error message (errorMessage, Message or message), or null. */
  public String getMessage() {
    if (actualInstance instanceof ServiceError) {
      return ((ServiceError) actualInstance).getErrorMessage();
    }
    if (actualInstance instanceof GatewayError) {
      return ((GatewayError) actualInstance).getMessage();
    }
    return ((GatewayErrorLowerCase) actualInstance).getMessage();
  }

  /**
   * The request id (requestId or RequestId), or null. The lower-case gateway body has no typed
   * field for it (the spec gives its {@code requestId} the service body's meaning), so it is
   * read from that shape's additional properties.
   */
  public String getRequestId() {
    if (actualInstance instanceof ServiceError) {
      return ((ServiceError) actualInstance).getRequestId();
    }
    if (actualInstance instanceof GatewayError) {
      return ((GatewayError) actualInstance).getRequestId();
    }
    Object value = ((GatewayErrorLowerCase) actualInstance).getAdditionalProperty("requestId");
    return value instanceof String ? (String) value : null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ErrorResponse
        && actualInstance.equals(((ErrorResponse) other).actualInstance);
  }

  @Override
  public int hashCode() {
    return actualInstance.hashCode();
  }

  @Override
  public String toString() {
    return "ErrorResponse(" + actualInstance + ")";
  }

  /** Decodes a body into the shape {@link #shapeOf} names; refuses a body without a code. */
  public static final class Deserializer extends StdDeserializer<ErrorResponse> {
    private static final long serialVersionUID = 1L;

    public Deserializer() {
      super(ErrorResponse.class);
    }

    @Override
    public ErrorResponse deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      JsonNode body = context.readTree(parser);
      if (!body.isObject()) {
        return context.reportInputMismatch(ErrorResponse.class,
            "an error body of the signed API is a JSON object, got a JSON %s", body.getNodeType());
      }
      Class<?> shape = shapeOf(body);
      if (shape == null) {
        return context.reportInputMismatch(ErrorResponse.class,
            "not a well-formed error answer: none of %s is a non-empty string", CODE_KEYS);
      }
      // The shape's own generated deserializer: its typed fields, the rest in its additional
      // properties (an unexpected type for a typed field fails here, as it should).
      Object decoded = body.traverse(parser.getCodec()).readValueAs(shape);
      if (decoded instanceof ServiceError) {
        return new ErrorResponse((ServiceError) decoded);
      }
      if (decoded instanceof GatewayError) {
        return new ErrorResponse((GatewayError) decoded);
      }
      return new ErrorResponse((GatewayErrorLowerCase) decoded);
    }
  }

  /** Writes the decoded shape back as it came (its typed and additional properties). */
  public static final class Serializer extends StdSerializer<ErrorResponse> {
    private static final long serialVersionUID = 1L;

    public Serializer() {
      super(ErrorResponse.class);
    }

    @Override
    public void serialize(ErrorResponse value, JsonGenerator generator, SerializerProvider provider)
        throws IOException {
      generator.writeObject(value.actualInstance);
    }
  }
}
