// /api/docs: Swagger UI over our OpenAPI document, from our own copy of its assets (no CDN).
/**
 * What vendor/swagger-ui-bundle.js puts on window, as far as this page uses it.
 * @typedef {{(options: Record<string, unknown>): unknown, presets: {apis: unknown}}} SwaggerUIBundle
 */
const page = /** @type {Window & {SwaggerUIBundle?: SwaggerUIBundle, ui?: unknown}} */ (window);
const root = document.getElementById("swagger-ui");
const bundle = page.SwaggerUIBundle;
if (typeof bundle !== "function") {
  if (root) {
    root.textContent =
      "The Swagger UI assets are missing: run `python3 scripts/docs-assets.py` (make dev, make install " +
      "and make deploy do). The OpenAPI document itself is at /api/openapi.json.";
  }
} else {
  page.ui = bundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    presets: [bundle.presets.apis],
    layout: "BaseLayout",
  });
}
