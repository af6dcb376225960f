// ---------------------------------------------------------------- util
const builtinUtil = builtinOnce(() => {
  const internals = builtinInternals();
  const { inspect, format, formatWithOptions, types, isDeepStrictEqual, nodeError, invalidArgType, validateFunction } = internals;
  const kCustomPromisifiedSymbol = _Symbol.for('nodejs.util.promisify.custom');
  const kCustomPromisifyArgsSymbol = _Symbol('customPromisifyArgs');
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

  // inspect.colors and inspect.styles as Node's (the isolate never colours its own output: console lines are text).
  if (!inspect.colors) {
    const colors = _Object.create(null);
    const codes = {
      reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], blink: [5, 25], inverse: [7, 27], hidden: [8, 28],
      strikethrough: [9, 29], doubleunderline: [21, 24], black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39],
      magenta: [35, 39], cyan: [36, 39], white: [37, 39], bgBlack: [40, 49], bgRed: [41, 49], bgGreen: [42, 49], bgYellow: [43, 49],
      bgBlue: [44, 49], bgMagenta: [45, 49], bgCyan: [46, 49], bgWhite: [47, 49], framed: [51, 54], overlined: [53, 55], gray: [90, 39],
      redBright: [91, 39], greenBright: [92, 39], yellowBright: [93, 39], blueBright: [94, 39], magentaBright: [95, 39], cyanBright: [96, 39],
      whiteBright: [97, 39], bgGray: [100, 49], bgRedBright: [101, 49], bgGreenBright: [102, 49], bgYellowBright: [103, 49],
      bgBlueBright: [104, 49], bgMagentaBright: [105, 49], bgCyanBright: [106, 49], bgWhiteBright: [107, 49],
    };
    _Object.assign(colors, codes);
    const aliases = {
      grey: 'gray', blackBright: 'gray', bgGrey: 'bgGray', bgBlackBright: 'bgGray', faint: 'dim', crossedout: 'strikethrough',
      strikeThrough: 'strikethrough', crossedOut: 'strikethrough', conceal: 'hidden', swapColors: 'inverse', swapcolors: 'inverse',
      doubleUnderline: 'doubleunderline',
    };
    for (const [alias, name] of _Object.entries(aliases)) {
      _defineProperty(colors, alias, { get() { return this[name]; }, set(value) { this[name] = value; }, configurable: true, enumerable: false });
    }
    inspect.colors = colors;
    inspect.styles = _Object.assign(_Object.create(null), {
      special: 'cyan', number: 'yellow', bigint: 'yellow', boolean: 'yellow', undefined: 'grey', null: 'bold', string: 'green',
      symbol: 'green', date: 'magenta', regexp: 'red', module: 'underline',
    });
  }
  const escapeStyleCode = (code) => `\u001b[${code}m`;
  const validateFormat = (key) => {
    if (inspect.colors[key] == null) {
      throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'format' must be one of: ${_keys(inspect.colors).map((k) => `'${k}'`).join(', ')}. Received ${inspect(key)}`);
    }
    return inspect.colors[key];
  };
  // As Node 20's: a list of formats is always applied; one format only when the stream would show colours, and a
  // function's output never does.
  function styleText(format, text, { validateStream = true, stream = processObject.stdout } = {}) {
    if (typeof text !== 'string') throw invalidArgType('text', 'string', text);
    if (typeof validateStream !== 'boolean') throw invalidArgType('options.validateStream', 'boolean', validateStream);
    if (_Array.isArray(format)) {
      let left = '';
      let right = '';
      for (const key of format) {
        const codes = validateFormat(key);
        left += escapeStyleCode(codes[0]);
        right = `${escapeStyleCode(codes[1])}${right}`;
      }
      return `${left}${text}${right}`;
    }
    const codes = validateFormat(format);
    if (validateStream) return text;
    return `${escapeStyleCode(codes[0])}${text}${escapeStyleCode(codes[1])}`;
  }

  function aborted(signal, resource) {
    if (signal === undefined || signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
      return _Promise.reject(invalidArgType('signal', 'AbortSignal', signal));
    }
    if (resource === null || (typeof resource !== 'object' && typeof resource !== 'function')) {
      return _Promise.reject(invalidArgType('resource', 'object', resource));
    }
    if (signal.aborted) return _Promise.resolve();
    return new _Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
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
    styleText,
    aborted,
    log: (...args) => {
      const d = new _Date();
      const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
      const pad = (n) => _String(n).padStart(2, '0');
      consoleObject.log('%s - %s', `${d.getDate()} ${months[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`, format(...args));
    },
    getSystemErrorName: (err) => {
      if (typeof err !== 'number') throw invalidArgType('err', 'number', err);
      if (err >= 0 || !Number.isSafeInteger(err)) throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "err" is out of range. It must be a negative integer. Received ${err}`);
      const entry = builtinErrno().byNumber.get(-err);
      return entry ? entry[0] : `Unknown system error ${err}`;
    },
    getSystemErrorMap: () => new Map([...builtinErrno().byNumber].map(([n, [name, message]]) => [-n, [name, message]])),
    transferableAbortSignal: (signal) => signal,
    transferableAbortController: () => new AbortController(),
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
