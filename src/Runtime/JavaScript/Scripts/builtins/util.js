// ---------------------------------------------------------------- util
const builtinUtil = builtinOnce(() => {
  const internals = builtinInternals();
  const { inspect, format, formatWithOptions, types, isDeepStrictEqual, nodeError, invalidArgType, validateFunction } = internals;
  const kCustomPromisifiedSymbol = _Symbol.for('nodejs.util.promisify.custom');
  const kCustomPromisifyArgsSymbol = _Symbol('customPromisifyArgs');
  // setTimeout and setImmediate promisify to their timers/promises forms in Node.
  const timerSetTimeout = globalThis.setTimeout, timerSetImmediate = globalThis.setImmediate;
  const copyDescriptors = (target, source, adjust) => {
    const descriptors = _Object.getOwnPropertyDescriptors(source);
    if (adjust) adjust(descriptors);
    for (const d of _Object.values(descriptors)) _Object.setPrototypeOf(d, null);
    return _Object.defineProperties(target, descriptors);
  };
  function promisify(original) {
    validateFunction(original, 'original');
    if (original[kCustomPromisifiedSymbol]) {
      const fn = original[kCustomPromisifiedSymbol];
      validateFunction(fn, 'util.promisify.custom');
      return _defineProperty(fn, kCustomPromisifiedSymbol, { value: fn, enumerable: false, writable: false, configurable: true });
    }
    if (original === timerSetTimeout) return (delay, value) => new _Promise((resolve) => timerSetTimeout(resolve, delay, value));
    if (original === timerSetImmediate) return (value) => new _Promise((resolve) => timerSetImmediate(resolve, value));
    const argumentNames = original[kCustomPromisifyArgsSymbol];
    function fn(...args) {
      return new _Promise((resolve, reject) => {
        args.push((err, ...values) => {
          if (err) return reject(err);
          if (argumentNames !== undefined && values.length > 1) {
            const obj = {};
            for (let i = 0; i < argumentNames.length; i++) obj[argumentNames[i]] = values[i];
            resolve(obj);
          } else {
            resolve(values[0]);
          }
        });
        Reflect.apply(original, this, args);
      });
    }
    _Object.setPrototypeOf(fn, _Object.getPrototypeOf(original));
    _defineProperty(fn, kCustomPromisifiedSymbol, { value: fn, enumerable: false, writable: false, configurable: true });
    return copyDescriptors(fn, original);
  }
  promisify.custom = kCustomPromisifiedSymbol;

  function callbackify(original) {
    validateFunction(original, 'original');
    function callbackified(...args) {
      const maybeCb = args.pop();
      validateFunction(maybeCb, 'last argument');
      const cb = maybeCb.bind(this);
      Reflect.apply(original, this, args).then(
        (ret) => processObject.nextTick(cb, null, ret),
        (rej) => processObject.nextTick(() => {
          if (!rej) {
            const reason = rej;
            rej = nodeError(_Error, 'ERR_FALSY_VALUE_REJECTION', 'Promise was rejected with falsy value');
            rej.reason = reason;
          }
          cb(rej);
        }));
    }
    return copyDescriptors(callbackified, original, (d) => {
      if (typeof d.length.value === 'number') d.length.value++;
      if (typeof d.name.value === 'string') d.name.value += 'Callbackified';
    });
  }

  function inherits(ctor, superCtor) {
    if (ctor === undefined || ctor === null) throw invalidArgType('ctor', 'Function', ctor);
    if (superCtor === undefined || superCtor === null) throw invalidArgType('superCtor', 'Function', superCtor);
    if (superCtor.prototype === undefined) throw invalidArgType('superCtor.prototype', 'Object', superCtor.prototype);
    _defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    _Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  const codesWarned = new Set();
  function deprecate(fn, msg, code) {
    if (code !== undefined && typeof code !== 'string') throw invalidArgType('code', 'string', code);
    if (processObject.noDeprecation === true) return fn;
    let warned = false;
    function deprecated(...args) {
      if (!warned) {
        warned = true;
        if (code === undefined || !codesWarned.has(code)) {
          if (code !== undefined) codesWarned.add(code);
          consoleObject.warn(`${code !== undefined ? `[${code}] ` : ''}DeprecationWarning: ${msg}`);
        }
      }
      if (new.target) return Reflect.construct(fn, args, new.target);
      return Reflect.apply(fn, this, args);
    }
    _Object.setPrototypeOf(deprecated, fn);
    if (fn.prototype) deprecated.prototype = fn.prototype;
    return deprecated;
  }

  const debugEnv = () => _String((processObject.env && processObject.env.NODE_DEBUG) || '');
  function debuglog(section, cb) {
    section = _String(section).toUpperCase();
    let enabled;
    const isEnabled = () => {
      if (enabled === undefined) {
        const pattern = debugEnv().replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*').replace(/,/g, '$|^');
        enabled = pattern !== '' && new RegExp(`^${pattern}$`, 'i').test(section);
        if (typeof cb === 'function') cb(logger);
      }
      return enabled;
    };
    function logger(...args) {
      if (isEnabled()) consoleObject.error(`${section} ${processObject.pid || 1}: ${format(...args)}`);
    }
    _defineProperty(logger, 'enabled', { get: isEnabled, configurable: true, enumerable: true });
    return logger;
  }

  const util = {
    format,
    formatWithOptions,
    inspect,
    promisify,
    callbackify,
    inherits,
    deprecate,
    debuglog,
    debug: debuglog,
    isDeepStrictEqual,
    types,
    TextEncoder,
    TextDecoder,
    stripVTControlCharacters: (str) => {
      if (typeof str !== 'string') throw invalidArgType('str', 'string', str);
      // eslint-disable-next-line no-control-regex
      return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, '');
    },
    toUSVString: (str) => _String(str).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
    _extend(target, source) {
      if (source === null || typeof source !== 'object') return target;
      const keys = _keys(source);
      let i = keys.length;
      while (i--) target[keys[i]] = source[keys[i]];
      return target;
    },
    // The legacy type checks Node still exports.
    isArray: _Array.isArray,
    isBoolean: (arg) => typeof arg === 'boolean',
    isBuffer: (arg) => arg instanceof Buffer,
    isDate: types.isDate,
    isError: internals.isError,
    isFunction: (arg) => typeof arg === 'function',
    isNull: (arg) => arg === null,
    isNullOrUndefined: (arg) => arg === null || arg === undefined,
    isNumber: (arg) => typeof arg === 'number',
    isObject: (arg) => arg !== null && typeof arg === 'object',
    isPrimitive: (arg) => arg === null || (typeof arg !== 'object' && typeof arg !== 'function'),
    isRegExp: types.isRegExp,
    isString: (arg) => typeof arg === 'string',
    isSymbol: (arg) => typeof arg === 'symbol',
    isUndefined: (arg) => arg === undefined,
  };
  return _freeze(util);
});
