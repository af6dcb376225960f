// ---------------------------------------------------------------- stream, stream/promises
// Node 20's own lib/internal/streams/*, lib/stream.js and lib/stream/promises.js (MIT, Scripts/NOTICE.md), one
// define(name, factory) per module in Scripts/vendor/node-streams/stream-*.js (readable.js split in two: readable and
// readable-flow), loaded on first use. They run unchanged but for their comments; this loader gives them `require`
// for each other and, for the Node internals they use, the small equivalents below (errors, validators,
// primordials), so the streams behave as Node's do, nextTick ordering included (process.nextTick: process.js).
const builtinStreamRequire = builtinOnce(() => {
  const internals = builtinInternals();
  const { nodeError, invalidArgType, outOfRange, validateFunction, validateObject, types, inspect, AbortError } = internals;
  const uncurryThis = (fn) => (self, ...args) => Reflect.apply(fn, self, args);
  const TypedArrayPrototype = _Object.getPrototypeOf(_Uint8Array.prototype);
  const primordials = _freeze({
    ArrayIsArray: _Array.isArray,
    ArrayPrototypeIndexOf: uncurryThis(_Array.prototype.indexOf),
    ArrayPrototypePop: uncurryThis(_Array.prototype.pop),
    ArrayPrototypePush: uncurryThis(_Array.prototype.push),
    ArrayPrototypeSlice: uncurryThis(_Array.prototype.slice),
    Boolean,
    Error: _Error,
    FunctionPrototypeCall: uncurryThis(_Function.prototype.call),
    FunctionPrototypeSymbolHasInstance: uncurryThis(_Function.prototype[_Symbol.hasInstance]),
    MathFloor: Math.floor,
    Number,
    NumberIsInteger: Number.isInteger,
    NumberIsNaN: Number.isNaN,
    NumberMAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER,
    NumberMIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER,
    NumberParseInt: Number.parseInt,
    ObjectDefineProperties: _Object.defineProperties,
    ObjectDefineProperty: _defineProperty,
    ObjectGetOwnPropertyDescriptor: _Object.getOwnPropertyDescriptor,
    ObjectKeys: _keys,
    ObjectSetPrototypeOf: _Object.setPrototypeOf,
    Promise: _Promise,
    PromisePrototypeThen: uncurryThis(_Promise.prototype.then),
    PromiseReject: (reason) => _Promise.reject(reason),
    PromiseResolve: (value) => _Promise.resolve(value),
    ReflectApply: Reflect.apply,
    ReflectOwnKeys: Reflect.ownKeys,
    SafeSet: Set,
    StringPrototypeToLowerCase: uncurryThis(_String.prototype.toLowerCase),
    Symbol: _Symbol,
    SymbolAsyncIterator: _Symbol.asyncIterator,
    SymbolFor: _Symbol.for,
    SymbolHasInstance: _Symbol.hasInstance,
    SymbolIterator: _Symbol.iterator,
    SymbolSpecies: _Symbol.species,
    TypedArrayPrototypeSet: uncurryThis(TypedArrayPrototype.set),
  });
  // Node 20 names its disposal symbols so (Symbol.dispose is not yet the language's there).
  const SymbolDispose = _Symbol.for('nodejs.dispose');
  const SymbolAsyncDispose = _Symbol.for('nodejs.asyncDispose');

  // internal/errors: each code is a constructor (the modules throw `new ERR_X(...)`) that makes Node's error.
  const errorCode = (Base, code, message) => function NodeError(...args) {
    return nodeError(Base, code, typeof message === 'function' ? message(...args) : message);
  };
  const quote = (a) => `"${a}"`;
  const codes = {
    ERR_ILLEGAL_CONSTRUCTOR: errorCode(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor'),
    ERR_INVALID_ARG_TYPE: invalidArgType,
    ERR_INVALID_ARG_VALUE: errorCode(TypeError, 'ERR_INVALID_ARG_VALUE', (name, value, reason = 'is invalid') =>
      `The ${name.includes('.') ? 'property' : 'argument'} '${name}' ${reason}. Received ${inspect(value)}`),
    ERR_INVALID_RETURN_VALUE: errorCode(TypeError, 'ERR_INVALID_RETURN_VALUE', (input, name, value) =>
      `Expected ${input} to be returned from the "${name}" function but got ${value && value.constructor && value.constructor.name
        ? `instance of ${value.constructor.name}` : `type ${typeof value}`}.`),
    ERR_METHOD_NOT_IMPLEMENTED: errorCode(_Error, 'ERR_METHOD_NOT_IMPLEMENTED', (name) => `The ${name} method is not implemented`),
    ERR_MISSING_ARGS: errorCode(TypeError, 'ERR_MISSING_ARGS', (...args) => {
      const names = args.map((a) => (_Array.isArray(a) ? a.map(quote).join(' or ') : quote(a)));
      const n = names.length;
      const list = n === 1 ? `${names[0]} argument` : n === 2 ? `${names[0]} and ${names[1]} arguments`
        : `${names.slice(0, n - 1).join(', ')}, and ${names[n - 1]} arguments`;
      return `The ${list} must be specified`;
    }),
    ERR_MULTIPLE_CALLBACK: errorCode(_Error, 'ERR_MULTIPLE_CALLBACK', 'Callback called multiple times'),
    ERR_OUT_OF_RANGE: outOfRange,
    ERR_STREAM_ALREADY_FINISHED: errorCode(_Error, 'ERR_STREAM_ALREADY_FINISHED', (name) => `Cannot call ${name} after a stream was finished`),
    ERR_STREAM_CANNOT_PIPE: errorCode(_Error, 'ERR_STREAM_CANNOT_PIPE', 'Cannot pipe, not readable'),
    ERR_STREAM_DESTROYED: errorCode(_Error, 'ERR_STREAM_DESTROYED', (name) => `Cannot call ${name} after a stream was destroyed`),
    ERR_STREAM_NULL_VALUES: errorCode(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream'),
    ERR_STREAM_PREMATURE_CLOSE: errorCode(_Error, 'ERR_STREAM_PREMATURE_CLOSE', 'Premature close'),
    ERR_STREAM_PUSH_AFTER_EOF: errorCode(_Error, 'ERR_STREAM_PUSH_AFTER_EOF', 'stream.push() after EOF'),
    ERR_STREAM_UNSHIFT_AFTER_END_EVENT: errorCode(_Error, 'ERR_STREAM_UNSHIFT_AFTER_END_EVENT', 'stream.unshift() after end event'),
    ERR_STREAM_WRITE_AFTER_END: errorCode(_Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end'),
    ERR_UNKNOWN_ENCODING: errorCode(TypeError, 'ERR_UNKNOWN_ENCODING', (encoding) => `Unknown encoding: ${encoding}`),
  };
  const aggregateTwoErrors = (innerError, outerError) => {
    if (innerError && outerError && innerError !== outerError) {
      if (_Array.isArray(outerError.errors)) {
        outerError.errors.push(innerError);
        return outerError;
      }
      const err = new AggregateError([outerError, innerError], outerError.message);
      err.code = outerError.code;
      return err;
    }
    return innerError || outerError;
  };

  const validateInteger = (value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  };
  const kEmptyObject = _freeze(_Object.create(null));
  function once(callback, { preserveReturnValue = false } = kEmptyObject) {
    let called = false;
    let returnValue;
    return function (...args) {
      if (called) return returnValue;
      called = true;
      const result = Reflect.apply(callback, this, args);
      returnValue = preserveReturnValue ? result : undefined;
      return result;
    };
  }
  const webStreamsMissing = () => { throw nodeError(_Error, 'ERR_METHOD_NOT_IMPLEMENTED', "Granary's isolate does not convert between Node streams and web streams"); };

  const shims = {
    buffer: () => builtinBuffer(),
    events: () => builtinEvents(),
    string_decoder: () => builtinStringDecoder(),
    'internal/abort_controller': () => ({ AbortController, AbortSignal }),
    'internal/assert': () => (value, message) => { if (!value) throw new _Error(message || 'Assertion failed'); },
    'internal/blob': () => ({ isBlob: (b) => typeof Blob === 'function' && b instanceof Blob }),
    'internal/buffer': () => ({ FastBuffer: Buffer }),
    'internal/errors': () => ({ AbortError, aggregateTwoErrors, codes }),
    'internal/event_target': () => ({ kWeakHandler: _Symbol('kWeak'), kResistStopPropagation: _Symbol('kResistStopPropagation') }),
    'internal/events/abort_listener': () => ({ addAbortListener: builtinEvents().addAbortListener }),
    'internal/util': () => ({
      SymbolDispose,
      SymbolAsyncDispose,
      kEmptyObject,
      once,
      createDeferredPromise() {
        let resolve, reject;
        const promise = new _Promise((res, rej) => { resolve = res; reject = rej; });
        return { promise, resolve, reject };
      },
      deprecate: (fn, msg, code) => builtinUtil().deprecate(fn, msg, code),
      promisify: { custom: _Symbol.for('nodejs.util.promisify.custom') },
    }),
    'internal/util/debuglog': () => ({ debuglog: (set, cb) => builtinUtil().debuglog(set, cb) }),
    'internal/util/types': () => types,
    'internal/validators': () => ({
      validateAbortSignal(signal, name) {
        if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) throw invalidArgType(name, 'AbortSignal', signal);
      },
      validateBoolean(value, name) { if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value); },
      validateFunction,
      validateInteger,
      validateObject,
    }),
    'internal/webstreams/adapters': () => ({
      newStreamReadableFromReadableStream: webStreamsMissing,
      newReadableStreamFromStreamReadable: webStreamsMissing,
      newStreamWritableFromWritableStream: webStreamsMissing,
      newWritableStreamFromStreamWritable: webStreamsMissing,
      newStreamDuplexFromReadableWritablePair: webStreamsMissing,
      newReadableWritablePairFromDuplex: webStreamsMissing,
    }),
  };
  // Which on-demand file (Scripts/vendor/node-streams/) defines each module. The files are not part of the bootstrap, which every
  // isolate runs: a function that never requires stream does not pay for their 200 KB (measured: an isolate starts
  // about 1 ms sooner), and one that does compiles them from V8's code cache.
  const files = {
    'stream-base': ['internal/streams/utils', 'internal/streams/state', 'internal/streams/legacy', 'internal/streams/add-abort-signal'],
    'stream-destroy': ['internal/streams/destroy', 'internal/streams/end-of-stream'],
    'stream-duplex': ['internal/streams/duplex', 'internal/streams/duplexify', 'internal/streams/transform', 'internal/streams/passthrough',
      'internal/streams/from', 'internal/streams/duplexpair'],
    'stream-operators': ['internal/streams/operators'],
    'stream-pipeline': ['internal/streams/pipeline', 'internal/streams/compose', 'stream/promises', 'stream'],
    'stream-readable': ['internal/streams/readable'],
    'stream-readable-flow': ['internal/streams/readable-flow'],
    'stream-writable': ['internal/streams/writable'],
  };
  const fileOf = new Map();
  for (const [file, names] of _Object.entries(files)) for (const name of names) fileOf.set(name, file);
  const factories = new Map();
  const define = (name, factory) => { factories.set(name, factory); };
  function loadFile(file) {
    // Compiled by the host in the global scope (from V8's code cache after the first isolate): it sees only `define`,
    // never the bootstrap's closure.
    const run = host.builtinScript(file);
    if (typeof run !== 'function') throw new _Error(`stream: the built-in script '${file}' is missing`);
    run(define);
  }
  // Modules are cached before they run, as Node's are, so the cycles among them (readable <-> duplex) resolve.
  const loaded = new Map();
  function require(name) {
    const cached = loaded.get(name);
    if (cached) return cached.exports;
    const module = { exports: {} };
    if (shims[name]) {
      module.exports = shims[name]();
      loaded.set(name, module);
      return module.exports;
    }
    if (!factories.has(name) && fileOf.has(name)) loadFile(fileOf.get(name));
    const factory = factories.get(name);
    if (!factory) throw new _Error(`stream: no internal module '${name}'`);
    loaded.set(name, module);
    factory.call(module.exports, module, module.exports, require, primordials, processObject);
    return module.exports;
  }
  return require;
});
const builtinStream = builtinOnce(() => builtinStreamRequire()('stream'));
const builtinStreamPromises = builtinOnce(() => builtinStreamRequire()('stream/promises'));
// stream/consumers, after Node's lib/stream/consumers.js: a stream (or async iterable) read whole. Text is decoded
// with string_decoder, so a character split across chunks is decoded whole.
const builtinStreamConsumers = builtinOnce(() => {
  async function buffer(stream) {
    const chunks = [];
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks);
  }
  async function arrayBuffer(stream) {
    const bytes = await buffer(stream);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  async function blob(stream) {
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return new Blob(chunks);
  }
  async function text(stream) {
    const decoder = new (builtinStringDecoder().StringDecoder)('utf8');
    let str = '';
    for await (const chunk of stream) str += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    return str + decoder.end();
  }
  async function json(stream) {
    return _JSON.parse(await text(stream));
  }
  return _freeze({ arrayBuffer, blob, buffer, text, json });
});
