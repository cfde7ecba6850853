// The served OpenAPI document as tests use it: its operations, one example request per
// operation (EXAMPLES, keyed "METHOD /documented/path"), and a response checker that validates a
// status and JSON body against what the document declares (ajv, JSON Schema 2020-12).
//
// A new route's author adds its example here: the body, query and path parameters a successful
// call needs (fixtures such as a key id come from `fx`, filled by setUp), or `auth: 'none'` /
// `auth: 'gateway'` when it does not take an admin session. openapi.test.mjs then calls it once
// and checks the answer against the document; route_auth_matrix.test.mjs calls it with every
// kind of credential.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { googleShapedKey, request } from './harness.mjs';
import { EMBED_MODEL, MODEL, textBody } from './gemini.mjs';

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Every operation of `doc`: {key: 'GET /path', method, path, op}. */
export function operations(doc) {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if (item[method]) out.push({ key: `${method.toUpperCase()} ${path}`, method, path, op: item[method] });
    }
  }
  return out;
}

/** The new password the change-password example sets (the session keeps working). */
export const CHANGED_PASSWORD = 'Changed-by-openapi-test-7f3a';

/**
 * One example per operation. Fields:
 *   auth    'admin' (default on /api/), 'gateway' (the gateway token as x-goog-api-key, or as
 *           `gatewayAs` says), 'none'
 *   params  {name: value | fx => value} for the path's {name}s
 *   query   {name: value} or fx => {…}
 *   body    a value, or fx => value (JSON)
 *   status  the status expected (default: any 2xx)
 *   after   async (res, fx) => {} to keep fixtures from the answer
 *   last    runs after every other example (it spends a fixture or a session)
 *   probe   fields that replace the example's in route_auth_matrix.test.mjs, which calls each
 *           operation once per kind of credential (a harmless form of the request)
 */
export const EXAMPLES = {
  // --- operations
  'GET /health': { auth: 'none', status: 200 },
  'GET /ready': { auth: 'none', status: 200 },
  // openapi.test.mjs turns metrics on (200); the route-auth matrix's stack has them off (404,
  // which no credential changes).
  'GET /metrics': { auth: 'none', status: [200, 404] },
  'GET /openapi.json': { auth: 'none', status: 200 },
  'HEAD /openapi.json': { auth: 'none', status: 200 },
  'GET /docs': { auth: 'none', status: 200 },
  'HEAD /docs': { auth: 'none', status: 200 },
  'GET /docs/{path}': { auth: 'none', params: { path: 'swagger-ui.css' }, status: 200 },
  'HEAD /docs/{path}': { auth: 'none', params: { path: 'poise-docs.js' }, status: 200 },

  // --- native Gemini (through the fake upstream)
  'GET /v1beta/{path}': { auth: 'gateway', params: { path: 'models' }, status: 200 },
  'POST /v1beta/{path}': {
    auth: 'gateway', params: { path: `models/${MODEL}:generateContent` }, body: textBody('hi'), status: 200,
  },
  'PATCH /v1beta/{path}': {
    auth: 'gateway', params: { path: 'corpora/none' }, body: {}, status: [400, 404],
  },
  'DELETE /v1beta/{path}': { auth: 'gateway', params: { path: 'corpora/none' }, status: [400, 404] },
  'GET /v1alpha/{path}': { auth: 'gateway', params: { path: `models/${MODEL}` }, status: 200 },
  'POST /v1alpha/{path}': {
    auth: 'gateway', params: { path: `models/${MODEL}:countTokens` }, body: textBody('hi'), status: 200,
  },
  'PATCH /v1alpha/{path}': {
    auth: 'gateway', params: { path: 'corpora/none' }, body: {}, status: [400, 404],
  },
  'DELETE /v1alpha/{path}': { auth: 'gateway', params: { path: 'corpora/none' }, status: [400, 404] },
  // A start call without the resumable headers: the upstream's 400 (files.upload end to end is
  // in affinity.test.mjs).
  'POST /upload/v1beta/{path}': { auth: 'gateway', params: { path: 'files' }, body: {}, status: 400 },
  'POST /upload/v1alpha/{path}': { auth: 'gateway', params: { path: 'files' }, body: {}, status: 400 },
  'GET /v1/{path}': { auth: 'gateway', params: { path: 'models' }, status: 200 },
  'POST /v1/{path}': {
    auth: 'gateway', params: { path: `models/${MODEL}:generateContent` }, body: textBody('hi'), status: 200,
  },

  // The Live API's WebSocket endpoint: a plain GET is not an upgrade (400); live_api.test.mjs
  // drives the sessions themselves.
  'GET /ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent': {
    auth: 'gateway', status: 400,
  },
  'GET /ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent': {
    auth: 'gateway', status: 400,
  },
  // --- OpenAI and Anthropic
  'POST /v1/chat/completions': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200,
    body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
  },
  'POST /v1/responses': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200,
    body: { model: MODEL, input: 'hi', store: false },
  },
  'GET /v1/responses/{id}': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200, params: { id: (fx) => fx.responseId },
  },
  'DELETE /v1/responses/{id}': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200, params: { id: (fx) => fx.spareResponseId },
  },
  'POST /v1/embeddings': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200, body: { model: EMBED_MODEL, input: 'hi' },
  },
  'POST /v1/images/generations': {
    auth: 'gateway', gatewayAs: 'bearer', status: 200,
    body: { model: 'gemini-2.5-flash-image', prompt: 'a dot' },
  },
  'GET /v1/models': { auth: 'gateway', gatewayAs: 'bearer', status: 200 },
  'GET /v1/models/{id}': { auth: 'gateway', gatewayAs: 'bearer', params: { id: MODEL }, status: 200 },
  'POST /v1/messages': {
    auth: 'gateway', gatewayAs: 'x-api-key', status: 200,
    body: { model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] },
  },
  'POST /claude/v1/messages': {
    auth: 'gateway', gatewayAs: 'x-api-key', status: 200,
    body: { model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] },
  },
  'POST /v1/messages/count_tokens': {
    auth: 'gateway', gatewayAs: 'x-api-key', status: 200,
    body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
  },
  'POST /claude/v1/messages/count_tokens': {
    auth: 'gateway', gatewayAs: 'x-api-key', status: 200,
    body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
  },

  // --- sessions
  'POST /api/v1/login': {
    auth: 'none', status: 200, body: (fx) => ({ username: 'admin', password: fx.password }),
  },
  'GET /api/v1/users/me': { status: 200 },
  'POST /api/v1/users/change-password': {
    last: true, status: 200,
    body: (fx) => ({ current_password: fx.password, new_password: CHANGED_PASSWORD }),
    after: (res, fx) => { fx.password = CHANGED_PASSWORD; },
    probe: { status: 400, body: { current_password: 'not-the-password', new_password: CHANGED_PASSWORD } },
  },
  'POST /api/v1/logout': { last: true, status: 200, token: (fx) => fx.spareToken },

  // --- keys
  'POST /api/v1/api_keys': {
    status: 201, body: () => ({ key_value: googleShapedKey(), description: 'openapi test' }),
  },
  'GET /api/v1/api_keys': { status: 200, query: { skip: '0', limit: '10' } },
  'GET /api/v1/api_keys/paginated': { status: 200, query: { page: '1', page_size: '10', status: 'active' } },
  'GET /api/v1/api_keys/{id}': { status: 200, params: { id: (fx) => fx.keyId } },
  'GET /api/v1/api_keys/{id}/reveal': { status: 200, params: { id: (fx) => fx.keyId } },
  'GET /api/v1/api_keys/{id}/detail': { status: 200, params: { id: (fx) => fx.keyId } },
  'PUT /api/v1/api_keys/{id}': {
    status: 200, params: { id: (fx) => fx.keyId }, body: { description: 'changed', priority: 'high' },
  },
  'DELETE /api/v1/api_keys/{id}': { last: true, status: 200, params: { id: (fx) => fx.spareKeyIds[0] } },
  'POST /api/v1/api_keys/bulk-add': { status: 200, body: () => ({ keys_string: `${googleShapedKey()},${googleShapedKey()}` }) },
  'POST /api/v1/api_keys/add-list': { status: 200, body: () => ({ keys: [googleShapedKey()] }) },
  'PUT /api/v1/api_keys/bulk-update': {
    status: 200, body: (fx) => ({ key_ids: [fx.keyId], updates: { description: 'bulk-updated' } }),
  },
  'POST /api/v1/api_keys/cache/invalidate': { status: 200 },
  'POST /api/v1/api_keys/cache/refresh': { status: 200 },
  'GET /api/v1/api_keys/cache/status': { status: 200 },
  'POST /api/v1/api_keys/cache/reset-stats': { status: 200 },
  'DELETE /api/v1/api_keys/bulk-delete': { last: true, status: 200, body: (fx) => ({ ids: [fx.spareKeyIds[1]] }) },

  // --- key checks
  'POST /api/v1/api_keys/bulk-check': {
    status: 202, body: (fx) => ({ key_ids: [fx.keyId] }), after: (res, fx) => { fx.taskId = res.body.task_id; },
  },
  'GET /api/v1/api_keys/bulk-check/{task_id}/status': {
    status: 200, params: { task_id: (fx) => fx.taskId }, needs: ['POST /api/v1/api_keys/bulk-check'],
  },
  'POST /api/v1/api_keys/bulk-check-sync': { status: 200, body: (fx) => ({ key_ids: [fx.keyId] }) },
  'POST /api/v1/api_keys/check/{id}': { status: 200, params: { id: (fx) => fx.keyId } },

  // --- statistics
  'GET /api/v1/api_keys/statistics/keys': { status: 200 },
  'GET /api/v1/api_keys/statistics/calls': { status: 200 },
  'GET /api/v1/api_keys/statistics/survival': { status: 200 },
  'GET /api/v1/api_keys/statistics/calls_by_minute': { status: 200, query: { hours_ago: '1' } },

  // --- token buckets
  'GET /api/v1/token-bucket/config': { status: 200 },
  'PUT /api/v1/token-bucket/config': { status: 200, body: { default_capacity: 10 } },
  'POST /api/v1/token-bucket/api-keys/{id}/configure': {
    status: 200, params: { id: (fx) => fx.keyId }, body: { capacity: 20, refill_rate: 2 },
  },
  'DELETE /api/v1/token-bucket/api-keys/{id}/configure': { status: 200, params: { id: (fx) => fx.keyId } },
  'POST /api/v1/token-bucket/api-keys/{id}/reset': { status: 200, params: { id: (fx) => fx.keyId } },
  'GET /api/v1/token-bucket/api-keys/{id}/status': { status: 200, params: { id: (fx) => fx.keyId } },
  'GET /api/v1/token-bucket/api-keys/status': { status: 200 },
  'POST /api/v1/token-bucket/batch-configure': { status: 200, body: { capacity: 10, refill_rate: 1 } },
  'POST /api/v1/token-bucket/cleanup': { status: 200 },
  'POST /api/v1/token-bucket/test-selection': { status: 200, query: { required_tokens: '1' } },
  'GET /api/v1/token-bucket/statistics': { status: 200 },

  // --- config
  'GET /api/v1/config': { status: 200 },
  'GET /api/v1/config/{key}': { status: 200, params: { key: 'proxy_retry_max_count' } },
  'PUT /api/v1/config/{key}': { status: 200, params: { key: 'proxy_retry_max_count' }, body: { value: '2' } },
  // setUp deletes anthropic_model_haiku, so that it can be created here.
  'POST /api/v1/config': { status: 201, body: { key: 'anthropic_model_haiku', value: 'gemini-2.5-flash' } },
  'DELETE /api/v1/config/{key}': { last: true, status: 204, params: { key: 'anthropic_model_opus' } },
  'POST /api/v1/config/bulk-save': {
    status: 200, body: { items: [{ key: 'proxy_retry_backoff_ms', value: 100 }] },
  },

  // --- audit
  'GET /api/v1/audit': { status: 200, query: { page: '1', page_size: '20' } },

  // --- usage
  'GET /api/v1/usage/timeseries': { status: 200, query: { step: 'hour' } },
  'GET /api/v1/usage/top': { status: 200, query: { by: 'key', limit: '5' } },
  'GET /api/v1/usage/keys/{id}': { status: 200, params: { id: (fx) => fx.keyId }, query: { step: 'hour' } },
  'GET /api/v1/usage/tokens/{id}': { status: 200, params: { id: '0' }, query: { step: 'hour' } },
  // --- logs
  'GET /api/v1/logs': { status: 200, query: { limit: '5', status: '2xx' } },
  'GET /api/v1/logs/{id}': { status: 404, params: { id: '999999999' } },

  // --- users
  'GET /api/v1/users': { status: 200 },
  'POST /api/v1/users': {
    status: 201, body: () => ({ username: `openapi-${Math.random().toString(36).slice(2, 10)}`, role: 'viewer' }),
  },
  'GET /api/v1/users/{id}': { status: 200, params: { id: (fx) => fx.userId } },
  'PUT /api/v1/users/{id}': { status: 200, params: { id: (fx) => fx.userId }, body: { role: 'viewer' } },
  'POST /api/v1/users/{id}/reset-password': { status: 200, params: { id: (fx) => fx.userId } },
  'DELETE /api/v1/users/{id}': { last: true, status: 204, params: { id: (fx) => fx.spareUserId } },

  // --- client tokens
  'GET /api/v1/tokens': { status: 200, query: { page: '1', page_size: '20', enabled: 'true' } },
  'POST /api/v1/tokens': {
    status: 201,
    body: {
      name: 'openapi example', note: 'made by openapi.test', allowed_models: ['gemini-2.5-*'],
      allowed_protocols: ['native', 'openai'], allowed_cidrs: ['127.0.0.1/32'], rpm_limit: 60,
      daily_request_quota: 1000, daily_token_quota: null, expires_at: '2099-01-01T00:00:00Z',
    },
  },
  'GET /api/v1/tokens/{id}': { status: 200, params: { id: (fx) => fx.tokenId } },
  'PUT /api/v1/tokens/{id}': {
    status: 200, params: { id: (fx) => fx.tokenId }, body: { note: 'changed', rpm_limit: 120 },
  },
  'POST /api/v1/tokens/{id}/disable': { status: 200, params: { id: (fx) => fx.tokenId } },
  'POST /api/v1/tokens/{id}/enable': { status: 200, params: { id: (fx) => fx.tokenId } },
  'POST /api/v1/tokens/{id}/rotate': { status: 200, params: { id: (fx) => fx.tokenId } },
  'DELETE /api/v1/tokens/{id}': { last: true, status: 204, params: { id: (fx) => fx.spareTokenId } },

  // --- alert webhooks (localhost targets: refused at each send unless POISE_ALERTS_ALLOW_PRIVATE)
  'GET /api/v1/alerts': { status: 200 },
  'POST /api/v1/alerts': {
    status: 201,
    body: {
      name: 'openapi example', url: 'http://localhost:9/poise-alerts',
      headers: { Authorization: 'Bearer example-secret-value', 'X-Team': 'ops' },
      events: ['key.error', 'pool.active_low', 'error_rate.high'],
      active_keys_below: 2, active_percent_below: 50, error_rate_percent_above: 20, error_rate_min_requests: 50,
    },
  },
  'GET /api/v1/alerts/deliveries': { status: 200, query: (fx) => ({ webhook_id: String(fx.alertId), limit: '10' }) },
  'GET /api/v1/alerts/{id}': { status: 200, params: { id: (fx) => fx.alertId } },
  'PUT /api/v1/alerts/{id}': {
    status: 200, params: { id: (fx) => fx.alertId }, body: { enabled: false, headers: { 'X-Team': 'sre' } },
  },
  'POST /api/v1/alerts/{id}/test': { status: 200, params: { id: (fx) => fx.alertId } },
  'DELETE /api/v1/alerts/{id}': { last: true, status: 204, params: { id: (fx) => fx.spareAlertId } },
};

/**
 * Fixtures the examples use: a key (`keyId`), two spare keys for the deleting examples, a spare
 * session for logout, the admin password, two stored responses. Call after poise.login().
 */
export async function setUp(poise) {
  const fx = { password: poise.adminPassword };
  const key = await poise.admin('POST', '/api/v1/api_keys', { key_value: googleShapedKey() });
  if (key.status !== 201) throw new Error(`fixture key: ${key.status} ${key.text}`);
  fx.keyId = key.body.id;
  fx.spareKeyIds = [];
  for (let i = 0; i < 2; i += 1) {
    const spare = await poise.admin('POST', '/api/v1/api_keys', { key_value: googleShapedKey() });
    if (spare.status !== 201) throw new Error(`fixture key: ${spare.status} ${spare.text}`);
    fx.spareKeyIds.push(spare.body.id);
  }
  const freed = await poise.admin('DELETE', '/api/v1/config/anthropic_model_haiku');
  if (freed.status !== 204) throw new Error(`fixture config: ${freed.status} ${freed.text}`);
  // Two viewers (a password is given, so none has to be changed), and two client tokens.
  fx.viewerPassword = 'Viewer-pass-for-openapi-91c2';
  for (const name of ['userId', 'spareUserId']) {
    const user = await poise.admin('POST', '/api/v1/users', {
      username: `openapi-${name.toLowerCase()}`, password: fx.viewerPassword, role: 'viewer',
    });
    if (user.status !== 201) throw new Error(`fixture user: ${user.status} ${user.text}`);
    fx[name] = user.body.id;
    fx[`${name}Name`] = user.body.username;
  }
  for (const name of ['tokenId', 'spareTokenId']) {
    const token = await poise.admin('POST', '/api/v1/tokens', { name: `openapi ${name}` });
    if (token.status !== 201) throw new Error(`fixture token: ${token.status} ${token.text}`);
    fx[name] = token.body.id;
    fx[`${name}Value`] = token.body.token;
  }
  for (const name of ['alertId', 'spareAlertId']) {
    const hook = await poise.admin('POST', '/api/v1/alerts', {
      name: `openapi ${name}`, url: 'http://localhost:9/poise-alerts', events: ['key.error'],
    });
    if (hook.status !== 201) throw new Error(`fixture alert: ${hook.status} ${hook.text}`);
    fx[name] = hook.body.id;
  }
  // Two stored responses (POST /v1/responses stores by default).
  for (const name of ['responseId', 'spareResponseId']) {
    const res = await request(`${poise.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${poise.gatewayToken}` },
      body: { model: MODEL, input: `openapi ${name}` },
    });
    if (res.status !== 200) throw new Error(`fixture response: ${res.status} ${res.text}`);
    fx[name] = res.body.id;
  }
  const login = await request(`${poise.url}/api/v1/login`, {
    method: 'POST', body: { username: 'admin', password: fx.password },
  });
  if (login.status !== 200) throw new Error(`spare login: ${login.status} ${login.text}`);
  fx.spareToken = login.body.access_token;
  fx.spareCookie = login.headers.get('set-cookie')?.split(';')[0];
  return fx;
}

const resolve = (v, fx) => (typeof v === 'function' ? v(fx) : v);

/** The URL of operation `o` as example `ex` fills it. */
export function exampleUrl(base, o, ex, fx) {
  let path = o.path;
  for (const [name, value] of Object.entries(ex.params ?? {})) {
    const v = String(resolve(value, fx));
    // {path} holds slashes: it is the rest of the path, not one segment.
    path = path.replace(`{${name}}`, name === 'path' ? v : encodeURIComponent(v));
  }
  if (/\{[^}]+\}/.test(path)) throw new Error(`${o.key}: the example fills no value for ${path}`);
  const query = resolve(ex.query, fx);
  const qs = query ? `?${new URLSearchParams(query)}` : '';
  return `${base}${path}${qs}`;
}

/** The header that carries the gateway token the way `as` says. */
export function gatewayHeaders(token, as = 'goog') {
  if (as === 'bearer') return { authorization: `Bearer ${token}` };
  if (as === 'x-api-key') return { 'x-api-key': token };
  return { 'x-goog-api-key': token };
}

/** Sends example `ex` of operation `o` with `headers` for credentials. */
export function sendExample(base, o, ex, fx, headers) {
  const body = resolve(ex.body, fx);
  return request(exampleUrl(base, o, ex, fx), {
    method: o.method.toUpperCase(),
    headers,
    body: body === undefined ? undefined : body,
  });
}

/** A checker of exchanges against `doc`: check(o, res, body) → problems (empty when fine). */
export function responseChecker(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const cache = new Map();
  const pointer = (parts) => parts.map((p) => encodeURIComponent(String(p).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  const deref = (v) => {
    if (!v?.$ref) return { value: v, at: null };
    const parts = v.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let x = doc;
    for (const p of parts) x = x?.[p];
    return { value: x, at: parts };
  };
  const compile = (ref) => {
    let validate = cache.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      cache.set(ref, validate);
    }
    return validate;
  };
  // check(o, res, body): `body` is the JSON the request sent, checked against the documented
  // request body, so that the examples prove the request schemas accept real requests.
  return (o, res, body) => {
    const problems = [];
    const request = deref(o.op.requestBody).value;
    if (body !== undefined && request?.content?.['application/json']?.schema) {
      const at = deref(o.op.requestBody).at ?? ['paths', o.path, o.method, 'requestBody'];
      const validateRequest = compile(`openapi.json#/${pointer([...at, 'content', 'application/json', 'schema'])}`);
      if (!validateRequest(body)) {
        problems.push(`the example's request body does not match the documented one: ${ajv.errorsText(validateRequest.errors)}`);
      }
    } else if (body !== undefined) {
      problems.push('sends a JSON body, but no application/json request body is documented');
    }
    const responses = o.op.responses ?? {};
    const status = String(res.status);
    const statusKey = responses[status] ? status : (responses[`${status[0]}XX`] ? `${status[0]}XX` : (responses.default ? 'default' : null));
    if (!statusKey) {
      problems.push(`status ${res.status} is not documented (documented: ${Object.keys(responses).join(', ')}); body ${res.text.slice(0, 200)}`);
      return problems;
    }
    const { value: response, at } = deref(responses[statusKey]);
    const base = at ?? ['paths', o.path, o.method, 'responses', statusKey];
    const content = response?.content;
    if (o.method === 'head' || res.status === 304 || !content) return problems;
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    const mediaKey = content[type] ? type : (content['*/*'] ? '*/*' : null);
    if (!mediaKey) {
      problems.push(`content type ${type} of ${res.status} is not documented (documented: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    if (type !== 'application/json' || !content[mediaKey].schema) return problems;
    const validate = compile(`openapi.json#/${pointer([...base, 'content', mediaKey, 'schema'])}`);
    if (!validate(res.body)) {
      problems.push(`body of ${res.status} does not match its schema: ${ajv.errorsText(validate.errors)}; body ${res.text.slice(0, 300)}`);
    }
    return problems;
  };
}
