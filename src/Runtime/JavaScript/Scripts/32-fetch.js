// Granary isolate bootstrap: WHATWG fetch as Node 18+ has it (fetch, Headers, Request, Response, AbortController,
// AbortSignal, Event, EventTarget, DOMException, Blob, File, FormData, a ReadableStream for bodies).
// The host makes the requests (FetchOperations.cs) under Granary's egress policy; a response body arrives in chunks,
// read from the host only as the function reads it. Fetches belong to the invocation that made them: when it ends the
// host aborts them and drops their completions, so a promise of an earlier invocation never settles in a later one.
// Nothing here runs per invocation: a function that never fetches pays only for parsing this file.

const fetchSetTimeout = globalThis.setTimeout;
const fetchClearTimeout = globalThis.clearTimeout;
const EMPTY_BYTES = new _Uint8Array(0);
const kCreate = _Symbol('create');

// ---------------------------------------------------------------- DOMException, Event, EventTarget
const DOM_CODES = { IndexSizeError: 1, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12, InvalidAccessError: 15, TimeoutError: 23, DataCloneError: 25, AbortError: 20 };
class DOMException extends _Error {
  constructor(message = '', name = 'Error') {
    super(_String(message));
    _defineProperty(this, 'name', { value: _String(name), writable: true, configurable: true, enumerable: false });
  }
  get code() { return DOM_CODES[this.name] || 0; }
}
const abortError = () => new DOMException('This operation was aborted', 'AbortError');

class Event {
  constructor(type, init) {
    if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
    this._type = _String(type);
    this._cancelable = !!(init && init.cancelable);
    this._bubbles = !!(init && init.bubbles);
    this._defaultPrevented = false;
    this._target = null;
    this._current = null;
    this._stop = false;
    this._timeStamp = host.hrtime();
  }
  get type() { return this._type; }
  get bubbles() { return this._bubbles; }
  get cancelable() { return this._cancelable; }
  get defaultPrevented() { return this._defaultPrevented; }
  get target() { return this._target; }
  get currentTarget() { return this._current; }
  get srcElement() { return this._target; }
  get timeStamp() { return this._timeStamp; }
  get isTrusted() { return false; }
  get eventPhase() { return this._current ? 2 : 0; }
  composedPath() { return this._current ? [this._current] : []; }
  preventDefault() { if (this._cancelable) this._defaultPrevented = true; }
  stopPropagation() {}
  stopImmediatePropagation() { this._stop = true; }
}

class EventTarget {
  constructor() { _defineProperty(this, '_listeners', { value: new Map(), writable: false, enumerable: false }); }
  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const once = !!(options && typeof options === 'object' && options.once);
    const signal = options && typeof options === 'object' ? options.signal : undefined;
    if (signal && signal.aborted) return;
    const key = _String(type);
    let list = this._listeners.get(key);
    if (!list) this._listeners.set(key, list = []);
    if (list.some(l => l.listener === listener)) return;
    list.push({ listener, once });
    if (signal) signal.addEventListener('abort', () => this.removeEventListener(key, listener), { once: true });
  }
  removeEventListener(type, listener) {
    const list = this._listeners.get(_String(type));
    if (!list) return;
    const i = list.findIndex(l => l.listener === listener);
    if (i >= 0) list.splice(i, 1);
  }
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event');
    event._target = event._target || this;
    event._current = this;
    const list = this._listeners.get(event.type);
    if (list) {
      for (const entry of list.slice()) {
        if (entry.once) this.removeEventListener(event.type, entry.listener);
        try {
          if (typeof entry.listener === 'function') entry.listener.call(this, event);
          else if (entry.listener && typeof entry.listener.handleEvent === 'function') entry.listener.handleEvent(event);
        } catch (e) { reportUncaught(e); }
        if (event._stop) break;
      }
    }
    event._current = null;
    return !event._defaultPrevented;
  }
}

// ---------------------------------------------------------------- AbortController, AbortSignal
class AbortSignal extends EventTarget {
  constructor(key) {
    if (key !== kCreate) throw new TypeError('Illegal constructor');
    super();
    this._aborted = false;
    this._reason = undefined;
    this.onabort = null;
  }
  get aborted() { return this._aborted; }
  get reason() { return this._reason; }
  throwIfAborted() { if (this._aborted) throw this._reason; }
  static abort(reason) {
    const signal = new AbortSignal(kCreate);
    signal._aborted = true;
    signal._reason = reason === undefined ? abortError() : reason;
    return signal;
  }
  static timeout(ms) {
    const delay = Number(ms);
    if (!(delay >= 0)) throw new RangeError(`The value of "delay" is out of range. It must be >= 0. Received ${ms}`);
    const signal = new AbortSignal(kCreate);
    fetchSetTimeout(() => abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), delay);
    return signal;
  }
  static any(signals) {
    const signal = new AbortSignal(kCreate);
    for (const s of signals) {
      if (s.aborted) { signal._aborted = true; signal._reason = s.reason; return signal; }
    }
    for (const s of signals) s.addEventListener('abort', () => abortSignal(signal, s.reason), { once: true });
    return signal;
  }
}
function abortSignal(signal, reason) {
  if (signal._aborted) return;
  signal._aborted = true;
  signal._reason = reason === undefined ? abortError() : reason;
  const event = new Event('abort');
  if (typeof signal.onabort === 'function') {
    try { signal.onabort.call(signal, event); } catch (e) { reportUncaught(e); }
  }
  signal.dispatchEvent(event);
}
class AbortController {
  constructor() { this._signal = new AbortSignal(kCreate); }
  get signal() { return this._signal; }
  abort(reason) { abortSignal(this._signal, reason); }
}

// ---------------------------------------------------------------- bytes helpers
function toBytes(value) {
  if (value instanceof ArrayBuffer) return new _Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new _Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return utf8Encode(_String(value));
}
function concatBytes(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  const out = new _Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.length; }
  return out;
}
const bytesToText = (bytes) => utf8Decode(bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes, false);
const bytesToArrayBuffer = (bytes) => bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

// ---------------------------------------------------------------- Blob, File, FormData
class Blob {
  constructor(parts = [], options = {}) {
    const chunks = [];
    let total = 0;
    if (parts === null || typeof parts !== 'object' || typeof parts[_Symbol.iterator] !== 'function') {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    for (const part of parts) {
      const bytes = part instanceof Blob ? part._bytes : toBytes(part);
      chunks.push(bytes);
      total += bytes.length;
    }
    this._bytes = concatBytes(chunks.length ? chunks : [EMPTY_BYTES], total);
    const type = options && options.type !== undefined ? _String(options.type) : '';
    this._type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
  }
  get size() { return this._bytes.length; }
  get type() { return this._type; }
  text() { return _Promise.resolve(bytesToText(this._bytes)); }
  arrayBuffer() { return _Promise.resolve(bytesToArrayBuffer(this._bytes.slice())); }
  bytes() { return _Promise.resolve(this._bytes.slice()); }
  slice(start, end, type) {
    const blob = new Blob([], { type: type === undefined ? '' : type });
    blob._bytes = this._bytes.slice(start === undefined ? 0 : start, end === undefined ? this._bytes.length : end);
    return blob;
  }
  stream() { return bytesStream(this._bytes); }
  get [_Symbol.toStringTag]() { return 'Blob'; }
}
class File extends Blob {
  constructor(parts, name, options = {}) {
    if (arguments.length < 2) throw new TypeError("Failed to construct 'File': 2 arguments required.");
    super(parts, options);
    this._name = _String(name);
    this._lastModified = options && options.lastModified !== undefined ? Number(options.lastModified) : _Date.now();
  }
  get name() { return this._name; }
  get lastModified() { return this._lastModified; }
  get [_Symbol.toStringTag]() { return 'File'; }
}

function formValue(value, filename) {
  if (value instanceof Blob) {
    if (!(value instanceof File) || filename !== undefined) {
      const file = new File([], filename !== undefined ? filename : value instanceof File ? value.name : 'blob', { type: value.type });
      file._bytes = value._bytes;
      return file;
    }
    return value;
  }
  return _String(value);
}
class FormData {
  constructor(form) {
    if (form !== undefined) throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
    this._entries = [];
  }
  append(name, value, filename) { this._entries.push([_String(name), formValue(value, filename)]); }
  set(name, value, filename) {
    const key = _String(name);
    const entry = [key, formValue(value, filename)];
    const i = this._entries.findIndex(e => e[0] === key);
    if (i < 0) { this._entries.push(entry); return; }
    this._entries[i] = entry;
    this._entries = this._entries.filter((e, j) => j <= i || e[0] !== key);
  }
  get(name) { const e = this._entries.find(x => x[0] === _String(name)); return e ? e[1] : null; }
  getAll(name) { return this._entries.filter(x => x[0] === _String(name)).map(x => x[1]); }
  has(name) { return this._entries.some(x => x[0] === _String(name)); }
  delete(name) { this._entries = this._entries.filter(x => x[0] !== _String(name)); }
  forEach(fn, thisArg) { for (const [k, v] of this._entries) fn.call(thisArg, v, k, this); }
  *entries() { yield* this._entries.map(e => [e[0], e[1]]); }
  *keys() { for (const e of this._entries) yield e[0]; }
  *values() { for (const e of this._entries) yield e[1]; }
  [_Symbol.iterator]() { return this.entries(); }
  get [_Symbol.toStringTag]() { return 'FormData'; }
}
const multipartEscape = (s) => s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
function encodeMultipart(form) {
  const boundary = '----formdata-granary-' + host.randomHex(12);
  const chunks = [];
  let total = 0;
  const push = (bytes) => { chunks.push(bytes); total += bytes.length; };
  for (const [name, value] of form._entries) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${multipartEscape(name)}"`;
    if (value instanceof File) {
      head += `; filename="${multipartEscape(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
      push(utf8Encode(head));
      push(value._bytes);
    } else {
      push(utf8Encode(head + '\r\n\r\n' + value.replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n')));
    }
    push(utf8Encode('\r\n'));
  }
  push(utf8Encode(`--${boundary}--\r\n`));
  return { bytes: concatBytes(chunks, total), type: `multipart/form-data; boundary=${boundary}` };
}

// ---------------------------------------------------------------- ReadableStream (the parts fetch bodies need)
// Pulls only when a read waits, so a host body is read from the network as fast as the function consumes it.
class ReadableStream {
  constructor(source = {}, strategy) {
    if (source === null || typeof source !== 'object') source = {};
    this._source = source;
    this._queue = [];
    this._reads = [];
    this._state = 'readable';
    this._error = undefined;
    this._pulling = false;
    this._started = false;
    this._locked = false;
    this._disturbed = false;
    this._closed = new _Promise((resolve, reject) => { this._resolveClosed = resolve; this._rejectClosed = reject; });
    this._closed.catch(() => {});
    const stream = this;
    this._controller = {
      get desiredSize() { return stream._state === 'readable' ? 1 - stream._queue.length : 0; },
      enqueue(chunk) {
        if (stream._state !== 'readable') throw new TypeError('Invalid state: Controller is already closed');
        const read = stream._reads.shift();
        if (read) read.resolve({ value: chunk, done: false });
        else stream._queue.push(chunk);
      },
      close() {
        if (stream._state !== 'readable') throw new TypeError('Invalid state: Controller is already closed');
        stream._state = 'closed';
        if (!stream._queue.length) stream._drain();
      },
      error(e) {
        if (stream._state !== 'readable') return;
        stream._state = 'errored';
        stream._error = e;
        stream._queue = [];
        stream._drain();
      },
    };
    let started;
    try { started = typeof source.start === 'function' ? source.start(this._controller) : undefined; } catch (e) { this._controller.error(e); }
    _Promise.resolve(started).then(() => { this._started = true; this._pull(); }, (e) => this._controller.error(e));
  }
  static from(iterable) {
    if (iterable instanceof ReadableStream) return iterable;
    const iterator = typeof iterable[_Symbol.asyncIterator] === 'function' ? iterable[_Symbol.asyncIterator]() : iterable[_Symbol.iterator]();
    return new ReadableStream({
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close(); else controller.enqueue(value);
      },
      async cancel(reason) { if (typeof iterator.return === 'function') await iterator.return(reason); },
    });
  }
  get locked() { return this._locked; }
  _drain() {
    if (this._state === 'errored') this._rejectClosed(this._error); else this._resolveClosed();
    const reads = this._reads;
    this._reads = [];
    for (const read of reads) {
      if (this._state === 'errored') read.reject(this._error);
      else read.resolve({ value: undefined, done: true });
    }
  }
  _read() {
    this._disturbed = true;
    if (this._queue.length) {
      const value = this._queue.shift();
      if (this._state === 'closed' && !this._queue.length) this._drain();
      return _Promise.resolve({ value, done: false });
    }
    if (this._state === 'closed') return _Promise.resolve({ value: undefined, done: true });
    if (this._state === 'errored') return _Promise.reject(this._error);
    return new _Promise((resolve, reject) => {
      this._reads.push({ resolve, reject });
      this._pull();
    });
  }
  _pull() {
    if (!this._started || this._pulling || this._state !== 'readable' || !this._reads.length || typeof this._source.pull !== 'function') return;
    this._pulling = true;
    let pulled;
    try { pulled = this._source.pull(this._controller); } catch (e) { this._pulling = false; this._controller.error(e); return; }
    _Promise.resolve(pulled).then(() => { this._pulling = false; this._pull(); }, (e) => { this._pulling = false; this._controller.error(e); });
  }
  _cancel(reason) {
    this._disturbed = true;
    if (this._state === 'closed') return _Promise.resolve();
    if (this._state === 'errored') return _Promise.reject(this._error);
    this._state = 'closed';
    this._queue = [];
    this._drain();
    try {
      return _Promise.resolve(typeof this._source.cancel === 'function' ? this._source.cancel(reason) : undefined).then(() => undefined);
    } catch (e) {
      return _Promise.reject(e);
    }
  }
  cancel(reason) {
    if (this._locked) return _Promise.reject(new TypeError('Invalid state: ReadableStream is locked'));
    return this._cancel(reason);
  }
  getReader(options) {
    if (options && options.mode === 'byob') throw new TypeError('BYOB readers are not supported');
    if (this._locked) throw new TypeError('Invalid state: ReadableStream is locked');
    this._locked = true;
    const stream = this;
    let released = false;
    return {
      read() { return released ? _Promise.reject(new TypeError('Invalid state: The reader is not attached to a stream')) : stream._read(); },
      releaseLock() { if (!released) { released = true; stream._locked = false; } },
      cancel(reason) { return released ? _Promise.reject(new TypeError('Invalid state: The reader is not attached to a stream')) : stream._cancel(reason); },
      get closed() { return stream._closed; },
    };
  }
  values(options) {
    const reader = this.getReader();
    const preventCancel = !!(options && options.preventCancel);
    return {
      next: () => reader.read().then((r) => { if (r.done) reader.releaseLock(); return r; }, (e) => { reader.releaseLock(); throw e; }),
      return: (value) => {
        const done = () => { reader.releaseLock(); return { value, done: true }; };
        return preventCancel ? _Promise.resolve(done()) : reader.cancel(value).then(done, done);
      },
      [_Symbol.asyncIterator]() { return this; },
    };
  }
  [_Symbol.asyncIterator](options) { return this.values(options); }
  tee() {
    const reader = this.getReader();
    const branches = [];
    let reading = null;
    const pullOnce = () => reading || (reading = reader.read().then(({ value, done }) => {
      reading = null;
      for (const b of branches) {
        if (b.canceled) continue;
        if (done) b.controller.close(); else b.controller.enqueue(value);
      }
    }, (e) => {
      reading = null;
      for (const b of branches) b.controller.error(e);
    }));
    const branch = () => {
      const b = { canceled: false, controller: null };
      branches.push(b);
      return new ReadableStream({
        start(controller) { b.controller = controller; },
        pull() { return pullOnce(); },
        cancel(reason) { b.canceled = true; if (branches.every(x => x.canceled)) return reader.cancel(reason); return undefined; },
      });
    };
    return [branch(), branch()];
  }
  async pipeTo(destination) {
    for await (const chunk of this) await destination.write(chunk);
    if (typeof destination.close === 'function') await destination.close();
  }
  get [_Symbol.toStringTag]() { return 'ReadableStream'; }
}
function bytesStream(bytes) {
  return new ReadableStream({ start(controller) { if (bytes.length) controller.enqueue(bytes.slice()); controller.close(); } });
}
async function readAllBytes(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = value instanceof _Uint8Array ? value : ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? toBytes(value) : null;
    if (!chunk) throw new TypeError('Received non-Uint8Array chunk');
    chunks.push(chunk);
    total += chunk.length;
  }
  reader.releaseLock();
  return chunks.length ? concatBytes(chunks, total) : EMPTY_BYTES;
}

// ---------------------------------------------------------------- Headers
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const normalizeHeaderValue = (value) => _String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
class Headers {
  constructor(init) {
    this._map = new Map();
    if (init === undefined || init === null) return;
    if (init instanceof Headers) { for (const [k, v] of init._map) this._map.set(k, v.slice()); return; }
    if (typeof init !== 'object') throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    if (typeof init[_Symbol.iterator] === 'function') {
      for (const pair of init) {
        const p = _Array.from(pair);
        if (p.length !== 2) throw new TypeError('Headers constructor: expected name/value pair to be length 2, found ' + p.length + '.');
        this.append(p[0], p[1]);
      }
    } else {
      for (const k of _keys(init)) this.append(k, init[k]);
    }
  }
  _check(name, value) {
    const n = _String(name);
    if (!HEADER_NAME.test(n)) throw new TypeError(`Headers.append: "${n}" is an invalid header name.`);
    if (value !== undefined && /[\0\r\n]/.test(value)) throw new TypeError(`Headers.append: "${value}" is an invalid header value.`);
    return n.toLowerCase();
  }
  append(name, value) {
    const v = normalizeHeaderValue(value);
    const key = this._check(name, v);
    const list = this._map.get(key);
    if (list) list.push(v); else this._map.set(key, [v]);
  }
  set(name, value) {
    const v = normalizeHeaderValue(value);
    this._map.set(this._check(name, v), [v]);
  }
  get(name) {
    const list = this._map.get(this._check(name));
    if (!list) return null;
    return list.join(', ');
  }
  getSetCookie() { return (this._map.get('set-cookie') || []).slice(); }
  has(name) { return this._map.has(this._check(name)); }
  delete(name) { this._map.delete(this._check(name)); }
  forEach(fn, thisArg) { for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this); }
  *entries() {
    for (const key of [...this._map.keys()].sort()) {
      if (key === 'set-cookie') for (const v of this._map.get(key)) yield [key, v];
      else yield [key, this._map.get(key).join(', ')];
    }
  }
  *keys() { for (const [k] of this.entries()) yield k; }
  *values() { for (const [, v] of this.entries()) yield v; }
  [_Symbol.iterator]() { return this.entries(); }
  get [_Symbol.toStringTag]() { return 'Headers'; }
}

// ---------------------------------------------------------------- Body (shared by Request and Response)
// A body is known bytes (_bytes, the usual case: strings, JSON, buffers, small responses) or a stream (_stream: a
// response read from the host in chunks, or a stream the function gave). The stream of known bytes is made only if
// the function asks for .body.
function extractBody(body) {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return { bytes: utf8Encode(body), type: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) return { bytes: utf8Encode(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: toBytes(body), type: null };
  if (body instanceof Blob) return { bytes: body._bytes, type: body.type || null };
  if (body instanceof FormData) return encodeMultipart(body);
  if (body instanceof ReadableStream) return { stream: body, type: null };
  if (typeof body === 'object' && typeof body[_Symbol.asyncIterator] === 'function') return { stream: ReadableStream.from(body), type: null };
  return { bytes: utf8Encode(_String(body)), type: 'text/plain;charset=UTF-8' };
}
class Body {
  _initBody(extracted) {
    this._bytes = extracted && extracted.bytes !== undefined ? extracted.bytes : null;
    this._stream = extracted && extracted.stream ? extracted.stream : null;
    this._hasBody = !!extracted;
    this._used = false;
  }
  get body() {
    if (!this._hasBody) return null;
    if (!this._stream) this._stream = bytesStream(this._bytes);
    return this._stream;
  }
  get bodyUsed() { return this._used || !!(this._stream && this._stream._disturbed); }
  _consume() {
    if (this.bodyUsed) return _Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (this._stream && this._stream.locked) return _Promise.reject(new TypeError('Body is unusable: Body is locked'));
    this._used = true;
    if (!this._hasBody) return _Promise.resolve(EMPTY_BYTES);
    if (!this._stream) return _Promise.resolve(this._bytes);
    return readAllBytes(this._stream);
  }
  arrayBuffer() { return this._consume().then((b) => bytesToArrayBuffer(b.slice())); }
  bytes() { return this._consume().then((b) => b.slice()); }
  text() { return this._consume().then(bytesToText); }
  json() { return this.text().then((t) => _JSON.parse(t)); }
  blob() {
    return this._consume().then((b) => {
      const blob = new Blob([], { type: this.headers.get('content-type') || '' });
      blob._bytes = b;
      return blob;
    });
  }
  formData() {
    const type = mediaType(this.headers.get('content-type'));
    return this.text().then((text) => {
      if (type !== 'application/x-www-form-urlencoded') throw new TypeError(`Response.formData: only application/x-www-form-urlencoded bodies are supported by Granary (got '${type}')`);
      const form = new FormData();
      for (const [k, v] of new URLSearchParams(text)) form.append(k, v);
      return form;
    });
  }
  _cloneBodyInto(target) {
    if (this.bodyUsed) throw new TypeError(`${this.constructor.name}.clone: Body has already been consumed.`);
    target._hasBody = this._hasBody;
    target._used = false;
    target._bytes = this._bytes;
    target._stream = null;
    target._host = this._host;
    if (this._stream) {
      const [a, b] = this._stream.tee();
      this._stream = a;
      target._stream = b;
    }
  }
}

// ---------------------------------------------------------------- Request
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
function parseFetchUrl(input, what) {
  try {
    return new URL(_String(input));
  } catch (e) {
    throw new TypeError(`Failed to parse URL from ${_String(input)}`, { cause: e });
  }
}
class Request extends Body {
  constructor(input, init = {}) {
    super();
    if (arguments.length === 0) throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
    if (init === null || init === undefined) init = {};
    const base = input instanceof Request ? input : null;
    const url = base ? base._url : parseFetchUrl(input);
    if (url.username || url.password) throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url.href}`);
    let method = init.method !== undefined ? _String(init.method) : base ? base._method : 'GET';
    if (!HEADER_NAME.test(method)) throw new TypeError(`'${method}' is not a valid HTTP method.`);
    if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError(`'${method}' HTTP method is unsupported.`);
    if (NORMALIZED_METHODS.has(method.toUpperCase())) method = method.toUpperCase();
    const redirect = init.redirect !== undefined ? _String(init.redirect) : base ? base._redirect : 'follow';
    if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error') {
      throw new TypeError(`Failed to construct 'Request': The provided value '${redirect}' is not a valid enum value of type RequestRedirect.`);
    }
    this._url = url;
    this._method = method;
    this._redirect = redirect;
    this._headers = new Headers(init.headers !== undefined ? init.headers : base ? base._headers : undefined);
    this._signal = init.signal !== undefined ? init.signal : base ? base._signal : null;
    if (this._signal !== null && !(this._signal instanceof AbortSignal)) {
      throw new TypeError("Failed to construct 'Request': member signal is not of type AbortSignal.");
    }
    const extracted = init.body !== undefined && init.body !== null ? extractBody(init.body) : null;
    if ((extracted || (base && base._hasBody && init.body === undefined)) && (method === 'GET' || method === 'HEAD')) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
    if (extracted) {
      this._initBody(extracted);
      if (extracted.type && !this._headers.has('content-type')) this._headers.set('content-type', extracted.type);
    } else if (base && init.body === undefined) {
      if (base.bodyUsed) throw new TypeError('Cannot construct a Request with a Request object that has already been used.');
      this._initBody(base._hasBody ? { bytes: base._bytes === null ? undefined : base._bytes, stream: base._stream } : null);
      if (base._hasBody) base._used = true;
    } else {
      this._initBody(null);
    }
  }
  get url() { return this._url.href; }
  get method() { return this._method; }
  get headers() { return this._headers; }
  get redirect() { return this._redirect; }
  get signal() { return this._signal || (this._signal = new AbortSignal(kCreate)); }
  get cache() { return 'default'; }
  get credentials() { return 'same-origin'; }
  get mode() { return 'cors'; }
  get referrer() { return 'about:client'; }
  get referrerPolicy() { return ''; }
  get integrity() { return ''; }
  get keepalive() { return false; }
  get destination() { return ''; }
  get duplex() { return 'half'; }
  clone() {
    const copy = _Object.create(Request.prototype);
    copy._url = this._url;
    copy._method = this._method;
    copy._redirect = this._redirect;
    copy._headers = new Headers(this._headers);
    copy._signal = this._signal;
    this._cloneBodyInto(copy);
    return copy;
  }
  get [_Symbol.toStringTag]() { return 'Request'; }
}

// ---------------------------------------------------------------- Response
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
class Response extends Body {
  constructor(body = null, init = {}) {
    super();
    if (init === null || init === undefined) init = {};
    const status = init.status !== undefined ? Number(init.status) : 200;
    if (!(status >= 200 && status <= 599) || status !== Math.floor(status)) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    this._status = status;
    this._statusText = init.statusText !== undefined ? _String(init.statusText) : '';
    this._headers = new Headers(init.headers);
    this._type = 'default';
    this._url = '';
    this._redirected = false;
    const extracted = extractBody(body);
    if (extracted && NULL_BODY_STATUS.has(status)) throw new TypeError('Response constructor: Invalid response status code ' + status);
    this._initBody(extracted);
    if (extracted && extracted.type && !this._headers.has('content-type')) this._headers.set('content-type', extracted.type);
  }
  static error() {
    const r = new Response(null, { status: 200 });
    r._status = 0;
    r._type = 'error';
    return r;
  }
  static json(data, init = {}) {
    const text = _JSON.stringify(data);
    if (text === undefined) throw new TypeError('Value is not JSON serializable');
    const r = new Response(text, init);
    r._headers.set('content-type', 'application/json');
    return r;
  }
  static redirect(url, status = 302) {
    const target = parseFetchUrl(url);
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`Invalid status code ${status}`);
    const r = new Response(null, { status });
    r._headers.set('location', target.href);
    return r;
  }
  get type() { return this._type; }
  get url() { return this._url; }
  get redirected() { return this._redirected; }
  get status() { return this._status; }
  get ok() { return this._status >= 200 && this._status <= 299; }
  get statusText() { return this._statusText; }
  get headers() { return this._headers; }
  clone() {
    const copy = _Object.create(Response.prototype);
    copy._status = this._status;
    copy._statusText = this._statusText;
    copy._headers = new Headers(this._headers);
    copy._type = this._type;
    copy._url = this._url;
    copy._redirected = this._redirected;
    this._cloneBodyInto(copy);
    return copy;
  }
  get [_Symbol.toStringTag]() { return 'Response'; }
}

// ---------------------------------------------------------------- fetch
// Host operations of fetch settle through completeOp's raw handler. Operations of an invocation that has ended never
// complete (the host drops them): they are forgotten when the next invocation's first fetch starts.
let fetchInvocation = 0;
const fetchOps = new Set();
function fetchOp(handler) {
  const id = nextHostOperation++;
  hostOperations.set(id, { raw: (ok, status, headersJson, body) => { fetchOps.delete(id); handler(ok, status, headersJson, body); } });
  fetchOps.add(id);
  return id;
}
function forgetFetchOp(id) {
  hostOperations.delete(id);
  fetchOps.delete(id);
}
function noteFetchInvocation(seq, keep) {
  if (seq === fetchInvocation) return;
  fetchInvocation = seq;
  for (const id of fetchOps) if (id !== keep) hostOperations.delete(id);
  fetchOps.clear();
  fetchOps.add(keep);
}
function fetchCause(info) {
  const cause = new _Error(info.message);
  if (info.name && info.name !== 'Error') _defineProperty(cause, 'name', { value: info.name, writable: true, configurable: true, enumerable: false });
  if (info.code) cause.code = info.code;
  return cause;
}
const fetchFailed = (info) => new TypeError('fetch failed', { cause: fetchCause(info) });

// A response body the host reads in chunks: the first came with the head; the next is asked for when the function reads.
function hostBodyStream(fetchId, info, state) {
  let first = info.buffered > 0 ? info.buffered : -1;
  const deliver = (controller, n, done) => {
    if (n > 0) {
      const chunk = new _Uint8Array(n);
      host.fetchTake(fetchId, chunk);
      controller.enqueue(chunk);
    }
    if (done) {
      host.fetchTake(fetchId, EMPTY_BYTES);
      state.finished = true;
      controller.close();
    }
  };
  return new ReadableStream({
    start(controller) { state.controller = controller; },
    pull(controller) {
      if (first > 0) { const n = first; first = -1; deliver(controller, n, false); return undefined; }
      return new _Promise((resolve) => {
        const id = fetchOp((ok, n, _headers, body) => {
          if (!ok) {
            state.finished = true;
            controller.error(new TypeError('terminated', { cause: fetchCause(_JSON.parse(body)) }));
          } else {
            deliver(controller, n, body === 'done');
          }
          resolve();
        });
        const problem = host.fetchRead(id, fetchId);
        if (problem !== null && problem !== undefined) {
          forgetFetchOp(id);
          state.finished = true;
          controller.error(new TypeError('terminated', { cause: new _Error(_String(problem)) }));
          resolve();
        }
      });
    },
    cancel() {
      if (!state.finished) { state.finished = true; host.fetchAbort(fetchId); }
    },
  });
}

function hostResponse(id, status, headersJson, info) {
  const response = _Object.create(Response.prototype);
  const headers = new Headers();
  for (const [name, value] of _JSON.parse(headersJson)) headers.append(name, value);
  response._status = status;
  response._statusText = info.statusText;
  response._headers = headers;
  response._type = 'basic';
  response._url = info.url;
  response._redirected = info.redirected;
  const state = { finished: false, controller: null };
  if (info.done) {
    // The whole body came with the head (or there is none): no stream unless the function asks for one.
    const bytes = info.buffered > 0 ? new _Uint8Array(info.buffered) : EMPTY_BYTES;
    host.fetchTake(id, bytes);
    state.finished = true;
    response._initBody(NULL_BODY_STATUS.has(status) && !bytes.length ? null : { bytes });
  } else {
    response._initBody({ stream: hostBodyStream(id, info, state) });
  }
  return { response, state };
}

function dataUrlResponse(url) {
  const href = url.href;
  const comma = href.indexOf(',');
  if (comma < 0) throw fetchFailed({ message: 'invalid data: URL' });
  let type = href.slice(5, comma).trim();
  const isBase64 = /;\s*base64$/i.test(type);
  if (isBase64) type = type.replace(/;\s*base64$/i, '');
  const data = href.slice(comma + 1).replace(/#.*$/, '');
  let bytes;
  if (isBase64) {
    bytes = base64Decode(decodeURIComponent(data));
  } else {
    const raw = unescape(data);
    bytes = new _Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i) & 0xff;
  }
  const response = new Response(bytes, { status: 200, statusText: 'OK', headers: { 'content-type': type && !type.startsWith(';') ? type : 'text/plain;charset=US-ASCII' + type } });
  response._type = 'basic';
  response._url = href;
  return response;
}

function fetch(input, init) {
  return new _Promise((resolve, reject) => {
    let request;
    try {
      request = new Request(input, init);
    } catch (e) {
      reject(e);
      return;
    }
    const signal = request._signal;
    if (signal && signal.aborted) { reject(signal.reason); return; }
    const url = request._url;
    if (url.protocol === 'data:') {
      try { resolve(dataUrlResponse(url)); } catch (e) { reject(e); }
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(fetchFailed({ message: `URL scheme "${url.protocol.slice(0, -1)}" is not supported.` }));
      return;
    }
    const headerPairs = [...request._headers.entries()];
    const send = (bytes) => {
      if (signal && signal.aborted) { reject(signal.reason); return; }
      let settled = false;
      let state = null;
      const onAbort = () => {
        forgetFetchOp(id);
        if (!settled) { settled = true; host.fetchAbort(id); reject(signal.reason); return; }
        if (state && !state.finished) {
          state.finished = true;
          host.fetchAbort(id);
          if (state.controller) state.controller.error(signal.reason);
        }
      };
      const id = fetchOp((ok, status, headersJson, body) => {
        if (settled) return;
        settled = true;
        if (!ok) {
          if (signal) signal.removeEventListener('abort', onAbort);
          reject(fetchFailed(_JSON.parse(body)));
          return;
        }
        try {
          const made = hostResponse(id, status, headersJson, _JSON.parse(body));
          state = made.state;
          if (signal && state.finished) signal.removeEventListener('abort', onAbort);
          resolve(made.response);
        } catch (e) {
          reject(e);
        }
      });
      let started;
      try {
        started = host.fetchStart(id, request._method, url.href, _JSON.stringify(headerPairs), bytes && bytes.length ? bytes : null, request._redirect);
      } catch (e) {
        started = _String(e && e.message ? e.message : e);
      }
      if (typeof started === 'string') {
        forgetFetchOp(id);
        settled = true;
        reject(fetchFailed({ message: started }));
        return;
      }
      noteFetchInvocation(started, id);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
    };
    if (!request._hasBody) send(null);
    else if (!request._stream) { request._used = true; send(request._bytes); }
    else { request._used = true; readAllBytes(request._stream).then(send, (e) => reject(new TypeError('fetch failed', { cause: e }))); }
  });
}

defineGlobal('DOMException', DOMException);
defineGlobal('Event', Event);
defineGlobal('EventTarget', EventTarget);
defineGlobal('AbortController', AbortController);
defineGlobal('AbortSignal', AbortSignal);
defineGlobal('Blob', Blob);
defineGlobal('File', File);
defineGlobal('FormData', FormData);
defineGlobal('ReadableStream', ReadableStream);
defineGlobal('Headers', Headers);
defineGlobal('Request', Request);
defineGlobal('Response', Response);
defineGlobal('fetch', fetch);
