// Granary isolate bootstrap, part 7: the CommonJS module loader and the entry points the host calls.
//
// The wire format (read and written by Granary.Runtime.Execution.InvocationJson; the Python worker speaks it too).
// invoke(seq, requestJson) gets the request:
//   {method: 'POST', path: '/a/b', query: '?x=1' or '', headers: [[name, value], ...], body: '...',
//    encoding: 'utf8' | 'base64', event?: {...} (the event the host prepared), state?: {...} (a workspace's cache)}
// and returns (or hands to host.complete) the result:
//   {response: {status, headers: [[name, value], ...], body, encoding},
//    logs: [{level, message, time (unix ms)}, ...],
//    error?: {name, message, stack?} (what the function threw; the response already says so),
//    outcome?: 'bad-request' | 'health' | 'preflight' | 'ignored' (answered without the function's own result),
//    changes?: '{...}' (what the run changed in that state, a JSON string)}
// takeLogs() returns the logs array alone (a timed-out invocation's lines).

let entry = null;

// Outbound HTTP, for the few built-ins that need it (Kyma's emitCloudEvent): the host performs the request
// and settles the promise through completeOp. The result looks like an axios response.
function httpPost(url, headers, body) {
  return hostOperation((id) => host.post(id, _String(url), _JSON.stringify(headers || {}), body === undefined ? '' : _String(body)));
}
function completeOp(id, ok, status, headersJson, body) {
  const op = takeHostOperation(id);
  if (!op) return;
  // fetch's operations (32-fetch.js) read the host's answer themselves.
  if (op.raw) { op.raw(ok, status, headersJson, body); return; }
  if (!ok) { op.reject(new _Error(body)); return; }
  let data = body;
  try { data = _JSON.parse(body); } catch (e) { /* not JSON: keep the text */ }
  const response = { status, statusText: STATUS_TEXT[status] || '', headers: _JSON.parse(headersJson), data };
  if (status >= 200 && status < 300) op.resolve(response);
  else {
    const error = new _Error(`Request failed with status code ${status}`);
    error.response = response;
    op.reject(error);
  }
}

// The Functions Framework's declarative API (require('@google-cloud/functions-framework')): a function
// registered in code wins over a module export of the same name and sets its own signature, as the
// contract's precedence says (source code over flags over environment).
const registered = new Map();
const REGISTERED_NAME = /^[A-Za-z](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
function register(signature) {
  return (name, fn) => {
    if (!REGISTERED_NAME.test(_String(name))) throw new _Error(`Invalid function name '${name}'`);
    if (typeof fn !== 'function') throw new TypeError(`The function registered as '${name}' is not a function`);
    registered.set(_String(name), { signature, fn });
  };
}
const functionsFramework = _freeze({
  http: register('http'),
  cloudEvent: register('cloudevent'),
  getFunction: (name) => (registered.get(name) || {}).fn,
});

// A file system exists only in single-function mode (granary serve), rooted in its working directory.
function fsModule() {
  const fail = (path) => { const e = new _Error(`ENOENT: no such file or directory, open '${path}'`); e.code = 'ENOENT'; return e; };
  const toText = (data, encoding) => typeof data === 'string' ? Buffer.from(data, encoding).toString('base64') : Buffer.from(data).toString('base64');
  const fs = {
    writeFileSync: (path, data, options) => { host.fsWrite(_String(path), toText(data, typeof options === 'string' ? options : options && options.encoding), false); },
    appendFileSync: (path, data, options) => { host.fsWrite(_String(path), toText(data, typeof options === 'string' ? options : options && options.encoding), true); },
    readFileSync: (path, options) => {
      const b64 = host.fsRead(_String(path));
      if (b64 === null) throw fail(path);
      const bytes = Buffer.from(b64, 'base64');
      const encoding = typeof options === 'string' ? options : options && options.encoding;
      return encoding ? bytes.toString(encoding) : bytes;
    },
    existsSync: (path) => host.fsExists(_String(path)),
    mkdirSync: (path) => { host.fsMkdir(_String(path)); },
  };
  fs.promises = {
    writeFile: async (...a) => fs.writeFileSync(...a),
    appendFile: async (...a) => fs.appendFileSync(...a),
    readFile: async (...a) => fs.readFileSync(...a),
    mkdir: async (...a) => fs.mkdirSync(...a),
  };
  return _freeze(fs);
}

let fsEnabled = false;
let packagesEnabled = false;
let allowedBuiltins = new Set();
function moduleError(message, code) {
  const e = new _Error(message);
  e.code = code;
  return e;
}
// The function's own require; a package file's require passes its directory as `fromDirectory`.
function requireModule(specifier) {
  return requireFrom(specifier, undefined);
}
requireModule.resolve = (request) => resolveFrom(request, undefined);
function requireFrom(specifier, fromDirectory) {
  const name = _String(specifier);
  if (name === '@google-cloud/functions-framework') return functionsFramework;
  const builtin = name.startsWith('node:') ? name.slice(5) : name;
  if (NODE_BUILTINS.has(builtin)) return requireBuiltin(builtin);
  if (packagesEnabled) {
    // Resolutions are remembered, so a require inside the handler costs a map lookup, not file-system calls.
    const key = `${fromDirectory || ''}\0${name}`;
    let resolved = packageResolutions.get(key);
    if (resolved === undefined) {
      const found = host.pkgResolve(fromDirectory || '', name);
      if (found !== null && found !== undefined) packageResolutions.set(key, resolved = _String(found));
    }
    if (resolved !== undefined) return loadPackageModule(resolved);
  }
  throw moduleError(cannotFind(name, fromDirectory), 'MODULE_NOT_FOUND');
}

// Why a require found nothing; a bare name is a package the function's dependencies did not list.
function cannotFind(name, fromDirectory) {
  const from = fromDirectory ? ` from '${fromDirectory}'` : '';
  const bare = !(name.startsWith('.') || name.startsWith('/'));
  return bare
    ? `Cannot find module '${name}'${from}: an npm package must be listed in the function's dependencies to be installed`
    : `Cannot find module '${name}'${from}`;
}

// require.resolve: a built-in's own name, else the file a package require would load.
function resolveFrom(request, fromDirectory) {
  const name = _String(request);
  const builtin = name.startsWith('node:') ? name.slice(5) : name;
  if (NODE_BUILTINS.has(builtin)) return name;
  const resolved = packagesEnabled ? host.pkgResolve(fromDirectory || '', name) : null;
  if (resolved === null || resolved === undefined) {
    throw moduleError(`Cannot find module '${name}'${fromDirectory ? ` from '${fromDirectory}'` : ''}`, 'MODULE_NOT_FOUND');
  }
  return _String(resolved);
}

// npm packages, loaded as Node loads CommonJS: one module object per resolved file, cached before it runs,
// so cycles and repeated requires see the same exports. Each module's require resolves from its own
// directory and still reaches the built-ins. Only the host reads files, and only under the packages root.
const _Function = Function;
const packageModules = new Map();
const packageResolutions = new Map();
const packageRequireCache = _Object.create(null);
function loadPackageModule(filename) {
  const cached = packageModules.get(filename);
  if (cached) return cached.exports;
  const format = host.pkgFormat(filename);
  if (format === 'module') {
    throw moduleError(`require() of ES module ${filename} is not supported: load it with \`await import(...)\` (a CommonJS function may), or write the function as an ES module`, 'ERR_REQUIRE_ESM');
  }
  if (filename.endsWith('.node')) {
    throw moduleError(`Cannot load native addon ${filename}: Granary's isolate runtime runs pure JavaScript packages only. Deploy the function with "isolation": "process" to run it in Node.js itself`, 'ERR_DLOPEN_FAILED');
  }
  const source = host.pkgRead(filename);
  if (source === null || source === undefined) throw moduleError(`Cannot find module '${filename}'`, 'MODULE_NOT_FOUND');
  const dirname = filename.slice(0, filename.lastIndexOf('/')) || '/';
  const module = { id: filename, filename, path: dirname, exports: {}, loaded: false, children: [], paths: [] };
  const require = (request) => requireFrom(request, dirname);
  require.resolve = (request) => resolveFrom(request, dirname);
  require.cache = packageRequireCache;
  module.require = require;
  packageModules.set(filename, module);
  try {
    if (format === 'json') {
      try {
        module.exports = _JSON.parse(source.charCodeAt(0) === 0xFEFF ? source.slice(1) : source);
      } catch (e) {
        e.message = `${filename}: ${e.message}`;
        throw e;
      }
    } else {
      // A shebang line is not JavaScript; Node ignores it.
      const body = source.startsWith('#!') ? '//' + source : source;
      // Compiled by the host as a document named by its path, wrapped as the function's own code is (EngineInternal,
      // ClearScript's helpers, shadowed): its stack traces name the file, and its import() resolves from its directory.
      const compiled = host.pkgCompile(filename, body);
      compiled.call(module.exports, module.exports, require, module, filename, dirname);
    }
  } catch (e) {
    packageModules.delete(filename);
    throw e;
  }
  module.loaded = true;
  return module.exports;
}

// Every name Node 20 treats as a built-in module (require('module').builtinModules), so that a missing one is told
// apart from an npm package.
const NODE_BUILTINS = new Set(['assert', 'assert/strict', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console',
  'constants', 'crypto', 'dgram', 'diagnostics_channel', 'dns', 'dns/promises', 'domain', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'inspector', 'inspector/promises', 'module', 'net', 'os', 'path', 'path/posix', 'path/win32', 'perf_hooks',
  'process', 'punycode', 'querystring', 'readline', 'readline/promises', 'repl', 'stream', 'stream/consumers',
  'stream/promises', 'stream/web', 'string_decoder', 'sys', 'timers', 'timers/promises', 'tls', 'trace_events', 'tty', 'url',
  'util', 'util/types', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib']);

// A built-in is implemented (builtins/registry.js) or not; an implemented one is allowed when its module is on the
// allow list ('stream' allows 'stream/promises'). One Granary does not implement says so whatever the list says, and
// names the way to have all of Node: process isolation, where the function runs in real Node.
function requireBuiltin(builtin) {
  // fs loads whatever the allow list says: without single-function mode's directory every call fails (builtins/fs.js).
  if (builtin === 'fs') return builtinFs();
  if (builtin === 'fs/promises') return builtinFs().promises;
  if (!Object.prototype.hasOwnProperty.call(builtinModules, builtin)) {
    throw moduleError(`The Node built-in module '${builtin}' is not implemented in Granary's isolate runtime. ` +
      `Deploy the function with "isolation": "process" to run it in Node.js itself, where every built-in module is available.`,
    'ERR_MODULE_NOT_IMPLEMENTED');
  }
  const top = builtin.split('/')[0];
  if (!allowedBuiltins.has(top)) {
    throw moduleError(`The Node built-in module '${builtin}' is not allowed (Granary:JavaScript:AllowedBuiltinModules, NODE_BUILTIN_MODULES)`, 'ERR_MODULE_NOT_ALLOWED');
  }
  // Each factory is memoised (builtinOnce), so every require of a module gets the same instance.
  return builtinModules[builtin]();
}

// Deploy time: why each module the function's code names by a literal (anywhere in it, so also the requires that run only
// inside the handler; the host lists them from the source) would fail here, as {kind, line, message} (the first problem's
// line, and one "line N: why" each), the shape process mode's worker gives; '' when all are there.
// Built-ins are required as the function would; packages are only resolved, never run, unless loadPackages (the set
// holds a native addon, which only loading finds out about; an ESM-only package is left to import()).
function checkRequests(requestsJson, loadPackages) {
  const problems = [];
  const fail = (line, message) => problems.push({ line, message });
  for (const { specifier, line } of _JSON.parse(requestsJson)) {
    const name = _String(specifier);
    const builtin = name.startsWith('node:') ? name.slice(5) : name;
    if (name === '@google-cloud/functions-framework' || name.startsWith('.') || name.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(builtin)) continue;
    if (NODE_BUILTINS.has(builtin)) {
      try { requireBuiltin(builtin); } catch (e) { fail(line, e.message); }
    } else if (!(packagesEnabled && host.pkgFound(name))) {
      fail(line, cannotFind(name));
    } else if (loadPackages) {
      try { requireFrom(name, undefined); } catch (e) { if (!e || e.code !== 'ERR_REQUIRE_ESM') fail(line, e && e.message); }
    }
  }
  if (!problems.length) return '';
  return _JSON.stringify({ kind: 'module', line: problems[0].line, message: problems.map((p) => `line ${p.line}: ${p.message}`).join('\n') });
}

function resolveHandler(exported, handlerName) {
  if (exported && (typeof exported === 'object' || typeof exported === 'function') && typeof exported[handlerName] === 'function') return exported[handlerName];
  if (typeof exported === 'function') return exported;
  if (exported && typeof exported.default === 'function') return exported.default;
  return null;
}

// Takes the function's settings before any of its code runs (an ES module's body runs while the host evaluates it).
let configured = null;
function configure(metaJson, filename) {
  const meta = configured = _JSON.parse(metaJson);
  configureProcess(meta, filename || `/function/${meta.name}.mjs`);
  // Kyma's platform sets PUBLISHER_PROXY_ADDRESS; here it is Granary's configuration, whatever the function's env says.
  if (meta.publisherProxyAddress) processEnv.PUBLISHER_PROXY_ADDRESS = meta.publisherProxyAddress;
  fsEnabled = !!meta.fileSystem;
  packagesEnabled = !!meta.packages;
  allowedBuiltins = new Set(meta.builtinModules || []);
  return meta;
}

// Runs the module (the host compiled `wrapper` from the user's code) and binds the adapter.
// Returns {signature} (the one in force, which code registration may change) on success, else {kind, message, stack}.
function load(wrapper, metaJson) {
  const meta = _JSON.parse(metaJson);
  const filename = `/function/${meta.name}.js`;
  configure(metaJson, filename);
  const module = { id: '.', filename, path: '/function', exports: {}, loaded: false, children: [], paths: [], require: requireModule };
  try {
    wrapper.call(module.exports, module.exports, requireModule, module, filename, '/function');
  } catch (e) {
    return _JSON.stringify(_Object.assign({ kind: 'load' }, errorInfo(e)));
  }
  module.loaded = true;
  return bind(module.exports, meta, false);
}

// Finds the function in what the module exports (module.exports, or an ES module's namespace, which the contracts read
// alike: a named export is a property, export default is `default`) and binds its signature's adapter.
function bind(exported, meta, esm) {
  const declared = registered.get(meta.handler);
  if (declared) meta.signature = declared.signature;
  const adapter = adapters[meta.signature];
  const fn = declared ? declared.fn : ((adapter && adapter.resolve) || resolveHandler)(exported, meta.handler);
  if (!fn) {
    const what = exported === null ? 'null' : typeof exported;
    return _JSON.stringify({
      kind: 'handler',
      message: esm
        ? `The module does not export a function '${meta.handler}': its exports are [${_keys(exported).join(', ')}]. ` +
          `Export it with export function ${meta.handler}(event, context) { ... } or export default async (event, context) => { ... }.`
        : `The module does not export a function '${meta.handler}': module.exports is ${what === 'object' ? `an object with keys [${_keys(exported).join(', ')}]` : what}. ` +
          `Export it with module.exports = { ${meta.handler} } or module.exports = async (event, context) => { ... }.`,
    });
  }
  if (!adapter) return _JSON.stringify({ kind: 'handler', message: `Unknown signature '${meta.signature}'.` });
  entry = adapter(fn, meta);
  return _JSON.stringify({ signature: meta.signature });
}

// Runs one invocation. A function that finishes without waiting (most do, even async ones) returns its
// result from this very call: one call into V8 per invocation. One that waits on timers returns null and
// reports later through host.complete(seq, json), json being the result in the wire format above.
function finish(out) {
  try {
    // Only the keys present: stringify then walks two properties, not five (what keeps the readable keys as cheap as
    // the one-letter ones were).
    const result = { response: out.response, logs: takeLogs() };
    if (out.error !== undefined) result.error = errorInfo(out.error);
    if (out.outcome !== undefined) result.outcome = out.outcome;
    if (out.changes !== undefined) result.changes = out.changes;
    return _JSON.stringify(result);
  } catch (e) {
    return _JSON.stringify({ response: serializeResponse(problem(500, 'Unserializable result', _String(e))), logs: takeLogs(), error: errorInfo(e) });
  }
}
function failure(e) {
  if (e instanceof BadRequest) return { response: serializeResponse(problem(400, e.title, e.message)), outcome: 'bad-request' };
  return { response: serializeResponse(problem(500, 'Function adapter failed', _String(e && e.message))), error: e };
}
function invoke(seq, requestJson) {
  let out;
  try {
    out = entry(makeRequest(_JSON.parse(requestJson)));
  } catch (e) {
    out = failure(e);
  }
  if (entryDepth === 1) runTicks();
  if (out instanceof _Promise) {
    out.then((o) => host.complete(seq, finish(o)), (e) => host.complete(seq, finish(failure(e))));
    return null;
  }
  return finish(out);
}

return {
  load: drainingTicks(load),
  invoke: drainingTicks(invoke),
  fireTimer: drainingTicks(fireTimer),
  completeOp: drainingTicks(completeOp),
  completeCacheOp: drainingTicks(completeCacheOp),
  takeLogs: () => _JSON.stringify(takeLogs()),
  checkRequests: drainingTicks(checkRequests),
  configure: (metaJson) => { configure(metaJson); },
  // After the warm-up of an isolate made ahead of need (V8Isolate.Prime): forgets the warm-up's function. Its load set
  // nothing else that the function's own load does not set again (the process's env and argv, the flags, the entry).
  unprime: () => { entry = null; configured = null; takeLogs(); },
  loadModule: drainingTicks(loadModule),
  builtinShim,
  packageShim,
};
