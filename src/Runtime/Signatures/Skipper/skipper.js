// Granary isolate bootstrap: the Skipper contract (signature `handler`); see README.md beside this file.

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

// Skipper (Kipper) Node runtime, catch-all route: async (event, context); the result maps to the
// response by the runtime's rules (string -> send; object with truthy statusCode -> envelope; else json).
// Kipper's runtime answers GET /health itself, and POST /event is the event-trigger route: the parsed body
// (Express 4 json: a non-JSON body is {}) with {method, path, headers}, and the result always sent as JSON.
function skipperEvent(fn, meta, request) {
  let event = {};
  if (request.hasBody && JSON_MEDIA_TYPE.test(request.contentType)) event = parseJsonBody(request);
  const context = { method: request.method, path: request.path, headers: request.headers, functionName: meta.name, workspace: meta.workspace, tenant: meta.tenant };
  let result;
  try {
    result = fn(event, context);
  } catch (e) {
    return handlerError(request, e);
  }
  return settle(result, (value) => {
    try { return { response: serializeResponse(createResponse(request.method).json(value || { ok: true })) }; }
    catch (e) { return handlerError(request, e); }
  }, (e) => handlerError(request, e));
}

adapters.handler = (fn, meta) => (request) => {
  if (request.path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
    return { response: serializeResponse(createResponse(request.method).json({ ok: true })), outcome: 'health' };
  }
  if (request.path === '/event' && request.method === 'POST') return skipperEvent(fn, meta, request);
  let event;
  if (!request.hasBody) event = {};
  else if (JSON_MEDIA_TYPE.test(request.contentType)) event = parseJsonBody(request);
  else event = request.text;
  const context = {
    method: request.method,
    path: request.path,
    query: request.query,
    headers: request.headers,
    functionName: meta.name,
    workspace: meta.workspace,
    tenant: meta.tenant,
  };
  let result;
  try {
    result = fn(event, context);
  } catch (e) {
    return handlerError(request, e);
  }
  return settle(result, (value) => handlerResult(request, value), (e) => handlerError(request, e));
};
function handlerResult(request, result) {
  const res = createResponse(request.method);
  try {
    if (typeof result === 'string') res.send(result);
    else if (result && result.statusCode) {
      res.status(result.statusCode);
      if (result.headers && typeof result.headers === 'object') for (const k of _keys(result.headers)) res.set(k, result.headers[k]);
      res.send(result.body || '');
    } else res.json(result || { ok: true });
    return { response: serializeResponse(res) };
  } catch (e) {
    return handlerError(request, e);
  }
}
function handlerError(request, e) {
  writeLog('error', [e]);
  return { response: serializeResponse(createResponse(request.method).status(500).json({ error: e && e.message })), error: e };
}
