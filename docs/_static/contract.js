// Renders openapi.yaml (loaded by openapi-spec.js as window.YUNXIAO_OPENAPI) with Swagger UI,
// read-only: "Try it out" would send requests to the real service from a documentation page.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    spec: window.YUNXIAO_OPENAPI,
    dom_id: "#swagger-ui",
    deepLinking: false,
    validatorUrl: null,
    supportedSubmitMethods: [],
    defaultModelsExpandDepth: 0,
  });
});
