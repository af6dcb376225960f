// Granary isolate bootstrap, part 4: the request and response objects adapters hand to functions.
// The response follows Express 4 (what Skipper's and Kyma's Node runtimes use): res.send picks the
// content type from the body, res.set adds charset=utf-8 to text and JSON types, 204/304 drop the body.

const MIME_BY_EXTENSION = {
  html: 'text/html', htm: 'text/html', txt: 'text/plain', text: 'text/plain', css: 'text/css', csv: 'text/csv',
  js: 'application/javascript', mjs: 'application/javascript', json: 'application/json', xml: 'application/xml',
  bin: 'application/octet-stream', pdf: 'application/pdf', zip: 'application/zip', form: 'application/x-www-form-urlencoded',
  urlencoded: 'application/x-www-form-urlencoded', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  svg: 'image/svg+xml', ico: 'image/x-icon', webp: 'image/webp', md: 'text/markdown', yaml: 'text/yaml', yml: 'text/yaml',
  wasm: 'application/wasm', mp3: 'audio/mpeg', mp4: 'video/mp4', ndjson: 'application/x-ndjson',
};
const STATUS_TEXT = {
  100: 'Continue', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict',
  410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 418: "I'm a Teapot", 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function lookupMime(type) {
  const t = _String(type);
  if (t.includes('/')) return t;
  return MIME_BY_EXTENSION[t.replace(/^\./, '').toLowerCase()] || 'application/octet-stream';
}
// Express 4 / mime 1: text/*, application/javascript and application/json carry charset=utf-8.
function withCharset(value) {
  if (/;\s*charset\s*=/i.test(value)) return value;
  const base = value.split(';')[0].trim().toLowerCase();
  return /^text\/|^application\/(javascript|json)$/.test(base) ? value + '; charset=utf-8' : value;
}
function setCharset(type, charset) {
  const parts = type.split(';').map(s => s.trim()).filter(s => s && !/^charset\s*=/i.test(s));
  return parts.concat(['charset=' + charset]).join('; ');
}

function parseQuery(qs) {
  const query = {};
  if (!qs) return query;
  for (const part of qs.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = formDecode(eq >= 0 ? part.slice(0, eq) : part);
    const v = formDecode(eq >= 0 ? part.slice(eq + 1) : '');
    if (Object.prototype.hasOwnProperty.call(query, k)) {
      if (_Array.isArray(query[k])) query[k].push(v); else query[k] = [query[k], v];
    } else query[k] = v;
  }
  return query;
}

const mediaType = (contentType) => (contentType || '').split(';')[0].trim().toLowerCase();

// The request as the host delivers it: {method, path, query, headers: [[name, value]], body, encoding, event?, state?}
// (the wire format: 50-module.js).
// A class rather than an object literal: prototype getters cost nothing per request, literal ones do.
class HostRequest {
  constructor(raw) {
    const headers = {};
    const rawHeaders = [];
    const h = raw.headers;
    for (let i = 0; i < h.length; i++) {
      const name = h[i][0], value = h[i][1];
      const key = name.toLowerCase();
      rawHeaders.push(name, value);
      if (key === 'set-cookie') (headers[key] = headers[key] || []).push(value);
      else if (headers[key] !== undefined) headers[key] += (key === 'cookie' ? '; ' : ', ') + value;
      else headers[key] = value;
    }
    this.method = raw.method;
    this.path = raw.path;
    this.search = raw.query;
    this.url = raw.path + raw.query;
    this.headers = headers;
    this.rawHeaders = rawHeaders;
    this.contentType = mediaType(headers['content-type']);
    this.hasBody = !!raw.body;
    this.event = raw.event;
    this.state = raw.state;
    this._raw = raw;
    this._query = undefined;
    this._bytes = null;
  }
  get query() {
    if (this._query === undefined) this._query = parseQuery(this.search);
    return this._query;
  }
  get text() { return this._raw.encoding === 'base64' ? utf8Decode(this.bytes, false) : (this._raw.body || ''); }
  get bytes() {
    if (this._bytes === null) this._bytes = this._raw.encoding === 'base64' ? Buffer._wrap(base64Decode(this._raw.body)) : Buffer.from(this._raw.body || '');
    return this._bytes;
  }
}
const makeRequest = (raw) => new HostRequest(raw);

class BadRequest extends _Error {
  constructor(title, detail) { super(detail); this.title = title; }
}
function parseJsonBody(request) {
  try { return _JSON.parse(request.text); }
  catch (e) { throw new BadRequest('Malformed JSON body', `The request body is not valid JSON: ${e.message}`); }
}

// An Express-style request object (Kyma's event.extensions.request).
class ExpressRequest {
  constructor(request, body) {
    this._request = request;
    this.method = request.method;
    this.url = request.url;
    this.originalUrl = request.url;
    this.path = request.path;
    this.query = request.query;
    this.headers = request.headers;
    this.rawHeaders = request.rawHeaders;
    this.params = {};
    this.body = body;
  }
  get rawBody() { return this._request.bytes; }
  get hostname() { return (this.headers['x-forwarded-host'] || this.headers.host || '').split(',')[0].trim().replace(/:\d+$/, ''); }
  get protocol() { return (this.headers['x-forwarded-proto'] || 'http').split(',')[0].trim(); }
  get secure() { return this.protocol === 'https'; }
  get ip() { return (this.headers['x-forwarded-for'] || '').split(',')[0].trim(); }
  get xhr() { return (this.headers['x-requested-with'] || '').toLowerCase() === 'xmlhttprequest'; }
  get(name) {
    const key = _String(name).toLowerCase();
    if (key === 'referer' || key === 'referrer') return this.headers.referer || this.headers.referrer;
    return this.headers[key];
  }
  header(name) { return this.get(name); }
  is(type) {
    const ct = this._request.contentType;
    if (!ct) return false;
    const want = lookupMime(type).toLowerCase();
    if (want.endsWith('/*')) return ct.startsWith(want.slice(0, -1)) ? ct : false;
    return ct === want ? ct : false;
  }
}
const expressRequest = (request, body) => new ExpressRequest(request, body);

// An Express 4 style response that records what the function does.
class ExpressResponse {
  constructor(method) {
    this._method = method;
    this._fields = new Map(); // lowercased name -> [name, value | value[]]
    this._chunks = [];
    this.statusCode = 200;
    this.statusMessage = '';
    this.locals = {};
    this.headersSent = false;
    this.writableEnded = false;
    this.finished = false;
    this._onEnd = null;
  }
  status(code) { this.statusCode = code; return this; }
  set(field, value) {
    if (typeof field === 'object' && field !== null) { for (const k of _keys(field)) this.set(k, field[k]); return this; }
    let v = _Array.isArray(value) ? value.map(_String) : _String(value);
    const name = _String(field);
    const key = name.toLowerCase();
    if (key === 'content-type') {
      if (_Array.isArray(v)) throw new TypeError('Content-Type cannot be set to an Array');
      v = withCharset(v);
    }
    this._fields.set(key, [name, v]);
    return this;
  }
  header(field, value) { return this.set(field, value); }
  setHeader(name, value) { this._fields.set(_String(name).toLowerCase(), [_String(name), _Array.isArray(value) ? value.map(_String) : _String(value)]); return this; }
  get(field) { const f = this._fields.get(_String(field).toLowerCase()); return f ? f[1] : undefined; }
  getHeader(name) { return this.get(name); }
  getHeaders() { const o = {}; for (const [k, [, v]] of this._fields) o[k] = v; return o; }
  getHeaderNames() { return _Array.from(this._fields.keys()); }
  hasHeader(name) { return this._fields.has(_String(name).toLowerCase()); }
  removeHeader(name) { this._fields.delete(_String(name).toLowerCase()); }
  append(field, value) {
    const prev = this.get(field);
    const add = _Array.isArray(value) ? value : [value];
    return this.set(field, prev === undefined ? value : [].concat(prev, add));
  }
  type(type) { return this.set('Content-Type', lookupMime(type)); }
  contentType(type) { return this.type(type); }
  location(url) { return this.set('Location', url); }
  redirect(a, b) {
    const [code, url] = typeof a === 'number' ? [a, b] : [302, a];
    this.location(url);
    this.statusCode = code;
    return this.type('txt').send(`${STATUS_TEXT[code] || 'Found'}. Redirecting to ${url}`);
  }
  vary(field) { return this.append('Vary', field); }
  links(links) { return this.set('Link', _keys(links).map(rel => `<${links[rel]}>; rel="${rel}"`).join(', ')); }
  cookie(name, value, options = {}) {
    let c = `${name}=${encodeURIComponent(typeof value === 'object' ? 'j:' + _JSON.stringify(value) : _String(value))}`;
    if (options.maxAge !== undefined) c += `; Max-Age=${Math.floor(options.maxAge / 1000)}`;
    c += `; Path=${options.path || '/'}`;
    if (options.domain) c += `; Domain=${options.domain}`;
    if (options.expires) c += `; Expires=${new _Date(options.expires).toUTCString()}`;
    if (options.httpOnly) c += '; HttpOnly';
    if (options.secure) c += '; Secure';
    if (options.sameSite) c += `; SameSite=${options.sameSite === true ? 'Strict' : options.sameSite}`;
    return this.append('Set-Cookie', c);
  }
  clearCookie(name, options = {}) { return this.cookie(name, '', _Object.assign({}, options, { expires: new _Date(1) })); }
  json(obj) {
    const body = _JSON.stringify(obj);
    if (!this._fields.has('content-type')) this._fields.set('content-type', ['Content-Type', 'application/json; charset=utf-8']);
    return this.send(body === undefined ? '' : body);
  }
  jsonp(obj) { return this.json(obj); }
  send(body) {
    let chunk = body;
    switch (typeof chunk) {
      case 'string': {
        const type = this.get('Content-Type');
        if (type === undefined) this._fields.set('content-type', ['Content-Type', 'text/html; charset=utf-8']);
        else if (!/; charset=utf-8$/.test(type)) this.set('Content-Type', setCharset(type, 'utf-8'));
        break;
      }
      case 'boolean': case 'number': case 'object':
        if (chunk === null) chunk = '';
        else if (chunk instanceof _Uint8Array) { if (!this.get('Content-Type')) this.type('bin'); }
        else return this.json(chunk);
        break;
    }
    if (this.statusCode === 204 || this.statusCode === 304) {
      this.removeHeader('Content-Type');
      this.removeHeader('Content-Length');
      this.removeHeader('Transfer-Encoding');
      chunk = '';
    }
    if (this._method === 'HEAD') chunk = undefined;
    return this.end(chunk);
  }
  sendStatus(code) {
    this.statusCode = code;
    this.type('txt');
    return this.send(STATUS_TEXT[code] || _String(code));
  }
  write(chunk, encoding) {
    if (this.writableEnded) throw new _Error('write after end');
    if (typeof chunk === 'string') this._chunks.push(encoding && normalizeEncoding(encoding) !== 'utf8' ? Buffer.from(chunk, encoding) : chunk);
    else if (chunk instanceof _Uint8Array) this._chunks.push(chunk);
    else throw new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ' + inspect(chunk, 0));
    this.headersSent = true;
    return true;
  }
  writeHead(code, message, headers) {
    this.statusCode = code;
    const h = typeof message === 'object' ? message : headers;
    if (typeof message === 'string') this.statusMessage = message;
    if (h) for (const k of _keys(h)) this.setHeader(k, h[k]);
    this.headersSent = true;
    return this;
  }
  end(chunk, encoding) {
    if (this.writableEnded) return this;
    if (typeof chunk === 'function') chunk = undefined;
    if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    this.writableEnded = true;
    this.finished = true;
    this.headersSent = true;
    if (this._onEnd !== null) this._onEnd();
    return this;
  }
}
const createResponse = (method) => new ExpressResponse(method);

// Turns a response into what the host reads: {status, headers: [[name, value]], body, encoding}.
function serializeResponse(res) {
  const status = Number(res.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`Invalid status code: ${inspect(res.statusCode, 0)}`);
  const headers = [];
  for (const [, [name, value]] of res._fields) {
    if (_Array.isArray(value)) for (const v of value) headers.push([name, v]); else headers.push([name, value]);
  }
  const chunks = res._chunks;
  let body = '', encoding = 'utf8';
  if (chunks.length && chunks.every(c => typeof c === 'string')) body = chunks.join('');
  else if (chunks.length) {
    const parts = chunks.map(c => typeof c === 'string' ? utf8Encode(c) : c);
    const all = new _Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    body = base64Encode(all);
    encoding = 'base64';
  }
  return { status, headers, body, encoding };
}

function problem(status, title, detail) {
  const res = createResponse('GET');
  res.status(status).set('Content-Type', 'application/problem+json');
  res.end(_JSON.stringify({ type: 'about:blank', title, status, detail }));
  return res;
}
