// Granary isolate bootstrap: the Custom Code workspace contract (signature `snippets`). The module is the
// workspace's generated file (Granary.Runtime.Signatures.CustomCode.SnippetModule); a request is POST /run/{function} with
// {"parameters": {...}} and the answer {result, logs, duration}, or {error, message, logs, duration}.
// The workspace cache arrives with the request (request.state: key -> value) and the keys the run changed go back
// with the result; cache.incr/decr are atomic, performed by the workspace grain.

function snippetLogs(from) {
  const lines = [];
  for (let i = from; i < logLines.length; i++) {
    const l = logLines[i];
    lines.push({ level: l.level, message: l.message, timestamp: new _Date(l.time).toISOString() });
  }
  return lines;
}

function snippetReply(request, status, body) {
  return { response: serializeResponse(createResponse(request.method).status(status).json(body)) };
}

function notFound(request, name) {
  return snippetReply(request, 404, { error: 'ObjectNotFoundError', message: 'Object not found', details: { path: `/run/${name}` } });
}

const TYPE_CHECKS = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: (v) => v !== null && typeof v === 'object' && !_Array.isArray(v),
  array: (v) => _Array.isArray(v),
  null: (v) => v === null,
};

function makeCache(snapshot, op) {
  const data = _Object.assign(_Object.create(null), snapshot || {});
  const before = new Map();
  for (const key of _keys(data)) before.set(key, _JSON.stringify(data[key]));
  const applied = new Map();
  const atomic = (delta) => (key, by = 1) => {
    const k = _String(key);
    return op('incr', k, Number(by) * delta).then((value) => {
      data[k] = value;
      applied.set(k, _JSON.stringify(value));
      return value;
    });
  };
  const helpers = { incr: atomic(1), decr: atomic(-1) };
  const proxy = new Proxy(data, {
    get: (target, key) => (key === 'incr' || key === 'decr') ? helpers[key] : target[key],
  });
  // What changed, found by comparing values (so nested mutations count): {set: {key: json}, deleted: [key]}.
  const changes = () => {
    const set = {};
    const deleted = [];
    let any = false;
    for (const key of _keys(data)) {
      let json;
      try { json = _JSON.stringify(data[key]); } catch (e) { json = undefined; }
      if (json === undefined) continue;
      if (json !== before.get(key) && json !== applied.get(key)) { set[key] = json; any = true; }
    }
    for (const key of before.keys()) if (!(key in data)) { deleted.push(key); any = true; }
    return any ? _JSON.stringify({ set, deleted }) : undefined;
  };
  return { proxy, changes };
}

function cacheOp(kind, key, by) {
  return hostOperation((id) => host.cacheIncr(id, key, by));
}
function completeCacheOp(id, ok, value) {
  const op = takeHostOperation(id);
  if (!op) return;
  if (ok) op.resolve(_JSON.parse(value)); else op.reject(new _Error(value));
}

adapters.snippets = (module) => (request) => {
  const match = /^\/run\/([^/]+)$/.exec(request.path);
  const name = match ? decodeURIComponent(match[1]) : request.path;
  if (request.method !== 'POST' || !match || !Object.prototype.hasOwnProperty.call(module.specs, name)) return notFound(request, name);
  let body = {};
  if (request.hasBody) {
    try { body = _JSON.parse(request.text); } catch (e) {
      return snippetReply(request, 400, { error: 'RequestValidationError', message: `request/body is not valid JSON: ${e.message}` });
    }
  }
  if (body === null || typeof body !== 'object' || _Array.isArray(body)) {
    return snippetReply(request, 400, { error: 'RequestValidationError', message: 'request/body must be object' });
  }
  const parameters = body.parameters === undefined ? {} : body.parameters;
  if (parameters === null || typeof parameters !== 'object' || _Array.isArray(parameters)) {
    return snippetReply(request, 400, { error: 'RequestValidationError', message: 'request/body/parameters must be object' });
  }
  const spec = module.specs[name];
  for (const param of _keys(spec.types)) {
    if (parameters[param] === undefined) continue;
    const types = spec.types[param];
    if (!types.some((t) => TYPE_CHECKS[t](parameters[param]))) {
      return snippetReply(request, 400, { error: 'RequestValidationError', message: `request/body/parameters/${param} must be ${types.join(',')}` });
    }
  }
  const cache = makeCache(request.state, cacheOp);
  module.setCache(cache.proxy);
  const firstLog = logLines.length;
  const started = host.hrtime();
  const duration = () => Math.round((host.hrtime() - started) * 1000) / 1000;
  const ok = (result) => {
    const out = snippetReply(request, 200, { result, logs: snippetLogs(firstLog), duration: duration() });
    out.changes = cache.changes();
    return out;
  };
  const fail = (e) => {
    writeLog('error', [e]);
    const error = e instanceof _Error ? e.name : 'Error';
    const message = e instanceof _Error ? e.message : _String(e);
    const out = snippetReply(request, 500, { error, message, logs: snippetLogs(firstLog), duration: duration() });
    out.changes = cache.changes();
    out.error = e;
    return out;
  };
  let result;
  try {
    result = module.call(name, parameters);
  } catch (e) {
    return fail(e);
  }
  return settle(result, ok, fail);
};

// A snippets module exports an object (its functions' specs and a caller), not a function.
adapters.snippets.resolve = (exported, name) => (exported && exported[name]) || null;
