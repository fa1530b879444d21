// Starts Swagger UI on /docs, from a served file so the page's policy allows no inline
// script. The URLs come from the page's data attributes.
"use strict";

(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    oauth2RedirectUrl: window.location.origin + root.dataset.oauth2RedirectUrl,
    validatorUrl: "none",
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
