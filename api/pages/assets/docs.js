// Starts Swagger UI on /docs, from a served file so the page's policy allows no inline
// script. The URLs come from the page's data attributes.
//
// The Swagger UI the swagger-ui-bundle package ships (4.15) reads OpenAPI 3.0 only, and
// refuses the API's 3.1 document outright. So the page fetches the document and shows a
// 3.0 reading of it: the few 3.1 forms FastAPI writes (null among the types, a list of
// examples, const, numeric exclusive bounds) said as 3.0 says them. /openapi.json itself
// is left as it is for every other reader.
"use strict";

(() => {
  const root = document.getElementById("swagger-ui");
  // Objects whose keys are names (a property, a path, a status...), not schema keywords.
  const NAMED = new Set([
    "properties", "patternProperties", "$defs", "definitions", "schemas", "paths",
    "webhooks", "responses", "parameters", "examples", "headers", "content",
    "securitySchemes", "requestBodies", "callbacks", "links", "encoding", "variables",
    "mapping",
  ]);
  const isNull = (schema) => schema && schema.type === "null" && Object.keys(schema).length === 1;

  function asOas30(node) {
    if (Array.isArray(node)) return node.map(asOas30);
    if (node === null || typeof node !== "object") return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = NAMED.has(key) && value && !Array.isArray(value) && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asOas30(v)]))
        : asOas30(value);
    }
    if (Array.isArray(out.type)) {
      const types = out.type.filter((t) => t !== "null");
      if (types.length < out.type.length) out.nullable = true;
      out.type = types.length === 1 ? types[0] : undefined;
    }
    for (const choice of ["anyOf", "oneOf"]) {
      if (!Array.isArray(out[choice]) || !out[choice].some(isNull)) continue;
      const rest = out[choice].filter((s) => !isNull(s));
      out.nullable = true;
      if (rest.length === 1) {
        delete out[choice];
        Object.assign(out, { ...rest[0], ...out });
      } else {
        out[choice] = rest;
      }
    }
    if (Array.isArray(out.examples) && out.example === undefined) {
      out.example = out.examples[0];
      delete out.examples;
    }
    if (Object.hasOwn(out, "const") && typeof out.const !== "object") {
      out.enum = [out.const];
      delete out.const;
    }
    for (const [bound, limit] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]]) {
      if (typeof out[bound] === "number") {
        out[limit] = out[bound];
        out[bound] = true;
      }
    }
    return out;
  }

  function start(spec) {
    window.ui = SwaggerUIBundle({
      spec,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      oauth2RedirectUrl: window.location.origin + root.dataset.oauth2RedirectUrl,
      validatorUrl: "none",
      presets: [SwaggerUIBundle.presets.apis],
    });
  }

  fetch(root.dataset.openapiUrl, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`${root.dataset.openapiUrl}: ${response.status}`);
      return response.json();
    })
    .then((document) => {
      const shown = /^3\.1\./.test(document.openapi || "") ? asOas30(document) : document;
      if (shown !== document) {
        shown.openapi = "3.0.3";
        delete shown.webhooks;  // 3.1 only; described in the API's own documentation
        delete shown.jsonSchemaDialect;
      }
      start(shown);
    })
    .catch((error) => {
      root.textContent = `The API description could not be loaded (${error.message}).`;
    });
})();
