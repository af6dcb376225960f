// Granary isolate bootstrap, part 6: the CommonJS module loader and the entry points the host calls.

let entry = null;
let processEnv = {};

const processObject = {
  get env() { return processEnv; },
  nextTick: (fn, ...args) => { _Promise.resolve().then(() => fn(...args)).catch(reportUncaught); },
  platform: 'linux',
  arch: 'x64',
  argv: [],
  versions: _freeze({ granary: '1' }),
  cwd: () => '/',
  uptime: () => host.hrtime() / 1000,
  hrtime: _Object.assign((prev) => {
    const t = host.hrtime();
    const s = Math.floor(t / 1000), ns = Math.floor((t % 1000) * 1e6);
    if (!prev) return [s, ns];
    let ds = s - prev[0], dns = ns - prev[1];
    if (dns < 0) { ds--; dns += 1e9; }
    return [ds, dns];
  }, { bigint: () => BigInt(Math.floor(host.hrtime() * 1e6)) }),
  memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
  exit: () => { throw new _Error('process.exit() is not available to functions'); },
  on() { return processObject; },
  once() { return processObject; },
  off() { return processObject; },
  emitWarning: (w) => writeLog('warn', [w]),
};
defineGlobal('process', processObject);

function requireModule(name) {
  const e = new _Error(`Cannot find module '${name}'`);
  e.code = 'MODULE_NOT_FOUND';
  throw e;
}

function resolveHandler(exported, handlerName) {
  if (exported && (typeof exported === 'object' || typeof exported === 'function') && typeof exported[handlerName] === 'function') return exported[handlerName];
  if (typeof exported === 'function') return exported;
  if (exported && typeof exported.default === 'function') return exported.default;
  return null;
}

// Runs the module (the host compiled `wrapper` from the user's code) and binds the adapter.
// Returns null on success, else {kind, message, stack}.
function load(wrapper, metaJson) {
  const meta = _JSON.parse(metaJson);
  processEnv = _Object.assign(_Object.create(null), meta.env);
  const filename = `/function/${meta.name}.js`;
  const module = { id: '.', filename, path: '/function', exports: {}, loaded: false, children: [], paths: [], require: requireModule };
  try {
    wrapper.call(module.exports, module.exports, requireModule, module, filename, '/function');
  } catch (e) {
    return _JSON.stringify(_Object.assign({ kind: 'load' }, errorInfo(e)));
  }
  module.loaded = true;
  const fn = resolveHandler(module.exports, meta.handler);
  if (!fn) {
    const what = module.exports === null ? 'null' : typeof module.exports;
    return _JSON.stringify({
      kind: 'handler',
      message: `The module does not export a function '${meta.handler}': module.exports is ${what === 'object' ? `an object with keys [${_keys(module.exports).join(', ')}]` : what}. ` +
        `Export it with module.exports = { ${meta.handler} } or module.exports = async (event, context) => { ... }.`,
    });
  }
  const adapter = adapters[meta.signature];
  if (!adapter) return _JSON.stringify({ kind: 'handler', message: `Unknown signature '${meta.signature}'.` });
  entry = adapter(fn, meta);
  return null;
}

// Runs one invocation. A function that finishes without waiting (most do, even async ones) returns its
// result from this very call: one call into V8 per invocation. One that waits on timers returns null and
// reports later through host.complete(seq, json). json = {r: response, l: logs, x?: error, o?: outcome}.
function finish(out) {
  try {
    return _JSON.stringify({ r: out.r, l: takeLogs(), x: out.error !== undefined ? errorInfo(out.error) : undefined, o: out.outcome });
  } catch (e) {
    return _JSON.stringify({ r: serializeResponse(problem(500, 'Unserializable result', _String(e))), l: takeLogs(), x: errorInfo(e) });
  }
}
function failure(e) {
  if (e instanceof BadRequest) return { r: serializeResponse(problem(400, e.title, e.message)), outcome: 'bad-request' };
  return { r: serializeResponse(problem(500, 'Function adapter failed', _String(e && e.message))), error: e };
}
function invoke(seq, requestJson) {
  let out;
  try {
    out = entry(makeRequest(_JSON.parse(requestJson)));
  } catch (e) {
    out = failure(e);
  }
  if (out instanceof _Promise) {
    out.then((o) => host.complete(seq, finish(o)), (e) => host.complete(seq, finish(failure(e))));
    return null;
  }
  return finish(out);
}

return { load, invoke, fireTimer, takeLogs: () => _JSON.stringify(takeLogs()) };
