// /api/docs: Swagger UI over our OpenAPI document, from our own copy of its assets (no CDN).
const root = document.getElementById("swagger-ui");
if (typeof window.SwaggerUIBundle !== "function") {
  root.textContent =
    "The Swagger UI assets are missing: run `python3 scripts/docs-assets.py` (make dev, make install " +
    "and make deploy do). The OpenAPI document itself is at /api/openapi.json.";
} else {
  window.ui = window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
}
