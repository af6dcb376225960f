// ---------------------------------------------------------------- process (the global and require('process'))
// A function's process is its isolate's, not the silo's: nothing here reads or changes the host. Its values are
// fixed (a Linux x64 Node 20, pid 1, working directory '/'), its env is the function's own, and what would end or
// signal a process throws instead.
let processEnv = {};
let processArgv = ['/usr/local/bin/node'];
let functionMemoryLimitMb = 128;
// The Node version the isolate's built-ins follow (streams are Node 20.20's own), for libraries that check it.
const NODE_VERSION = '20.20.0';

// Called by load (50-module.js) with the function's meta before its module runs.
function configureProcess(meta, filename) {
  processEnv = _Object.assign(_Object.create(null), meta.env);
  processArgv = ['/usr/local/bin/node', filename];
  if (meta.memoryLimitMb > 0) functionMemoryLimitMb = meta.memoryLimitMb;
}

// process.nextTick's queue runs before promise callbacks, as Node's does: every entry from the host (an invocation,
// a timer, a host operation's completion) drains it before it returns and V8 runs the microtasks. A tick queued from
// a promise callback cannot jump the promises already queued; it runs as a microtask of its own, drained in order.
const tickQueue = [];
let tickHead = 0;
let tickDrainQueued = false;
function nextTick(callback, ...args) {
  if (typeof callback !== 'function') throw builtinInternals().invalidArgType('callback', 'Function', callback);
  tickQueue.push({ callback, args });
  if (!tickDrainQueued) {
    tickDrainQueued = true;
    _Promise.resolve().then(runTicks);
  }
}
function runTicks() {
  tickDrainQueued = false;
  while (tickHead < tickQueue.length) {
    const tick = tickQueue[tickHead];
    tickQueue[tickHead++] = undefined;
    try { tick.callback(...tick.args); } catch (e) { reportUncaught(e); }
    // Ticks that queue ticks would otherwise grow the array for as long as they run.
    if (tickHead >= 1024) {
      tickQueue.splice(0, tickHead);
      tickHead = 0;
    }
  }
  tickQueue.length = 0;
  tickHead = 0;
}
// Wraps an entry point the host calls so that the ticks it queued run before it returns. Only the outermost entry
// drains: a host call that completes an operation while script runs (nested) must not run ticks in the middle of
// the code that made it.
let entryDepth = 0;
function drainingTicks(entryPoint) {
  return (...args) => {
    entryDepth++;
    try {
      return entryPoint(...args);
    } finally {
      if (--entryDepth === 0) runTicks();
    }
  };
}

// process is an EventEmitter in Node; here its listeners are kept (libraries add 'exit', 'warning' or signal
// handlers) but only 'warning' is ever emitted: the isolate never exits and receives no signals.
let processEmitter;
const processEmitterOf = () => processEmitter || (processEmitter = new (builtinEvents())());
const processEmitterMethod = (name) => function (...args) {
  const result = processEmitterOf()[name](...args);
  return result === processEmitter ? processObject : result;
};
const processNotAvailable = (what) => () => { throw new _Error(`${what} is not available to functions`); };

// process.stdout and process.stderr: writable streams whose lines go to the invocation's log (made on first use).
let processStdout, processStderr;
function processLogStream(level, fd) {
  const { Writable } = builtinStream();
  let pending = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, encoding, callback) {
      pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) writeLog(level, [line]);
      callback();
    },
    final(callback) {
      if (pending) writeLog(level, [pending]);
      pending = '';
      callback();
    },
  });
  stream.fd = fd;
  stream.isTTY = false;
  stream.columns = undefined;
  stream.hasColors = () => false;
  stream.getColorDepth = () => 1;
  return stream;
}

const processObject = {
  get env() { return processEnv; },
  get argv() { return processArgv; },
  argv0: 'node',
  execArgv: [],
  execPath: '/usr/local/bin/node',
  title: 'node',
  pid: 1,
  ppid: 0,
  platform: 'linux',
  arch: 'x64',
  version: `v${NODE_VERSION}`,
  versions: _freeze({ node: NODE_VERSION, granary: '1' }),
  release: _freeze({ name: 'node', lts: 'Iron' }),
  config: _freeze({ variables: _freeze({}) }),
  features: _freeze({ inspector: false, debug: false, uv: false, ipv6: true, tls_alpn: false, tls_sni: false, tls_ocsp: false, tls: false, cached_builtins: true }),
  exitCode: undefined,
  noDeprecation: false,
  throwDeprecation: false,
  traceDeprecation: false,
  nextTick,
  cwd: () => '/',
  chdir: processNotAvailable('process.chdir()'),
  umask: () => 0o22,
  getuid: () => 1000,
  geteuid: () => 1000,
  getgid: () => 1000,
  getegid: () => 1000,
  getgroups: () => [1000],
  uptime: () => host.hrtime() / 1000,
  hrtime: _Object.assign((prev) => {
    const t = host.hrtime();
    const s = Math.floor(t / 1000), ns = Math.floor((t % 1000) * 1e6);
    if (!prev) return [s, ns];
    let ds = s - prev[0], dns = ns - prev[1];
    if (dns < 0) { ds--; dns += 1e9; }
    return [ds, dns];
  }, { bigint: () => BigInt(Math.floor(host.hrtime() * 1e6)) }),
  memoryUsage: _Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
  cpuUsage: () => ({ user: 0, system: 0 }),
  exit: processNotAvailable('process.exit()'),
  reallyExit: processNotAvailable('process.exit()'),
  abort: processNotAvailable('process.abort()'),
  kill: processNotAvailable('process.kill()'),
  dlopen: processNotAvailable('process.dlopen()'),
  binding: processNotAvailable('process.binding()'),
  setUncaughtExceptionCaptureCallback() {},
  hasUncaughtExceptionCaptureCallback: () => false,
  emitWarning(warning, type, code) {
    let name = 'Warning';
    if (type !== null && typeof type === 'object') ({ type: name = 'Warning', code } = type);
    else if (typeof type === 'string') name = type;
    if (typeof warning === 'string') {
      warning = _Object.assign(new _Error(warning), { name });
      if (code !== undefined) warning.code = code;
    }
    if (warning.name === 'DeprecationWarning' && processObject.noDeprecation) return;
    // As Node: emitted on the next tick, and written (to the log, Node's stderr) whatever the listeners.
    nextTick(() => {
      if (processEmitter) processEmitter.emit('warning', warning);
      writeLog('warn', [`${warning.code !== undefined ? `[${warning.code}] ` : ''}${warning.name}: ${warning.message}`]);
    });
  },
  get stdout() { return processStdout || (processStdout = processLogStream('log', 1)); },
  get stderr() { return processStderr || (processStderr = processLogStream('error', 2)); },
};
for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners',
  'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'setMaxListeners', 'getMaxListeners', 'emit']) {
  processObject[name] = processEmitterMethod(name);
}
// Object.prototype.toString says '[object process]' in Node; axios picks its http adapter by it.
_defineProperty(processObject, _Symbol.toStringTag, { value: 'process', configurable: true });
defineGlobal('process', processObject);
