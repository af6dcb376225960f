// ---------------------------------------------------------------- net: client sockets on host sockets under the egress policy
// A Socket is a stream.Duplex over one host socket (Io/SocketOperations.cs): the host connects through the egress
// policy, reads when the stream asks (each chunk copied straight into a Buffer) and writes what it is given. Sockets
// belong to the invocation that opened them and are closed when it ends. Servers are not available in the isolate.
const builtinNetParts = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  const { Duplex } = builtinStream();
  const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const isIPv4 = (s) => typeof s === 'string' && IPV4.test(s);
  const isIPv6 = (s) => {
    if (typeof s !== 'string' || !s.includes(':')) return false;
    try { return new URL(`http://[${s.split('%')[0]}]/`).hostname.length > 2; } catch (e) { return false; }
  };
  const isIP = (s) => (isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0);
  const socketError = (info) => {
    const e = new _Error(info.message);
    e.code = info.code;
    if (info.syscall) e.syscall = info.syscall;
    const errno = { ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110, EPIPE: -32, ENOTFOUND: -3008, EHOSTUNREACH: -113, ENETUNREACH: -101 }[info.code];
    if (errno !== undefined) e.errno = errno;
    return e;
  };
  // A host operation whose answer goes to `handler(ok, status, body)`; returns its id.
  const socketOp = (handler) => {
    const id = nextHostOperation++;
    hostOperations.set(id, { raw: (ok, status, _headers, body) => handler(ok, status, body) });
    return id;
  };
  const hostCall = (start) => {
    try { return start(); } catch (e) { return _String(e && e.message ? e.message : e); }
  };
  const kHandle = _Symbol('handle');

  class Socket extends Duplex {
    constructor(options) {
      const o = options || {};
      // 'close' is emitted here, with hadError as Node's sockets give it, after 'error' when there is one.
      super({ allowHalfOpen: !!o.allowHalfOpen, emitClose: false, autoDestroy: true, decodeStrings: true });
      this[kHandle] = 0;
      this.connecting = false;
      this._hadError = false;
      this._reading = false;
      this._readWanted = false;
      this._upgraded = false;
      this._timeoutMs = 0;
      this._timer = null;
      this._noDelay = o.noDelay === undefined ? true : !!o.noDelay;
      this._keepAlive = !!o.keepAlive;
      this.bytesRead = 0;
      this._bytesWritten = 0;
      this.remoteAddress = undefined;
      this.remotePort = undefined;
      this.remoteFamily = undefined;
      this.localAddress = undefined;
      this.localPort = undefined;
      this._host = null;
    }
    get bytesWritten() { return this._bytesWritten; }
    get pending() { return !this[kHandle] || this.connecting; }
    get readyState() {
      if (this.connecting) return 'opening';
      if (this.readable && this.writable) return 'open';
      if (this.readable && !this.writable) return 'readOnly';
      if (!this.readable && this.writable) return 'writeOnly';
      return 'closed';
    }
    connect(...args) {
      let options;
      let callback;
      if (args[0] !== null && typeof args[0] === 'object') { options = args[0]; callback = args[1]; }
      else if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) {
        throw nodeError(_Error, 'ERR_NOT_AVAILABLE', `Unix domain sockets (${args[0]}) are not available to functions`);
      } else {
        options = { port: args[0], host: typeof args[1] === 'string' ? args[1] : undefined };
        callback = typeof args[1] === 'function' ? args[1] : args[2];
      }
      if (options.path) throw nodeError(_Error, 'ERR_NOT_AVAILABLE', `Unix domain sockets (${options.path}) are not available to functions`);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535 || options.port === '' || options.port === null) {
        throw nodeError(RangeError, 'ERR_SOCKET_BAD_PORT', `Port should be >= 0 and < 65536. Received ${typeof options.port === 'string' ? `type string ('${options.port}')` : `type ${typeof options.port} (${options.port})`}.`);
      }
      const hostname = options.host || 'localhost';
      if (typeof callback === 'function') this.once(this._tlsOptions ? 'secureConnect' : 'connect', callback);
      if (options.timeout) this.setTimeout(options.timeout);
      if (options.noDelay !== undefined) this._noDelay = !!options.noDelay;
      if (options.keepAlive) this._keepAlive = true;
      this.connecting = true;
      this._host = hostname;
      const id = socketOp((ok, _status, body) => this._connected(ok, body));
      const started = hostCall(() => host.socketConnect(id, hostname, port, this._tlsOptions ? _JSON.stringify(this._tlsOptions) : ''));
      if (typeof started === 'string') {
        hostOperations.delete(id);
        nextTick(() => this.destroy(socketError({ code: started === 'ERR_SOCKET_CLOSED' ? 'ERR_SOCKET_CLOSED' : 'ERR_SOCKET_CONNECTION_FAILED', message: started })));
        return this;
      }
      this[kHandle] = id;
      return this;
    }
    _connected(ok, body) {
      const info = _JSON.parse(body);
      if (!ok) { this.connecting = false; this.destroy(socketError(info)); return; }
      if (this.destroyed) return;
      this._adopt(info);
      this.connecting = false;
      if (!this._noDelay) host.socketOption(this[kHandle], 'noDelay', false);
      if (this._keepAlive) host.socketOption(this[kHandle], 'keepAlive', true);
      this._touch();
      this.emit('connect');
      if (this._tlsOptions) this._secured(info);
      this.emit('ready');
      this._flushPending();
      if (this._readWanted) this._read();
    }
    _adopt(info) {
      this.remoteAddress = info.remoteAddress;
      this.remotePort = info.remotePort;
      this.remoteFamily = info.remoteFamily;
      this.localAddress = info.localAddress;
      this.localPort = info.localPort;
    }
    _flushPending() {
      const pending = this._pending;
      this._pending = null;
      if (pending) for (const [chunk, cb] of pending) this._write(chunk, null, cb);
      const final = this._pendingFinal;
      this._pendingFinal = null;
      if (final) this._final(final);
    }
    _read() {
      if (this._upgraded) return;
      if (!this[kHandle] || this.connecting) { this._readWanted = true; return; }
      if (this._reading || this.destroyed) return;
      this._reading = true;
      const handle = this[kHandle];
      const op = socketOp((ok, n, body) => {
        this._reading = false;
        if (this._upgraded && n === -1) return;
        if (!ok) { this.destroy(socketError(_JSON.parse(body))); return; }
        if (n === -1 || this.destroyed) return;
        if (n === 0) { this.push(null); return; }
        const chunk = Buffer.allocUnsafe(n);
        host.socketTake(handle, chunk);
        this.bytesRead += n;
        this._touch();
        if (this.push(chunk)) this._read();
      });
      const problem = hostCall(() => host.socketRead(op, handle));
      if (problem !== null && problem !== undefined) {
        hostOperations.delete(op);
        this._reading = false;
        this.destroy(socketError({ code: 'ERR_SOCKET_CLOSED', message: problem === 'ERR_SOCKET_CLOSED' ? 'Socket is closed' : problem }));
      }
    }
    _write(chunk, encoding, callback) {
      if (!this[kHandle] || this.connecting) {
        (this._pending || (this._pending = [])).push([chunk, callback]);
        return;
      }
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : chunk;
      const op = socketOp((ok, _n, body) => {
        if (!ok) { callback(socketError(_JSON.parse(body))); return; }
        this._bytesWritten += bytes.length;
        this._touch();
        callback();
      });
      const problem = hostCall(() => host.socketWrite(op, this[kHandle], bytes));
      if (problem !== null && problem !== undefined) {
        hostOperations.delete(op);
        callback(socketError({ code: problem === 'ERR_SOCKET_CLOSED' ? 'EPIPE' : 'ERR_SOCKET_WRITE_FAILED', message: problem === 'ERR_SOCKET_CLOSED' ? 'This socket has been ended by the other party' : problem }));
      }
    }
    // Chunks written while one write is at the host go out together: one host write, one round trip (a driver's
    // Parse/Bind/Execute/Sync messages, each its own write(), travel as one).
    _writev(chunks, callback) {
      if (chunks.length === 1) { this._write(chunks[0].chunk, chunks[0].encoding, callback); return; }
      const buffers = chunks.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : chunk));
      this._write(Buffer.concat(buffers), null, callback);
    }
    _final(callback) {
      if (!this[kHandle] || this.connecting) { this._pendingFinal = callback; return; }
      host.socketEnd(this[kHandle]);
      callback();
    }
    _destroy(err, callback) {
      this._clearTimer();
      this.connecting = false;
      if (this[kHandle] && !this._upgraded) host.socketDestroy(this[kHandle]);
      if (err) this._hadError = true;
      callback(err);
      nextTick(() => this.emit('close', this._hadError));
    }
    _touch() {
      if (this._timeoutMs > 0) {
        this._clearTimer();
        this._timer = setTimeout(() => { this._timer = null; this.emit('timeout'); }, this._timeoutMs);
      }
    }
    _clearTimer() {
      if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    }
    setTimeout(ms, callback) {
      this._timeoutMs = ms > 0 ? ms : 0;
      if (typeof callback === 'function') { if (this._timeoutMs > 0) this.once('timeout', callback); else this.removeListener('timeout', callback); }
      if (this._timeoutMs > 0) this._touch(); else this._clearTimer();
      return this;
    }
    get timeout() { return this._timeoutMs || undefined; }
    setNoDelay(noDelay = true) {
      this._noDelay = !!noDelay;
      if (this[kHandle] && !this.connecting) host.socketOption(this[kHandle], 'noDelay', this._noDelay);
      return this;
    }
    setKeepAlive(enable = false) {
      this._keepAlive = !!enable;
      if (this[kHandle] && !this.connecting) host.socketOption(this[kHandle], 'keepAlive', this._keepAlive);
      return this;
    }
    address() {
      return this.localAddress === undefined ? {} : { address: this.localAddress, family: this.remoteFamily, port: this.localPort };
    }
    ref() { return this; }
    unref() { return this; }
    resetAndDestroy() { return this.destroy(); }
  }

  const notAvailable = (what) => () => {
    throw nodeError(_Error, 'ERR_NOT_AVAILABLE', `${what} is not available in Granary's isolate runtime: a function answers through its handler; deploy with "isolation": "process" for a server of its own`);
  };
  class Server {
    constructor() { notAvailable('net.Server')(); }
  }
  const connect = (...args) => {
    const options = args[0] !== null && typeof args[0] === 'object' ? args[0] : {};
    const socket = new Socket(options);
    return socket.connect(...args);
  };
  class BlockList {
    constructor() { this._rules = []; }
    addAddress(address) { this._rules.push(address); }
    check(address) { return this._rules.includes(address); }
  }
  const mod = _freeze({
    Socket, Stream: Socket, Server, BlockList, connect, createConnection: connect, createServer: notAvailable('net.createServer'),
    isIP, isIPv4, isIPv6, getDefaultAutoSelectFamily: () => false, setDefaultAutoSelectFamily: () => {},
  });
  // tls builds on these; the module itself exposes none of them.
  return { mod, Socket, kHandle, socketOp, socketError, hostCall, notAvailable, isIP };
});
const builtinNet = builtinOnce(() => builtinNetParts().mod);
