// ---------------------------------------------------------------- tls: TLS client sockets (net.js) with SNI, the system's trust store, ca and upgrades
// The host does the handshake (.NET's SslStream): tls.connect opens a socket and secures it; tls.connect({socket})
// secures a connected net.Socket in place, as PostgreSQL's SSL request needs. Certificates are checked against the
// system's trust store, or only against `ca` when it is given; rejectUnauthorized: false connects anyway and says why
// in authorizationError. Client certificates and servers are not available in the isolate.
const builtinTls = builtinOnce(() => {
  const { nodeError } = builtinInternals();
  const { Socket, kHandle, socketOp, socketError, hostCall, notAvailable, isIP } = builtinNetParts();
  const pems = (value) => (value === undefined || value === null ? undefined
    : (_Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('latin1'))));
  const alpnList = (value) => {
    if (!value) return undefined;
    if (_Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString()));
    // The wire form: length-prefixed names in one buffer.
    const bytes = Buffer.from(value);
    const names = [];
    for (let i = 0; i < bytes.length; i += 1 + bytes[i]) names.push(bytes.subarray(i + 1, i + 1 + bytes[i]).toString());
    return names;
  };
  const settings = (o, hostname) => {
    if (o.cert || o.key || o.pfx) {
      throw nodeError(_Error, 'ERR_NOT_AVAILABLE', 'TLS client certificates (cert, key, pfx) are not available in Granary\'s isolate runtime; deploy with "isolation": "process" to use them');
    }
    return {
      servername: o.servername !== undefined ? _String(o.servername) : (isIP(hostname) ? '' : hostname),
      rejectUnauthorized: o.rejectUnauthorized !== false,
      ca: pems(o.ca),
      alpn: alpnList(o.ALPNProtocols),
    };
  };

  class TLSSocket extends Socket {
    constructor(socket, options) {
      super(options);
      this.encrypted = true;
      this.authorized = false;
      this.authorizationError = null;
      this.alpnProtocol = false;
      this.servername = null;
      this._protocol = null;
    }
    _secured(info) {
      this.authorized = !!info.authorized;
      this.authorizationError = info.authorizationError || null;
      this.alpnProtocol = info.alpnProtocol || false;
      this._protocol = info.protocol || null;
      this.emit('secureConnect');
    }
    getProtocol() { return this._protocol; }
    getPeerCertificate() { return {}; }
    getCipher() { return { name: 'unknown', standardName: 'unknown', version: this._protocol }; }
    getSession() { return undefined; }
    isSessionReused() { return false; }
    setServername(name) { this.servername = name; }
    setMaxSendFragment() { return true; }
    exportKeyingMaterial() { throw nodeError(_Error, 'ERR_NOT_AVAILABLE', 'exportKeyingMaterial is not available in Granary\'s isolate runtime'); }
  }

  function connect(...args) {
    let options = {};
    let callback;
    for (const arg of args) {
      if (typeof arg === 'function') callback = arg;
      else if (typeof arg === 'number' || (typeof arg === 'string' && /^\d+$/.test(arg))) options.port = arg;
      else if (typeof arg === 'string') options.host = arg;
      else if (arg && typeof arg === 'object') options = _Object.assign({}, arg, options);
    }
    if (options.socket) return upgrade(options, callback);
    const hostname = options.host || 'localhost';
    const socket = new TLSSocket(null, options);
    socket._tlsOptions = settings(options, hostname);
    socket.servername = socket._tlsOptions.servername || null;
    return socket.connect({ port: options.port === undefined ? 443 : options.port, host: hostname, timeout: options.timeout }, callback);
  }

  // Secures a connected net.Socket: the new TLSSocket takes its host socket over; the plain one no longer reads.
  function upgrade(options, callback) {
    const plain = options.socket;
    const hostname = options.host || plain._host || 'localhost';
    const tlsSettings = settings(options, hostname);
    const socket = new TLSSocket(null, options);
    socket._tlsOptions = tlsSettings;
    socket.servername = tlsSettings.servername || null;
    socket._host = hostname;
    socket.connecting = true;
    if (typeof callback === 'function') socket.once('secureConnect', callback);
    const handle = plain[kHandle];
    plain._upgraded = true;
    socket[kHandle] = handle;
    const id = socketOp((ok, _status, body) => {
      const info = _JSON.parse(body);
      socket.connecting = false;
      if (!ok) { socket.destroy(socketError(info)); return; }
      if (socket.destroyed) return;
      socket._adopt(info);
      socket._secured(info);
      socket._flushPending();
      if (socket._readWanted) socket._read();
    });
    const problem = handle ? hostCall(() => host.socketStartTls(id, handle, _JSON.stringify(tlsSettings))) : 'the socket is not connected';
    if (problem !== null && problem !== undefined) {
      hostOperations.delete(id);
      nextTick(() => socket.destroy(socketError({ code: 'ERR_SOCKET_CLOSED', message: problem === 'ERR_SOCKET_CLOSED' ? 'Socket is closed' : problem })));
    }
    // Closing one closes the other, as they share one connection.
    socket.once('close', () => { if (!plain.destroyed) plain.destroy(); });
    return socket;
  }

  const DEFAULT_CIPHERS = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
  return _freeze({
    connect, TLSSocket, createServer: notAvailable('tls.createServer'), Server: function Server() { notAvailable('tls.Server')(); },
    createSecureContext: (options) => ({ context: {}, options }), SecureContext: function SecureContext() {},
    checkServerIdentity: () => undefined, getCiphers: () => ['tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256', 'tls_aes_128_gcm_sha256'],
    rootCertificates: _freeze([]), DEFAULT_CIPHERS, DEFAULT_ECDH_CURVE: 'auto', DEFAULT_MIN_VERSION: 'TLSv1.2', DEFAULT_MAX_VERSION: 'TLSv1.3',
  });
});
