// ---------------------------------------------------------------- http, https: clients on the host's HTTP stack under the egress policy
// A ClientRequest is a stream.Writable whose body is gathered and sent when it ends, through fetch's host operations
// (FetchOperations.cs): the egress policy's handler, fetch's limits (requests in flight, body sizes, time), no
// redirects followed (Node's http follows none), and everything aborted when the invocation ends. The response is an
// IncomingMessage, a stream.Readable whose chunks the host reads as the function reads them. The host's HTTP stack
// pools connections itself, so an Agent's options are accepted and have nothing to do; bodies the server compressed
// arrive decompressed (without content-encoding), as the host asks for and undoes gzip, deflate and brotli.
const builtinHttpParts = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  const { Writable, Readable } = builtinStream();
  const EventEmitter = builtinEvents();
  const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR',
    'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE',
    'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];
  const STATUS_CODES = _freeze(_Object.assign(_Object.create(null), STATUS_TEXT, { 418: "I'm a Teapot", 425: 'Too Early', 509: 'Bandwidth Limit Exceeded' }));
  const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
  const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
  // Response headers Node keeps the first of when repeated (the rest are joined with ', ', set-cookie listed).
  const SINGLE_VALUED = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
    'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);
  const validateHeaderName = (name) => {
    if (typeof name !== 'string' || !name || !TOKEN.test(name)) throw nodeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
  };
  const validateHeaderValue = (name, value) => {
    if (value === undefined) throw nodeError(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "${value}" for header "${name}"`);
    if (INVALID_VALUE.test(_String(value))) throw nodeError(TypeError, 'ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
  };

  class Agent extends EventEmitter {
    constructor(options) {
      super();
      this.options = _Object.assign({ path: null }, options);
      this.keepAlive = !!this.options.keepAlive;
      this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
      this.maxSockets = this.options.maxSockets || Infinity;
      this.maxFreeSockets = this.options.maxFreeSockets || 256;
      this.maxTotalSockets = this.options.maxTotalSockets || Infinity;
      this.defaultPort = this.options.defaultPort || 80;
      this.protocol = this.options.protocol || 'http:';
      this.requests = _Object.create(null);
      this.sockets = _Object.create(null);
      this.freeSockets = _Object.create(null);
    }
    getName(options = {}) { return `${options.host || 'localhost'}:${options.port || ''}:${options.localAddress || ''}`; }
    destroy() {}
  }

  // What a request's 'socket' event hands out: the host owns the connection, so this only takes the calls clients make.
  class RequestSocket extends EventEmitter {
    constructor(request) {
      super();
      this._request = request;
      this.connecting = false;
      this.encrypted = request.protocol === 'https:';
      this.remoteAddress = undefined;
      this.remotePort = undefined;
      this.destroyed = false;
    }
    setTimeout(ms, callback) { this._request.setTimeout(ms, callback); return this; }
    setNoDelay() { return this; }
    setKeepAlive() { return this; }
    ref() { return this; }
    unref() { return this; }
    address() { return {}; }
    destroy(err) { this._request.destroy(err); return this; }
    end() { return this; }
  }

  const requestError = (info, request) => {
    const where = `${request.host}:${request.port}`;
    let code = info.code;
    let message;
    if (code === 'EGRESS_DENIED') {
      code = 'ECONNREFUSED';
      message = `connect ECONNREFUSED ${where}: ${info.message}`;
    } else if (code === 'ABORT_ERR') {
      code = 'ECONNRESET';
      message = 'socket hang up';
    } else if (code && /^E[A-Z]+$/.test(code)) {
      message = code === 'ETIMEDOUT' ? info.message : `connect ${code} ${where}`;
    } else {
      message = info.message;
    }
    const e = new _Error(message);
    if (code) e.code = code;
    if (code && code !== 'ECONNRESET' && code.startsWith('E')) { e.syscall = 'connect'; e.address = request.host; e.port = request.port; }
    return e;
  };

  class IncomingMessage extends Readable {
    constructor(request, fetchId, status, headersJson, info) {
      super();
      this.socket = request.socket;
      this.connection = request.socket;
      this.req = request;
      this.httpVersion = '1.1';
      this.httpVersionMajor = 1;
      this.httpVersionMinor = 1;
      this.statusCode = status;
      this.statusMessage = info.statusText || STATUS_CODES[status] || '';
      this.headers = _Object.create(null);
      this.headersDistinct = _Object.create(null);
      this.rawHeaders = [];
      this.trailers = {};
      this.rawTrailers = [];
      this.complete = false;
      this.aborted = false;
      this.url = '';
      this.method = null;
      for (const [name, value] of _JSON.parse(headersJson)) {
        this.rawHeaders.push(name, value);
        (this.headersDistinct[name] || (this.headersDistinct[name] = [])).push(value);
        if (name === 'set-cookie') (this.headers[name] || (this.headers[name] = [])).push(value);
        else if (this.headers[name] === undefined) this.headers[name] = value;
        else if (!SINGLE_VALUED.has(name)) {
          this.headers[name] += `, ${value}`;
        }
      }
      this._fetchId = fetchId;
      this._finished = false;
      this._reading = false;
      if (info.buffered > 0 || info.done) {
        const first = Buffer.allocUnsafe(info.buffered > 0 ? info.buffered : 0);
        host.fetchTake(fetchId, first);
        if (first.length > 0) this.push(first);
      }
      if (info.done) this._end();
    }
    _end() {
      this._finished = true;
      this.complete = true;
      this.push(null);
    }
    _read() {
      if (this._finished || this._reading) return;
      this._reading = true;
      const fetchId = this._fetchId;
      const id = fetchOp((ok, n, _headers, body) => {
        this._reading = false;
        if (!ok) { this._finished = true; this.destroy(requestError(_JSON.parse(body), this.req)); return; }
        if (n > 0 || body === 'done') {
          const chunk = Buffer.allocUnsafe(n > 0 ? n : 0);
          host.fetchTake(fetchId, chunk);
          if (n > 0) this.push(chunk);
        }
        if (body === 'done') this._end();
        else if (n === 0) this._read();
      });
      const problem = host.fetchRead(id, fetchId);
      if (problem !== null && problem !== undefined) {
        forgetFetchOp(id);
        this._reading = false;
        this._finished = true;
        this.destroy(requestError({ code: 'ECONNRESET', message: _String(problem) }, this.req));
      }
    }
    _destroy(err, callback) {
      if (!this._finished) {
        this._finished = true;
        this.aborted = !this.complete;
        host.fetchAbort(this._fetchId);
      }
      callback(err);
    }
    setTimeout(ms, callback) { this.req.setTimeout(ms, callback); return this; }
  }

  const headerList = (headers) => {
    const list = new Map();
    if (!headers) return list;
    if (_Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) list.set(_String(headers[i]).toLowerCase(), [_String(headers[i]), headers[i + 1]]);
      return list;
    }
    for (const name of _keys(headers)) if (headers[name] !== undefined) list.set(name.toLowerCase(), [name, headers[name]]);
    return list;
  };

  class ClientRequest extends Writable {
    constructor(input, options, callback, defaults) {
      // Not destroyed when its body is written: the request lives on until its response ends, as Node's does.
      super({ decodeStrings: true, autoDestroy: false });
      let o = {};
      if (typeof input === 'string' || input instanceof URL) {
        const url = typeof input === 'string' ? new URL(input) : input;
        o = { protocol: url.protocol, hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname, port: url.port, path: `${url.pathname}${url.search}` };
        if (url.username || url.password) o.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      } else if (input && typeof input === 'object') {
        callback = options;
        options = input;
      }
      if (typeof options === 'function') { callback = options; options = undefined; }
      o = _Object.assign(o, options);
      const agent = o.agent && typeof o.agent === 'object' ? o.agent : null;
      this.agent = agent || defaults.globalAgent;
      this.protocol = o.protocol || (agent && agent.protocol) || defaults.protocol;
      if (this.protocol !== defaults.protocol) {
        throw nodeError(TypeError, 'ERR_INVALID_PROTOCOL', `Protocol "${this.protocol}" not supported. Expected "${defaults.protocol}"`);
      }
      this.method = (o.method || 'GET').toUpperCase();
      if (!TOKEN.test(this.method)) throw nodeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `Method must be a valid HTTP token ["${o.method}"]`);
      let hostname = o.hostname || o.host || 'localhost';
      if (!o.hostname && typeof o.host === 'string' && /^[^[]*:\d+$/.test(o.host)) hostname = o.host.slice(0, o.host.lastIndexOf(':'));
      this.host = hostname;
      this.port = _String(o.port || (agent && agent.defaultPort) || o.defaultPort || defaults.port);
      this.path = o.path || '/';
      if (/[\u0000-\u0020]/.test(this.path)) throw nodeError(TypeError, 'ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters');
      this._headers = headerList(o.headers);
      if (o.auth && !this._headers.has('authorization')) this._headers.set('authorization', ['Authorization', `Basic ${Buffer.from(o.auth).toString('base64')}`]);
      this._chunks = [];
      this._size = 0;
      this._fetchId = 0;
      this._timer = null;
      this._timeoutMs = 0;
      this.aborted = false;
      this.headersSent = false;
      this.reusedSocket = false;
      this.maxHeadersCount = null;
      this.res = null;
      this.socket = new RequestSocket(this);
      this.connection = this.socket;
      if (typeof callback === 'function') this.once('response', callback);
      if (o.timeout) this.setTimeout(o.timeout);
      if (o.signal) {
        const signal = o.signal;
        if (signal.aborted) nextTick(() => this.destroy(abortError(signal)));
        else signal.addEventListener('abort', () => this.destroy(abortError(signal)), { once: true });
      }
      nextTick(() => { if (!this.destroyed) this.emit('socket', this.socket); });
    }
    _url() {
      const hostPart = this.host.includes(':') ? `[${this.host}]` : this.host;
      return `${this.protocol}//${hostPart}:${this.port}${this.path}`;
    }
    setHeader(name, value) {
      if (this.headersSent) throw nodeError(_Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
      validateHeaderName(name);
      validateHeaderValue(name, value);
      this._headers.set(name.toLowerCase(), [name, value]);
      return this;
    }
    appendHeader(name, value) {
      const current = this.getHeader(name);
      if (current === undefined) return this.setHeader(name, value);
      return this.setHeader(name, [].concat(current, value));
    }
    getHeader(name) { const h = this._headers.get(_String(name).toLowerCase()); return h ? h[1] : undefined; }
    hasHeader(name) { return this._headers.has(_String(name).toLowerCase()); }
    removeHeader(name) {
      if (this.headersSent) throw nodeError(_Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
      this._headers.delete(_String(name).toLowerCase());
    }
    getHeaders() { const out = _Object.create(null); for (const [key, [, value]] of this._headers) out[key] = value; return out; }
    getHeaderNames() { return [...this._headers.keys()]; }
    getRawHeaderNames() { return [...this._headers.values()].map(([name]) => name); }
    flushHeaders() {}
    setNoDelay() {}
    setSocketKeepAlive() {}
    setTimeout(ms, callback) {
      if (typeof callback === 'function') this.once('timeout', callback);
      this._timeoutMs = ms > 0 ? ms : 0;
      this._armTimer();
      return this;
    }
    _armTimer() {
      if (this._timer) { clearTimeout(this._timer); this._timer = null; }
      if (this._timeoutMs > 0 && !this.destroyed && !(this.res && this.res.complete)) {
        this._timer = setTimeout(() => { this._timer = null; this.emit('timeout'); this.socket.emit('timeout'); }, this._timeoutMs);
      }
    }
    _write(chunk, encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
      this._chunks.push(bytes);
      this._size += bytes.length;
      callback();
    }
    _final(callback) {
      this._send();
      callback();
    }
    _send() {
      if (this.destroyed) return;
      this.headersSent = true;
      const pairs = [];
      for (const [, [name, value]] of this._headers) {
        if (_Array.isArray(value)) for (const v of value) pairs.push([name, _String(v)]);
        else pairs.push([name, _String(value)]);
      }
      let body = null;
      if (this._size > 0) {
        body = new _Uint8Array(this._size);
        let at = 0;
        for (const c of this._chunks) { body.set(c, at); at += c.length; }
      }
      this._chunks = [];
      const id = fetchOp((ok, status, headersJson, infoJson) => this._answered(ok, status, headersJson, infoJson));
      let started;
      try {
        started = host.fetchStart(id, this.method, this._url(), _JSON.stringify(pairs), body, 'manual');
      } catch (e) {
        started = _String(e && e.message ? e.message : e);
      }
      if (typeof started === 'string') {
        forgetFetchOp(id);
        nextTick(() => this.destroy(requestError({ message: started }, this)));
        return;
      }
      noteFetchInvocation(started, id);
      this._fetchId = id;
    }
    _answered(ok, status, headersJson, infoJson) {
      const info = _JSON.parse(infoJson);
      if (!ok) { this._fetchId = 0; this.destroy(requestError(info, this)); return; }
      if (this.destroyed) { host.fetchAbort(this._fetchId); return; }
      const res = new IncomingMessage(this, this._fetchId, status, headersJson, info);
      this.res = res;
      res.once('end', () => { if (this._timer) { clearTimeout(this._timer); this._timer = null; } });
      res.once('close', () => { nextTick(() => { if (!this.destroyed) this.destroy(); }); });
      this._armTimer();
      if (!this.emit('response', res)) res.resume();
    }
    abort() {
      if (this.aborted) return;
      this.aborted = true;
      nextTick(() => this.emit('abort'));
      this.destroy();
    }
    _destroy(err, callback) {
      if (this._timer) { clearTimeout(this._timer); this._timer = null; }
      if (this.res && !this.res.destroyed && !this.res.complete) this.res.destroy(err || undefined);
      else if (this._fetchId && !this.res) host.fetchAbort(this._fetchId);
      // Destroyed before its response arrived: Node reports the hung-up socket (unless the request was aborted).
      if (!err && !this.res && !this.aborted) err = requestError({ code: 'ABORT_ERR' }, this);
      callback(err);
    }
  }
  const abortError = (signal) => {
    const e = new _Error('The operation was aborted', { cause: signal.reason });
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    return e;
  };

  const makeModule = (defaults) => {
    defaults.globalAgent = new Agent({ keepAlive: true, protocol: defaults.protocol, defaultPort: defaults.port });
    const request = (input, options, callback) => new ClientRequest(input, options, callback, defaults);
    const get = (input, options, callback) => {
      const req = request(input, options, callback);
      req.end();
      return req;
    };
    const notAvailable = () => {
      throw nodeError(_Error, 'ERR_NOT_AVAILABLE', `${defaults.protocol.slice(0, -1)}.createServer is not available in Granary's isolate runtime: a function answers through its handler (module.exports); deploy with "isolation": "process" for a server of its own`);
    };
    return {
      Agent, ClientRequest, IncomingMessage, METHODS, STATUS_CODES, globalAgent: defaults.globalAgent, request, get,
      createServer: notAvailable, Server: function Server() { notAvailable(); }, OutgoingMessage: Writable, ServerResponse: function ServerResponse() { notAvailable(); },
      validateHeaderName, validateHeaderValue, maxHeaderSize: 16384, setMaxIdleHTTPParsers: () => {},
    };
  };
  return { makeModule, Agent };
});
const builtinHttp = builtinOnce(() => _freeze(builtinHttpParts().makeModule({ protocol: 'http:', port: 80 })));
