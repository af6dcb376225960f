// Granary isolate bootstrap: the Kyma contract (signature `kyma`); see README.md beside this file.


// event.tracer: a tracer with the OpenTelemetry API shape. Kyma's runtime makes the function's spans children of the
// incoming request's span (its http instrumentation continues the traceparent); here a span carries the invocation's
// trace (the traceparent the host hands the function: the span it runs in) with a span id of its own, so the trace id a
// function reads or logs is the one its invocation record and Granary's spans carry. Its spans are not recorded or
// exported (isRecording() is false).
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
function kymaSpan(traceId, traceFlags) {
  const context = _freeze({ traceId, spanId: randomUUID().replace(/-/g, '').slice(0, 16), traceFlags });
  return _freeze({
    end() {}, setAttribute() { return this; }, setAttributes() { return this; }, addEvent() { return this; },
    setStatus() { return this; }, updateName() { return this; }, recordException() {}, isRecording() { return false; },
    spanContext() { return context; },
  });
}
function kymaTracer(request) {
  const m = TRACEPARENT.exec(request.headers.traceparent || '');
  const traceId = m ? m[1] : '00000000000000000000000000000000';
  const traceFlags = m && '13579bdf'.indexOf(m[3][1]) >= 0 ? 1 : 0;
  const startSpan = () => kymaSpan(traceId, traceFlags);
  return _freeze({
    startSpan,
    startActiveSpan(name, a, b, c) { const fn = [a, b, c].find(x => typeof x === 'function'); return fn ? fn(startSpan()) : undefined; },
  });
}

// Kyma's Node runtime (server.mjs, lib/ce.js, lib/helper.js): main(event, context[, callback]).
const KYMA_CE_FIELDS = ['ce-type', 'ce-source', 'ce-eventtypeversion', 'ce-specversion', 'ce-id', 'ce-time'];
function kymaData(request) {
  if (!request.hasBody || request.contentType.startsWith('multipart/')) return undefined;
  const ct = request.contentType;
  if (ct === 'application/json' || ct === 'application/cloudevents+json') return parseJsonBody(request);
  if (ct.startsWith('text/')) return request.text;
  if (ct === 'application/x-www-form-urlencoded') return parseQuery(request.text);
  return request.bytes;
}
// The CloudEvent fields Kyma puts on the event; the host parsed the CloudEvent (binary or structured) with the
// CloudEvents SDK and handed it over as request.event.
function kymaCloudEvent(request) {
  const ce = request.event;
  if (!ce) return null;
  const out = {
    'ce-type': ce.type, 'ce-source': ce.source, 'ce-eventtypeversion': ce.eventtypeversion, 'ce-specversion': ce.specversion,
    'ce-id': ce.id, 'ce-time': ce.time, 'ce-datacontenttype': ce.datacontenttype,
  };
  out.data = ce.data_base64 !== undefined ? Buffer.from(ce.data_base64, 'base64') : ce.data;
  return out;
}

// emitCloudEvent and publishCloudEvent POST to the Kyma eventing publisher proxy. Its address is the platform's
// (Granary:JavaScript:PublisherProxyAddress), never the function's: a PUBLISHER_PROXY_ADDRESS in the function's own
// env would let it point Granary's trusted publisher client anywhere. Made once per load, not per request.
function kymaPublisher(meta) {
  const publishCloudEvent = (ce) => {
    const address = meta.publisherProxyAddress;
    if (!address) throw new _Error('No event publisher is configured: the operator sets Granary:JavaScript:PublisherProxyAddress (a PUBLISHER_PROXY_ADDRESS in the function\'s env is not used).');
    return httpPost(address, { 'Content-Type': 'application/cloudevents+json; charset=utf-8' }, _JSON.stringify(ce));
  };
  const emitCloudEvent = (type, source, data, optional) => {
    const ce = {
      id: randomUUID(), time: new _Date().toISOString(), type, source, specversion: '1.0',
      datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json', data,
    };
    if (optional && typeof optional === 'object') _Object.assign(ce, optional);
    return publishCloudEvent(ce);
  };
  return { publishCloudEvent, emitCloudEvent };
}

adapters.kyma = (fn, meta) => {
  const publisher = kymaPublisher(meta);
  return (request) => kymaInvoke(fn, meta, publisher, request);
};
function kymaInvoke(fn, meta, publisher, request) {
  const res = createResponse(request.method);
  res.set('Access-Control-Allow-Origin', '*');
  if (request.method === 'OPTIONS') {
    res.status(200);
    if (request.headers['access-control-request-method']) res.set('Access-Control-Allow-Methods', request.headers['access-control-request-method']);
    if (request.headers['access-control-request-headers']) res.set('Access-Control-Allow-Headers', request.headers['access-control-request-headers']);
    res.end();
    return { response: serializeResponse(res), outcome: 'preflight' };
  }
  // server.mjs answers these itself. Kyma's favicon route never ends its 204 (the client waits for the 408):
  // Granary sends the 204 it meant to.
  if (request.method === 'GET' && request.path === '/healthz') {
    res.type('html').end('OK');
    return { response: serializeResponse(res), outcome: 'health' };
  }
  if (request.method === 'GET' && request.path === '/favicon.ico') {
    res.status(204).end();
    return { response: serializeResponse(res), outcome: 'health' };
  }
  const data = kymaData(request);
  const req = expressRequest(request, data);
  const event = {
    tracer: kymaTracer(request),
    extensions: { request: req, response: res },
    setResponseHeader: (k, v) => res.set(k, v),
    setResponseContentType: (t) => res.type(t),
    setResponseStatus: (s) => res.status(s),
    publishCloudEvent: publisher.publishCloudEvent,
    buildResponseCloudEvent: (id, type, data) => ({
      type, source: request.headers['ce-source'], eventtypeversion: request.headers['ce-eventtypeversion'],
      specversion: request.headers['ce-specversion'], id, data, datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json',
    }),
    emitCloudEvent: publisher.emitCloudEvent,
  };
  const ce = kymaCloudEvent(request);
  if (ce) _Object.assign(event, ce);
  else if (data !== undefined) event.data = data;
  const context = {
    'function-name': meta.name,
    runtime: meta.runtime,
    namespace: meta.workspace,
    timeout: meta.timeoutSeconds,
    'body-size-limit': meta.bodySizeLimitMb,
    'memory-limit': `${meta.memoryLimitMb}Mi`,
  };
  // sendResponse (server.mjs): also handed to the function as its third argument.
  const sendResponse = (body, status, headers) => {
    if (res.writableEnded) return;
    if (headers) for (const k of _keys(headers)) res.set(k, headers[k]);
    if (status) res.status(status);
    if (body) {
      if (typeof body === 'object') res.json(body);
      else res.end(body);
    } else res.end();
  };
  const fail = (e) => {
    writeLog('error', [e]);
    const out = createResponse(request.method).set('Access-Control-Allow-Origin', '*').status(500);
    out.end(typeof e === 'string' ? e : 'Internal server error');
    return { response: serializeResponse(out), error: e };
  };
  const finish = (body) => {
    try {
      sendResponse(body);
      return { response: serializeResponse(res) };
    } catch (e) {
      return fail(e);
    }
  };
  let body;
  try {
    body = fn(event, context, sendResponse);
  } catch (e) {
    return fail(e);
  }
  return settle(body, finish, fail);
}
