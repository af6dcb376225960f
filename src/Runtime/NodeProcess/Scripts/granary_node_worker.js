'use strict';
// Granary's Node.js worker ("isolation": "process"): one process, bound to at most one function version for its whole
// life. It speaks the worker protocol (src/Runtime/Python/Scripts/granary_worker.py has the full description; the
// host's side is src/Runtime/Workers/WorkerProcess.cs): frames of a 4-byte big-endian length and UTF-8 JSON on stdin
// and stdout.
//
//   worker -> host  {"op":"ready","pid":1234,"python":"20.11.1"}   (the version of Node, in the field the protocol has)
//   host -> worker  {"op":"load","code":"...","meta":{...},"uid":1000000123?}
//   worker -> host  {"op":"loaded","signature":"handler"} | {"op":"loaded","error":{"kind","message","stack"}}
//   host -> worker  {"op":"invoke","seq":7,"request":{...}}  ->  {"op":"result","seq":7,"result":{...}}
//   worker -> host  {"op":"call","id":3,"method":"cache.incr","args":{...}}  <-  {"op":"reply","id":3,"ok":true,"value":4}
//   worker -> host  {"op":"logs","seq":7,"logs":[...]}   (on SIGUSR2: the host is about to kill a timed-out invocation)
//   host -> worker  {"op":"exit"}
//
// The contracts' adapters are the isolate's own (src/Runtime/Signatures/*/*.js, with the bootstrap parts they stand
// on), run here in a scope of their own with a small `host` object: one adapter per contract for both modes.

const fs = require('fs');
const path = require('path');
const net = require('net');
const Module = require('module');
const nodeCrypto = require('crypto');

const SANDBOXED = process.env.GRANARY_SANDBOX === '1';
delete process.env.GRANARY_SANDBOX;
const SCRIPTS = __dirname;
const EGRESS_SOCKET = '/run/granary/egress.sock';
const PROTO_OUT = 1;

// Below the priority of the threads that serve requests (Granary:NodeProcess:WorkerNice).
try {
  const nice = parseInt(process.env.GRANARY_WORKER_NICE || '0', 10);
  if (nice > 0) require('os').setPriority(0, nice);
} catch (e) { /* not allowed: keep the priority */ }
delete process.env.GRANARY_WORKER_NICE;

// ---------------------------------------------------------------- frames
function send(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  let offset = 0;
  while (offset < frame.length) {
    try {
      offset += fs.writeSync(PROTO_OUT, frame, offset, frame.length - offset);
    } catch (e) {
      if (e.code !== 'EAGAIN') process.exit(1);
    }
  }
}

// The function's output never reaches the protocol stream: process.stdout and process.stderr are line writers that
// turn what is written into log lines of the invocation.
function lineWriter(level) {
  let partial = '';
  const stream = new (require('stream').Writable)({
    write(chunk, encoding, done) {
      const text = partial + (Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      const lines = text.split('\n');
      partial = lines.pop();
      for (const line of lines) bootstrap.writeLog(level, [line]);
      done();
    },
  });
  stream.flushPartial = () => { if (partial) { bootstrap.writeLog(level, [partial]); partial = ''; } };
  stream.isTTY = false;
  stream.fd = level === 'error' ? 2 : 1;
  return stream;
}

// ---------------------------------------------------------------- the contracts' adapters, shared with the isolate
const pendingCalls = new Map();
let nextCall = 0;
function hostCall(method, args) {
  const id = ++nextCall;
  return new Promise((resolve, reject) => {
    pendingCalls.set(id, { resolve, reject });
    send({ op: 'call', id, method, args });
  });
}

const startedAt = process.hrtime.bigint();
const host = {
  hrtime: () => Number(process.hrtime.bigint() - startedAt) / 1e6,
  randomHex: (n) => nodeCrypto.randomBytes(n).toString('hex'),
  setTimer: (id, delay) => { setTimeout(() => bootstrap.fireTimer(id), delay); },
  clearTimer: () => {},
  cacheIncr: (id, key, by) => {
    hostCall('cache.incr', { key, delta: by }).then((value) => bootstrap.completeCacheOp(id, true, JSON.stringify(value)), (e) => bootstrap.completeCacheOp(id, false, String(e.message)));
  },
};
// ClearScript's promise inspection has no public Node equivalent: every promise counts as pending, so the adapters take
// their asynchronous path (the answer is the same, one microtask later).
const engineInternal = { getPromiseState: () => 0, getPromiseResult: () => undefined };

// What the isolate's entry part (50-module.js) does for the adapters, for Node: the Kyma publisher's POST goes out
// with Node's own fetch (under the sandbox's egress tunnel), the Functions Framework's declarative API is a module.
const NODE_TAIL = `
function httpPost(url, headers, body) {
  return fetch(_String(url), { method: 'POST', headers: headers || {}, body: body === undefined ? '' : _String(body) }).then(async (r) => {
    const text = await r.text();
    let data = text;
    try { data = _JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
    const response = { status: r.status, statusText: r.statusText, headers: _Object.fromEntries(r.headers), data };
    if (r.status >= 200 && r.status < 300) return response;
    const error = new _Error('Request failed with status code ' + r.status);
    error.response = response;
    throw error;
  });
}
return { adapters, writeLog, takeLogs, consoleObject, makeRequest, serializeResponse, problem, BadRequest, errorInfo, fireTimer, completeCacheOp };
`;

function loadBootstrap() {
  const parts = fs.readdirSync(path.join(SCRIPTS, 'bootstrap')).filter((n) => n.endsWith('.js')).sort();
  // The isolate's own Buffer class gives way to Node's: a function's Buffer.isBuffer must know the adapters' buffers.
  const source = parts.map((n) => fs.readFileSync(path.join(SCRIPTS, 'bootstrap', n), 'utf8')).join('\n').replace(/\bclass Buffer\b/, 'class IsolateBuffer');
  // `globalThis` is a parameter: what the isolate's parts define as globals stays in this scope, and Node's own remain.
  const factory = require('vm').runInThisContext(`(function granaryAdapters(host, EngineInternal, globalThis) {\n'use strict';\n${source}\n${NODE_TAIL}\n})`, { filename: 'granary-adapters.js' });
  return factory(host, engineInternal, Object.create(null));
}
const bootstrap = loadBootstrap();

// ---------------------------------------------------------------- console and output
for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = bootstrap.consoleObject[level];
console.trace = bootstrap.consoleObject.trace || console.trace;
const stdoutWriter = lineWriter('log');
const stderrWriter = lineWriter('error');
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => stdoutWriter });
Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stderrWriter });
function takeLogs() {
  stdoutWriter.flushPartial();
  stderrWriter.flushPartial();
  return bootstrap.takeLogs();
}
process.on('uncaughtException', (e) => bootstrap.writeLog('error', ['Uncaught exception:', e]));
process.on('unhandledRejection', (e) => bootstrap.writeLog('error', ['Unhandled rejection:', e]));

// ---------------------------------------------------------------- egress (sandboxed only)
// The sandbox has a loopback and no other network. Every TCP connection to anywhere but the sandbox's own listeners
// goes to a relay in this process, which asks the host's egress proxy (a Unix socket mounted at EGRESS_SOCKET) for the
// real destination with CONNECT; the proxy resolves names and applies the tenant's egress policy. Each connection
// reaches the relay at an address of its own in 127.0.0.0/8, which tells the relay where it was going. What the policy
// refuses fails the socket with ECONNREFUSED and the proxy's reason.
const tunnels = new Map();
let relayPort = 0;
let nextTunnel = 0;
function listeningHere(port) {
  const suffix = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields.length > 3 && fields[3] === '0A' && fields[1].endsWith(suffix)) return true;
      }
    } catch (e) { /* no such table */ }
  }
  return false;
}
function refuse(socket, reason) {
  const error = new Error(reason);
  error.code = 'ECONNREFUSED';
  error.errno = -111;
  error.syscall = 'connect';
  socket.destroy(error);
}
function relay(client) {
  const id = client.localAddress.split('.').slice(1).reduce((n, x) => n * 256 + Number(x), 0);
  const tunnel = tunnels.get(id);
  tunnels.delete(id);
  client.pause();
  if (!tunnel) { client.destroy(); return; }
  // A relay passes writes on as they come: Nagle's algorithm would hold a response's second segment for an ACK.
  client.setNoDelay(true);
  const authority = tunnel.host.includes(':') ? `[${tunnel.host}]:${tunnel.port}` : `${tunnel.host}:${tunnel.port}`;
  const upstream = net.connect({ path: EGRESS_SOCKET });
  let head = Buffer.alloc(0);
  let settled = false;
  const onHead = (chunk) => {
    if (settled) return;
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    const headText = head.subarray(0, end).toString('latin1');
    const status = Number(headText.split(' ')[1]);
    if (status !== 200) {
      // The refusal's body says why: wait for all of it (Content-Length), or for the proxy to close.
      const length = Number((/\r\ncontent-length:\s*(\d+)/i.exec(headText) || [])[1] || 0);
      if (head.length < end + 4 + length && !upstream.readableEnded) {
        if (!upstream.listenerCount('end')) upstream.on('end', () => onHead(Buffer.alloc(0)));
        return;
      }
      settled = true;
      upstream.off('data', onHead);
      const reason = head.subarray(end + 4).toString('utf8').trim() || `Granary's egress proxy refused ${authority}`;
      upstream.destroy();
      client.destroy();
      refuse(tunnel.socket, reason);
      return;
    }
    settled = true;
    upstream.off('data', onHead);
    if (head.length > end + 4) client.write(head.subarray(end + 4));
    upstream.pipe(client);
    client.pipe(upstream);
    client.resume();
  };
  upstream.on('data', onHead);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('connect', () => upstream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
}
function startRelay() {
  return new Promise((resolve) => {
    const server = net.createServer({ pauseOnConnect: true }, relay);
    server.listen(0, '0.0.0.0', () => { relayPort = server.address().port; server.unref(); resolve(); });
  });
}
function installTunnel() {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function granaryConnect(...args) {
    let options;
    let rest;
    if (Array.isArray(args[0])) { options = args[0][0]; rest = args[0].slice(1); }
    else if (args[0] !== null && typeof args[0] === 'object') { options = args[0]; rest = args.slice(1); }
    else {
      options = { port: args[0] };
      rest = args.slice(1);
      if (typeof rest[0] === 'string') options.host = rest.shift();
    }
    if (!options || options.path || relayPort === 0) return connect.apply(this, args);
    const host = String(options.host || 'localhost');
    const port = Number(options.port);
    const loopback = host === 'localhost' || /^127\./.test(host) || host === '::1';
    if (loopback && listeningHere(port)) return connect.apply(this, args);
    const id = (nextTunnel = (nextTunnel % 0xFFFFFE) + 1);
    tunnels.set(id, { host: host === 'localhost' ? '127.0.0.1' : host, port, socket: this });
    const via = Object.assign({}, options, { host: `127.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`, port: relayPort, family: 4 });
    delete via.lookup;
    delete via.localAddress;
    return connect.call(this, via, ...rest.filter((x) => typeof x === 'function'));
  };
}

// ---------------------------------------------------------------- load
let entry = null;
const registered = new Map();
function register(signature) {
  return (name, fn) => {
    if (typeof fn !== 'function') throw new TypeError(`The function registered as '${name}' is not a function`);
    registered.set(String(name), { signature, fn });
  };
}
const functionsFramework = Object.freeze({ http: register('http'), cloudEvent: register('cloudevent'), getFunction: (n) => (registered.get(n) || {}).fn });

function capabilities() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapEff:'));
  return line ? parseInt(line.split(/\s+/)[1], 16) : -1;
}
function takeTenantIdentity(uid) {
  fs.chmodSync(process.cwd(), 0o700);
  if (process.geteuid() !== 0) {
    // Rootless sandbox: already the uid the host names, without any capability; anything else is not its sandbox.
    if (process.geteuid() !== uid || process.getuid() !== uid || capabilities() !== 0) process.exit(78);
    return;
  }
  fs.chownSync(process.cwd(), uid, uid);
  process.setgroups([]);
  process.setgid(uid);
  process.setuid(uid);
}

function errorInfo(e, kind) {
  return Object.assign({ kind }, bootstrap.errorInfo(e));
}
function resolveHandler(exported, name) {
  if (exported && (typeof exported === 'object' || typeof exported === 'function') && typeof exported[name] === 'function') return exported[name];
  if (typeof exported === 'function') return exported;
  if (exported && typeof exported.default === 'function') return exported.default;
  return null;
}

function load(message) {
  const meta = message.meta;
  if (SANDBOXED) {
    if (!Number.isInteger(message.uid) || message.uid <= 0) process.exit(78);
    takeTenantIdentity(message.uid);
  }
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, meta.env || {});
  if (meta.publisherProxyAddress) process.env.PUBLISHER_PROXY_ADDRESS = meta.publisherProxyAddress;
  const filename = path.join(process.cwd(), 'handler.js');
  try { fs.writeFileSync(filename, message.code); } catch (e) { /* read-only: the code runs from memory all the same */ }
  // An ES module's import resolves packages from its file's directory up (Node's ESM resolver has no module.paths and
  // no NODE_PATH): node_modules beside the handler is a link to the set's, so import finds what require finds.
  if (meta.packagesDirectory) {
    const link = path.join(process.cwd(), 'node_modules');
    try { fs.rmSync(link, { force: true }); fs.symlinkSync(path.join(meta.packagesDirectory, 'node_modules'), link, 'dir'); } catch (e) { /* read-only: require still finds the set */ }
  }
  const module = new Module(filename, null);
  module.filename = filename;
  module.paths = (meta.packagesDirectory ? [path.join(meta.packagesDirectory, 'node_modules')] : []).concat(Module._nodeModulePaths(path.dirname(filename)));
  const baseRequire = Module.prototype.require;
  module.require = function requireFromFunction(id) {
    if (id === '@google-cloud/functions-framework') return functionsFramework;
    return baseRequire.call(this, id);
  };
  try {
    module._compile(message.code, filename);
  } catch (e) {
    return errorInfo(e, e instanceof SyntaxError ? 'compile' : 'load');
  }
  module.loaded = true;
  const declared = registered.get(meta.handler);
  if (declared) meta.signature = declared.signature;
  const adapter = bootstrap.adapters[meta.signature];
  const fn = declared ? declared.fn : ((adapter && adapter.resolve) || resolveHandler)(module.exports, meta.handler);
  if (!fn) {
    const keys = module.exports && typeof module.exports === 'object' ? `an object with keys [${Object.keys(module.exports).join(', ')}]` : typeof module.exports;
    return { kind: 'handler', message: `The module does not export a function '${meta.handler}': module.exports is ${keys}. Export it with module.exports = { ${meta.handler} } or module.exports = async (event, context) => { ... }.` };
  }
  if (!adapter) return { kind: 'handler', message: `Unknown signature '${meta.signature}'.` };
  // At deployment the host lists the modules the code names by a literal (even inside the handler): each must be one of
  // Node's built-ins or resolve from the function's packages, or the deployment says which and where.
  const missing = (meta.checkRequests || []).filter((r) => !moduleAvailable(module, r.specifier));
  if (missing.length) {
    return { kind: 'module', line: missing[0].line, message: missing.map((r) => `line ${r.line}: Cannot find module '${r.specifier}': an npm package must be listed in the function's dependencies to be installed`).join('\n') };
  }
  entry = adapter(fn, meta);
  return meta.signature;
}

function moduleAvailable(module, specifier) {
  const name = String(specifier);
  if (name === '@google-cloud/functions-framework' || name.startsWith('.') || name.startsWith('/') || Module.isBuiltin(name) || /^[a-z][a-z0-9+.-]*:/i.test(name)) return true;
  try {
    Module._resolveFilename(name, module);
    return true;
  } catch (e) {
    // An ESM-only package (no require condition) is there all the same: import() finds it.
    return e && e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

// ---------------------------------------------------------------- invoke
let seq = 0;
function result(out) {
  const r = { response: out.response, logs: takeLogs() };
  if (out.error !== undefined) r.error = bootstrap.errorInfo(out.error);
  if (out.outcome !== undefined) r.outcome = out.outcome;
  if (out.changes !== undefined) r.changes = out.changes;
  return r;
}
function failure(e) {
  if (e instanceof bootstrap.BadRequest) return { response: bootstrap.serializeResponse(bootstrap.problem(400, e.title, e.message)), outcome: 'bad-request' };
  return { response: bootstrap.serializeResponse(bootstrap.problem(500, 'Function adapter failed', String(e && e.message))), error: e };
}
async function invoke(current, request) {
  let out;
  try {
    out = await entry(bootstrap.makeRequest(request));
  } catch (e) {
    out = failure(e);
  }
  let answer;
  try {
    answer = result(out);
    send({ op: 'result', seq: current, result: answer });
  } catch (e) {
    send({ op: 'result', seq: current, result: result(failure(e)) });
  }
}

function onFrame(message) {
  switch (message.op) {
    case 'invoke':
      seq = message.seq;
      invoke(seq, message.request);
      break;
    case 'reply': {
      const call = pendingCalls.get(message.id);
      pendingCalls.delete(message.id);
      if (call) { if (message.ok) call.resolve(message.value); else call.reject(new Error(message.error || 'The host refused the call.')); }
      break;
    }
    case 'load': {
      let outcome;
      try { outcome = load(message); } catch (e) { outcome = errorInfo(e, 'load'); }
      takeLogs();
      send(typeof outcome === 'string' ? { op: 'loaded', signature: outcome } : { op: 'loaded', error: outcome });
      break;
    }
    case 'exit':
      process.exit(0);
      break;
    default:
      break;
  }
}

function readFrames() {
  const input = new net.Socket({ fd: 0, readable: true, writable: false });
  let buffer = Buffer.alloc(0);
  input.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (buffer.length < 4 + length) break;
      const body = buffer.subarray(4, 4 + length);
      buffer = buffer.subarray(4 + length);
      onFrame(JSON.parse(body.toString('utf8')));
    }
  });
  // The host's end closed: the host is gone, and so is this worker (and with it its sandbox).
  input.on('end', () => process.exit(0));
  input.on('error', () => process.exit(1));
}

// The host timed an invocation out and kills the process next: hand over the logs so far (when the loop is free).
process.on('SIGUSR2', () => send({ op: 'logs', seq, logs: takeLogs() }));
process.on('SIGPIPE', () => {});

// A silo running as root starts unsandboxed workers as an unprivileged user (Granary:NodeProcess:WorkerUser).
function dropPrivileges() {
  const uid = process.env.GRANARY_WORKER_UID;
  const gid = process.env.GRANARY_WORKER_GID;
  delete process.env.GRANARY_WORKER_UID;
  delete process.env.GRANARY_WORKER_GID;
  if (uid === undefined || process.geteuid() !== 0) return;
  fs.chownSync(process.cwd(), Number(uid), Number(gid));
  process.setgroups([]);
  process.setgid(Number(gid));
  process.setuid(Number(uid));
}

// What a cold start would otherwise run for the first time (and so compile) is run once now, on a module of the
// worker's own: Node's CommonJS loader, each contract's adapter, and one invocation through the default one. The warm
// pool hides this cost; nothing of it stays (no module is cached, the logs are dropped).
async function prewarm() {
  const filename = path.join(SCRIPTS, 'prewarm.js');
  const module = new Module(filename, null);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(process.cwd());
  module._compile('module.exports = async (event) => ({ ok: true, event });', filename);
  const meta = { name: 'prewarm', workspace: 'prewarm', tenant: 'prewarm', handler: 'main', signature: 'handler', runtime: 'nodejs', timeoutSeconds: 1, memoryLimitMb: 0, bodySizeLimitMb: 1, env: {} };
  for (const signature of Object.keys(bootstrap.adapters)) {
    try { bootstrap.adapters[signature](module.exports, Object.assign({}, meta, { signature })); } catch (e) { /* an adapter that wants another module shape */ }
  }
  const entry = bootstrap.adapters.handler(module.exports, meta);
  const request = { method: 'POST', path: '/', query: '', headers: [['content-type', 'application/json']], body: '{"a":1}', encoding: 'utf8' };
  try { result(await entry(bootstrap.makeRequest(request))); } catch (e) { /* prewarming only */ }
  takeLogs();
}

async function main() {
  await prewarm();
  if (!SANDBOXED) dropPrivileges();
  if (SANDBOXED) {
    await startRelay();
    installTunnel();
  }
  readFrames();
  send({ op: 'ready', pid: process.pid, python: process.versions.node });
}
main();
