// Granary isolate bootstrap, part 6: the Functions Framework signatures (http, cloudevent, event), as the
// Node.js framework (functions-framework-nodejs v5) answers. The host has already parsed CloudEvents with the
// CloudEvents SDK and converted legacy events: a cloudevent function gets request.event = the CloudEvent in
// structured form, an event function gets request.event = {data, context}.

const GOOGLE_STATUS = 'X-Google-Status';
const ignoredPath = (path) => /^\/(robots\.txt|favicon\.ico)(\/|$)/.test(path);

// The Node framework's body parsers: JSON (strict: an object or array), text/plain, urlencoded, else raw bytes.
function ffBody(request) {
  if (!request.hasBody) return undefined;
  const ct = request.contentType;
  if (ct === 'application/json' || ct === 'application/cloudevents+json') {
    const value = parseJsonBody(request);
    if (value === null || typeof value !== 'object') {
      throw new BadRequest('Malformed JSON body', 'The JSON body must be an object or an array.');
    }
    return value;
  }
  if (ct === 'text/plain') return request.text;
  if (ct === 'application/x-www-form-urlencoded') return parseQuery(request.text);
  return request.bytes;
}

adapters.http = (fn) => (request) => {
  const res = createResponse(request.method);
  if (ignoredPath(request.path)) {
    res.status(404).end();
    return { response: serializeResponse(res), outcome: 'ignored' };
  }
  const body = ffBody(request);
  const req = expressRequest(request, body);
  req.executionId = request.headers['function-execution-id'];
  const crash = (e) => {
    writeLog('error', [e]);
    if (!res.headersSent) {
      res.set(GOOGLE_STATUS, 'crash').status(500).send(_String((e && e.message) || e));
    } else if (!res.writableEnded) {
      res.end();
    }
    return { response: serializeResponse(res), error: e };
  };
  let result;
  try {
    result = fn(req, res);
  } catch (e) {
    return crash(e);
  }
  // The function is done when its response is; a rejected promise before that is a crash.
  if (result instanceof _Promise) {
    const state = _promiseState(result);
    if (state === 2) { result.catch(() => {}); if (!res.writableEnded) return crash(_promiseResult(result)); }
  }
  if (res.writableEnded) return { response: serializeResponse(res) };
  return new _Promise((resolve) => {
    res._onEnd = () => resolve({ response: serializeResponse(res) });
    if (result instanceof _Promise) result.then(null, (e) => { if (!res.writableEnded) resolve(crash(e)); });
  });
};

// What an event or CloudEvent function's result becomes (sendResponse in function_wrappers.ts).
function eventResult(request, value) {
  const res = createResponse(request.method);
  try {
    if (value === undefined || value === null) res.status(204).end();
    else if (typeof value === 'number') res.json(value);
    else res.send(value);
    return { response: serializeResponse(res) };
  } catch (e) {
    writeLog('error', ['The function result could not be serialized:', e]);
    return { response: serializeResponse(createResponse(request.method).status(204)) };
  }
}
function eventError(request, e) {
  writeLog('error', [e]);
  const res = createResponse(request.method).set(GOOGLE_STATUS, 'error').status(500);
  res.send(_String((e && e.message) || e));
  return { response: serializeResponse(res), error: e };
}
// Promise style (a function with up to `arity` parameters) or callback style (one more: callback(err, result)).
function callEvent(request, fn, args, arity) {
  if (fn.length > arity) {
    return new _Promise((resolve) => {
      let called = false;
      const callback = (err, value) => {
        if (called) { writeLog('warn', ['Ignoring extra callback call']); return; }
        called = true;
        resolve(err ? eventError(request, err) : eventResult(request, value));
      };
      try { fn(...args, callback); } catch (e) { if (!called) { called = true; resolve(eventError(request, e)); } }
    });
  }
  let result;
  try {
    result = fn(...args);
  } catch (e) {
    return eventError(request, e);
  }
  return settle(result, (value) => eventResult(request, value), (e) => eventError(request, e));
}

function toCloudEvent(structured) {
  const ce = _Object.assign({}, structured);
  if (ce.data_base64 !== undefined) {
    ce.data = Buffer.from(ce.data_base64, 'base64');
    delete ce.data_base64;
  }
  return ce;
}

adapters.cloudevent = (fn) => (request) => callEvent(request, fn, [toCloudEvent(request.event)], 1);

adapters.event = (fn) => (request) => {
  const legacy = request.event;
  return callEvent(request, fn, [legacy.data, legacy.context], 2);
};
