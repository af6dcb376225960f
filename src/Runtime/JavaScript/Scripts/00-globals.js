// Granary isolate bootstrap, part 1: the web and Node globals a function may use.
// Runs once per isolate, before any user code. `host` is the only bridge to .NET; it is captured in this
// closure and never reachable from user code. Everything here must work without any host object leaking.

const _JSON = JSON;
const _String = String;
const _Object = Object;
const _Array = Array;
const _Error = Error;
const _Promise = Promise;
const _Date = Date;
const _Symbol = Symbol;
const _Uint8Array = Uint8Array;
const _freeze = Object.freeze;
const _defineProperty = Object.defineProperty;
const _keys = Object.keys;

// ClearScript's native promise inspection, taken before any user code can replace it: it lets an adapter
// finish synchronously when a handler's promise is already settled (an async function that never awaited).
const _promiseState = EngineInternal.getPromiseState;
const _promiseResult = EngineInternal.getPromiseResult;

// Calls onValue/onError now if `value` is not a promise or is a settled native promise; otherwise returns
// a promise that does so once it settles.
function settle(value, onValue, onError) {
  if (value instanceof _Promise) {
    const state = _promiseState(value);
    if (state === 1) return onValue(_promiseResult(value));
    if (state === 2) { value.catch(() => {}); return onError(_promiseResult(value)); }
    return value.then(onValue, onError);
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    return _Promise.resolve(value).then(onValue, onError);
  }
  return onValue(value);
}

// Work the host does asynchronously (an outbound request, a cache increment): `start(id)` hands it to the host,
// which later calls back with the id (completeOp, completeCacheOp) to settle the promise.
const hostOperations = new Map();
let nextHostOperation = 1;
function hostOperation(start) {
  return new _Promise((resolve, reject) => {
    const id = nextHostOperation++;
    hostOperations.set(id, { resolve, reject });
    start(id);
  });
}
function takeHostOperation(id) {
  const op = hostOperations.get(id);
  hostOperations.delete(id);
  return op;
}

function defineGlobal(name, value) {
  _defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

// ---------------------------------------------------------------- inspect / format (console)
const inspectCircular = '[Circular *]';
function inspect(value, depth, seen) {
  if (depth === undefined) depth = 2;
  if (seen === undefined) seen = [];
  switch (typeof value) {
    case 'string': return seen.length ? _JSON.stringify(value).replace(/^"|"$/g, "'") : value;
    case 'number': return Object.is(value, -0) ? '-0' : _String(value);
    case 'bigint': return _String(value) + 'n';
    case 'boolean': return _String(value);
    case 'undefined': return 'undefined';
    case 'symbol': return value.toString();
    case 'function': return value.name ? `[Function: ${value.name}]` : '[Function (anonymous)]';
  }
  if (value === null) return 'null';
  if (seen.includes(value)) return inspectCircular;
  if (value instanceof _Error) return value.stack ? _String(value.stack) : `${value.name}: ${value.message}`;
  if (value instanceof _Date) return isNaN(value) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return value.toString();
  if (value instanceof _Promise) return 'Promise { <pending> }';
  if (typeof Buffer === 'function' && value instanceof Buffer) {
    const hex = [];
    for (let i = 0; i < Math.min(value.length, 50); i++) hex.push(value[i].toString(16).padStart(2, '0'));
    return `<Buffer ${hex.join(' ')}${value.length > 50 ? ` ... ${value.length - 50} more bytes` : ''}>`;
  }
  if (depth < 0) return _Array.isArray(value) ? '[Array]' : '[Object]';
  const next = seen.concat([value]);
  if (value instanceof Map) {
    const parts = [];
    for (const [k, v] of value) parts.push(`${inspect(k, depth - 1, next)} => ${inspect(v, depth - 1, next)}`);
    return `Map(${value.size}) {${parts.length ? ' ' + parts.join(', ') + ' ' : ''}}`;
  }
  if (value instanceof Set) {
    const parts = [];
    for (const v of value) parts.push(inspect(v, depth - 1, next));
    return `Set(${value.size}) {${parts.length ? ' ' + parts.join(', ') + ' ' : ''}}`;
  }
  if (_Array.isArray(value) || ArrayBuffer.isView(value)) {
    const parts = [];
    const n = Math.min(value.length, 100);
    for (let i = 0; i < n; i++) parts.push(inspect(value[i], depth - 1, next));
    if (value.length > n) parts.push(`... ${value.length - n} more items`);
    const prefix = _Array.isArray(value) ? '' : `${value.constructor.name}(${value.length}) `;
    return parts.length ? `${prefix}[ ${parts.join(', ')} ]` : `${prefix}[]`;
  }
  const keys = _keys(value);
  const parts = keys.map(k => {
    const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`;
    let v;
    try { v = inspect(value[k], depth - 1, next); } catch (e) { v = '[Getter threw]'; }
    return `${key}: ${v}`;
  });
  const ctor = value.constructor && value.constructor !== _Object && value.constructor.name ? value.constructor.name + ' ' : '';
  if (!parts.length) return `${ctor}{}`;
  return `${ctor}{ ${parts.join(', ')} }`;
}

function format(args) {
  if (!args.length) return '';
  let first = args[0];
  let rest = 1;
  let out;
  if (typeof first === 'string' && first.includes('%')) {
    out = first.replace(/%([sdifjoOc%])/g, (m, f) => {
      if (f === '%') return '%';
      if (rest >= args.length) return m;
      const a = args[rest++];
      switch (f) {
        case 's': return typeof a === 'string' ? a : inspect(a, 1);
        case 'd': case 'i': {
          if (typeof a === 'bigint') return _String(a) + 'n';
          const n = Number(a);
          return f === 'i' ? _String(Math.trunc(n)) : _String(n);
        }
        case 'f': return _String(parseFloat(a));
        case 'j': try { return _JSON.stringify(a); } catch (e) { return '[Circular]'; }
        case 'c': return '';
        default: return inspect(a, 4);
      }
    });
  } else {
    out = inspect(first, 2);
  }
  for (; rest < args.length; rest++) out += ' ' + inspect(args[rest], 2);
  return out;
}

// ---------------------------------------------------------------- console (captured per invocation)
// Each line is {level, message, time}, as the host reads it (the wire format: 50-module.js).
const MAX_LOG_LINES = 1000;
const MAX_LOG_LINE = 16384;
let logLines = [];
let droppedLines = 0;
function writeLog(level, args) {
  if (logLines.length >= MAX_LOG_LINES) { droppedLines++; return; }
  let message;
  try { message = format(args); } catch (e) { message = '[unformattable log arguments]'; }
  if (message.length > MAX_LOG_LINE) message = message.slice(0, MAX_LOG_LINE) + `... (${message.length - MAX_LOG_LINE} more characters)`;
  logLines.push({ level, message, time: _Date.now() });
}
function takeLogs() {
  const lines = logLines;
  if (droppedLines) lines.push({ level: 'warn', message: `${droppedLines} more console lines were dropped (limit ${MAX_LOG_LINES} per invocation)`, time: _Date.now() });
  logLines = [];
  droppedLines = 0;
  return lines;
}
const timers = new Map();
const consoleObject = {
  log: (...a) => writeLog('log', a),
  info: (...a) => writeLog('info', a),
  warn: (...a) => writeLog('warn', a),
  error: (...a) => writeLog('error', a),
  debug: (...a) => writeLog('debug', a),
  trace: (...a) => writeLog('debug', a.concat([new _Error('Trace').stack])),
  dir: (o) => writeLog('log', [inspect(o, 2)]),
  table: (o) => writeLog('log', [o]),
  assert: (cond, ...a) => { if (!cond) writeLog('error', ['Assertion failed' + (a.length ? ': ' + format(a) : '')]); },
  time: (label = 'default') => { timers.set('console:' + label, host.hrtime()); },
  timeEnd: (label = 'default') => {
    const start = timers.get('console:' + label);
    if (start !== undefined) { timers.delete('console:' + label); writeLog('log', [`${label}: ${(host.hrtime() - start).toFixed(3)}ms`]); }
  },
  timeLog: (label = 'default', ...a) => {
    const start = timers.get('console:' + label);
    if (start !== undefined) writeLog('log', [`${label}: ${(host.hrtime() - start).toFixed(3)}ms`].concat(a));
  },
  count: (() => { const counts = new Map(); return (label = 'default') => { const n = (counts.get(label) || 0) + 1; counts.set(label, n); writeLog('log', [`${label}: ${n}`]); }; })(),
  group: () => {}, groupEnd: () => {}, groupCollapsed: () => {},
};
defineGlobal('console', consoleObject);

// ---------------------------------------------------------------- timers (run by the isolate's event loop)
let nextTimerId = 1;
const activeTimers = new Map();
// What setTimeout/setInterval return, as Node's Timeout: ref/unref only mark it (a function's invocation never waits
// for its timers, referenced or not, and they stop when it ends), refresh restarts its delay.
class Timeout {
  constructor(id) { this._id = id; this._ref = true; }
  ref() { this._ref = true; return this; }
  unref() { this._ref = false; return this; }
  hasRef() { return this._ref; }
  refresh() {
    const t = activeTimers.get(this._id);
    if (t) host.setTimer(this._id, t.delay);
    return this;
  }
  close() { clearTimer(this); return this; }
  [Symbol.toPrimitive]() { return this._id; }
}
// What setImmediate returns, as Node's Immediate (no refresh).
class Immediate {
  constructor(id) { this._id = id; this._ref = true; }
  ref() { this._ref = true; return this; }
  unref() { this._ref = false; return this; }
  hasRef() { return this._ref; }
}
function addTimer(fn, delay, args, repeat, Kind = Timeout) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + inspect(fn, 0));
  delay = Number(delay);
  if (!(delay >= 1 && delay <= 2147483647)) delay = 1;
  if (activeTimers.size >= 10000) throw new RangeError('A function may have at most 10000 pending timers');
  const id = nextTimerId++;
  activeTimers.set(id, { fn, args, delay, repeat });
  host.setTimer(id, delay);
  return new Kind(id);
}
function clearTimer(t) {
  if (t === null || t === undefined) return;
  const id = typeof t === 'object' ? t._id : Number(t);
  if (activeTimers.delete(id)) host.clearTimer(id);
}
// Named as Node's are (setTimeout.name); require('timers') returns these same functions.
const timerGlobals = {
  setTimeout(fn, delay, ...args) { return addTimer(fn, delay, args, false); },
  setInterval(fn, delay, ...args) { return addTimer(fn, delay, args, true); },
  setImmediate(fn, ...args) { return addTimer(fn, 0, args, false, Immediate); },
  clearTimeout(timeout) { clearTimer(timeout); },
  clearInterval(timeout) { clearTimer(timeout); },
  clearImmediate(immediate) { clearTimer(immediate); },
};
for (const name of _keys(timerGlobals)) defineGlobal(name, timerGlobals[name]);
// util.promisify(setTimeout) is timers/promises' setTimeout, as in Node (made on first use).
for (const name of ['setTimeout', 'setImmediate']) {
  _defineProperty(timerGlobals[name], _Symbol.for('nodejs.util.promisify.custom'), {
    get() { return builtinTimersPromises()[name]; }, enumerable: true, configurable: true,
  });
}
defineGlobal('queueMicrotask', (fn) => { _Promise.resolve().then(() => fn()).catch(reportUncaught); });

function reportUncaught(e) {
  writeLog('error', ['Uncaught exception:', e]);
}

// An interval is rescheduled from the end of its callback: one that is late (its callback ran longer than its delay,
// or the loop was busy) fires once and then waits its whole delay again, never catching up on the runs it missed.
function fireTimer(id) {
  const t = activeTimers.get(id);
  if (!t) return;
  if (!t.repeat) activeTimers.delete(id);
  try { t.fn.apply(globalThis, t.args); } catch (e) { reportUncaught(e); }
  if (t.repeat && activeTimers.get(id) === t) host.setTimer(id, t.delay);
}

// ---------------------------------------------------------------- performance, crypto, structuredClone
defineGlobal('performance', _freeze({ now: () => host.hrtime(), timeOrigin: _Date.now() - host.hrtime() }));

const hexToBytes = (hex) => {
  const bytes = new _Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
};
function getRandomValues(array) {
  if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
    throw new TypeError("Failed to execute 'getRandomValues': parameter 1 is not an integer typed array.");
  }
  if (array.byteLength > 65536) throw new RangeError(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`);
  const bytes = hexToBytes(host.randomHex(array.byteLength));
  new _Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes);
  return array;
}
function randomUUID() {
  const b = hexToBytes(host.randomHex(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = _Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
defineGlobal('crypto', _freeze({ randomUUID, getRandomValues }));

defineGlobal('structuredClone', function structuredClone(value) {
  const seen = new Map();
  const clone = (v) => {
    if (typeof v === 'function' || typeof v === 'symbol') throw new _Error('DataCloneError: ' + inspect(v, 0) + ' could not be cloned.');
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    let out;
    if (v instanceof _Date) out = new _Date(v.getTime());
    else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
    else if (v instanceof Map) { out = new Map(); seen.set(v, out); for (const [k, x] of v) out.set(clone(k), clone(x)); return out; }
    else if (v instanceof Set) { out = new Set(); seen.set(v, out); for (const x of v) out.add(clone(x)); return out; }
    else if (ArrayBuffer.isView(v)) out = new v.constructor(v);
    else if (v instanceof ArrayBuffer) out = v.slice(0);
    else if (_Array.isArray(v)) { out = []; seen.set(v, out); for (let i = 0; i < v.length; i++) out[i] = clone(v[i]); return out; }
    else { out = {}; seen.set(v, out); for (const k of _keys(v)) out[k] = clone(v[k]); return out; }
    seen.set(v, out);
    return out;
  };
  return clone(value);
});

defineGlobal('global', globalThis);
