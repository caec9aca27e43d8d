// Starts Swagger UI on the schema named by the page (no inline script: the pages obey a strict CSP).
document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: target.dataset.schema,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
