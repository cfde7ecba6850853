// Starts Swagger UI on the gateway's own /openapi.json. A file of its own: the page's
// Content-Security-Policy allows no inline script. BaseLayout without the standalone preset,
// whose top bar injects an inline <style> the policy would refuse.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  showExtensions: true,
  validatorUrl: null,
});
