// ---------------------------------------------------------------- shared internals: errors, types, inspect, format
const builtinInternals = builtinOnce(() => {
  const ObjectProto = _Object.prototype;
  const hasOwn = (o, k) => ObjectProto.hasOwnProperty.call(o, k);
  const isEnumerable = (o, k) => ObjectProto.propertyIsEnumerable.call(o, k);
  const tagOf = (v) => ObjectProto.toString.call(v);
  const getProto = _Object.getPrototypeOf;
  const getDescriptor = _Object.getOwnPropertyDescriptor;
  const getSymbols = _Object.getOwnPropertySymbols;

  // ---- errors shaped like Node's internal ones: a code, and "Name [CODE]: message" at the head of the stack.
  function nodeError(Base, code, message) {
    const e = new Base(message);
    _defineProperty(e, 'name', { value: `${e.name} [${code}]`, configurable: true, writable: true, enumerable: false });
    void e.stack;
    delete e.name;
    _defineProperty(e, 'toString', { value() { return `${this.name} [${code}]: ${this.message}`; }, enumerable: false, writable: true, configurable: true });
    e.code = code;
    return e;
  }
  const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
  const classRegExp = /^([A-Z][a-z0-9]*)+$/;
  function determineSpecificType(value) {
    if (value == null) return '' + value;
    if (typeof value === 'function' && value.name) return `function ${value.name}`;
    if (typeof value === 'object') {
      if (value.constructor && value.constructor.name) return `an instance of ${value.constructor.name}`;
      return inspect(value, { depth: -1 });
    }
    let inspected = inspect(value, { colors: false });
    if (inspected.length > 28) inspected = `${inspected.slice(0, 25)}...`;
    return `type ${typeof value} (${inspected})`;
  }
  function listOf(items, word) {
    if (items.length > 2) return `${word}${items.slice(0, -1).join(', ')}, or ${items[items.length - 1]}`;
    return word + items.join(' or ');
  }
  function invalidArgType(name, expected, actual) {
    if (!_Array.isArray(expected)) expected = [expected];
    let msg = 'The ';
    if (name.endsWith(' argument')) msg += `${name} `;
    else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
    msg += 'must be ';
    const types = [], instances = [], other = [];
    for (const value of expected) {
      if (kTypes.includes(value)) types.push(value.toLowerCase());
      else if (classRegExp.test(value)) instances.push(value);
      else other.push(value);
    }
    if (instances.length > 0) {
      const pos = types.indexOf('object');
      if (pos !== -1) { types.splice(pos, 1); instances.push('Object'); }
    }
    if (types.length > 0) {
      msg += types.length > 1 ? listOf(types, 'one of type ') : `of type ${types[0]}`;
      if (instances.length > 0 || other.length > 0) msg += ' or ';
    }
    if (instances.length > 0) {
      msg += listOf(instances, 'an instance of ');
      if (other.length > 0) msg += ' or ';
    }
    if (other.length > 0) {
      if (other.length > 1) msg += listOf(other, 'one of ');
      else msg += (other[0].toLowerCase() !== other[0] ? 'an ' : '') + other[0];
    }
    return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `${msg}. Received ${determineSpecificType(actual)}`);
  }
  function addNumericalSeparator(val) {
    let res = '';
    let i = val.length;
    const start = val[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
    return `${val.slice(0, i)}${res}`;
  }
  function outOfRange(name, range, input) {
    let received;
    if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) received = addNumericalSeparator(_String(input));
    else if (typeof input === 'bigint') {
      received = _String(input);
      if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
      received += 'n';
    } else received = inspect(input);
    return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
  }
  // Node's AbortError (lib/internal/errors.js), which its timers/promises, events and streams reject with.
  class AbortError extends _Error {
    constructor(message = 'The operation was aborted', options = undefined) {
      if (options !== undefined && typeof options !== 'object') throw invalidArgType('options', 'Object', options);
      super(message, options);
      this.code = 'ABORT_ERR';
      this.name = 'AbortError';
    }
  }
  const validateString = (value, name) => { if (typeof value !== 'string') throw invalidArgType(name, 'string', value); };
  const validateFunction = (value, name) => { if (typeof value !== 'function') throw invalidArgType(name, 'Function', value); };
  const validateObject = (value, name) => {
    if (value === null || typeof value !== 'object' || _Array.isArray(value)) throw invalidArgType(name, 'Object', value);
  };

  // ---- util.types: brand checks that cannot be fooled by Symbol.toStringTag where V8 offers one.
  const brand = (fn) => (v) => {
    if (v === null || typeof v !== 'object') return false;
    try { fn.call(v); return true; } catch (e) { return false; }
  };
  const getter = (proto, name) => getDescriptor(proto, name).get;
  const typedArrayTag = getter(getProto(_Uint8Array.prototype), _Symbol.toStringTag);
  const typedArrayName = (v) => (ArrayBuffer.isView(v) ? typedArrayTag.call(v) : undefined);
  const isTypedArray = (v) => typedArrayName(v) !== undefined;
  const isArrayBuffer = brand(getter(ArrayBuffer.prototype, 'byteLength'));
  const isSharedArrayBuffer = typeof SharedArrayBuffer === 'function' ? brand(getter(SharedArrayBuffer.prototype, 'byteLength')) : () => false;
  const isMap = brand(getter(Map.prototype, 'size'));
  const isSet = brand(getter(Set.prototype, 'size'));
  const isDate = brand(_Date.prototype.getTime);
  const isRegExp = brand(getter(RegExp.prototype, 'source'));
  const isNumberObject = brand(Number.prototype.valueOf);
  const isStringObject = brand(_String.prototype.valueOf);
  const isBooleanObject = brand(Boolean.prototype.valueOf);
  const isSymbolObject = brand(_Symbol.prototype.valueOf);
  const isBigIntObject = brand(BigInt.prototype.valueOf);
  const isNativeError = (v) => v !== null && typeof v === 'object' && tagOf(v) === '[object Error]';
  const fnTag = (v) => (typeof v === 'function' ? tagOf(v) : '');
  const types = {
    isAnyArrayBuffer: (v) => isArrayBuffer(v) || isSharedArrayBuffer(v),
    isArrayBuffer,
    isSharedArrayBuffer,
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isDataView: brand(getter(DataView.prototype, 'byteLength')),
    isTypedArray,
    isMap,
    isSet,
    isWeakMap: brand(WeakMap.prototype.has),
    isWeakSet: brand(WeakSet.prototype.has),
    isMapIterator: (v) => v !== null && typeof v === 'object' && tagOf(v) === '[object Map Iterator]',
    isSetIterator: (v) => v !== null && typeof v === 'object' && tagOf(v) === '[object Set Iterator]',
    isDate,
    isRegExp,
    isPromise: (v) => v instanceof _Promise || (v !== null && typeof v === 'object' && tagOf(v) === '[object Promise]'),
    isNativeError,
    isAsyncFunction: (v) => fnTag(v) === '[object AsyncFunction]' || fnTag(v) === '[object AsyncGeneratorFunction]',
    isGeneratorFunction: (v) => fnTag(v) === '[object GeneratorFunction]' || fnTag(v) === '[object AsyncGeneratorFunction]',
    isGeneratorObject: (v) => v !== null && typeof v === 'object' && (tagOf(v) === '[object Generator]' || tagOf(v) === '[object AsyncGenerator]'),
    isArgumentsObject: (v) => v !== null && typeof v === 'object' && tagOf(v) === '[object Arguments]',
    isBoxedPrimitive: (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isSymbolObject(v) || isBigIntObject(v),
    isNumberObject,
    isStringObject,
    isBooleanObject,
    isSymbolObject,
    isBigIntObject,
    isModuleNamespaceObject: (v) => v !== null && typeof v === 'object' && tagOf(v) === '[object Module]' && getProto(v) === null,
    isProxy: () => false,
    isExternal: () => false,
    isKeyObject: () => false,
    isCryptoKey: () => false,
  };
  for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
    'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
    types[`is${name}`] = (v) => typedArrayName(v) === name;
  }
  _freeze(types);
  const isError = (v) => isNativeError(v) || v instanceof _Error;
  const isBoxedPrimitive = types.isBoxedPrimitive;

  // ---------------------------------------------------------------- util.inspect, after Node's lib/internal/util/inspect.js
  const inspectDefaultOptions = _Object.seal({
    showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false, maxArrayLength: 100,
    maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false,
  });
  const customInspectSymbol = _Symbol.for('nodejs.util.inspect.custom');
  const kObjectType = 0, kArrayType = 1, kArrayExtrasType = 2;
  const kMinLineWidth = 16;
  const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const numberRegExp = /^(0|[1-9][0-9]*)$/;
  const stylizeNoColor = (str) => str;
  // inspect.colors and inspect.styles are util's (util.js), set up when it is first made.
  function stylizeWithColor(str, styleType) {
    if (!inspect.colors) builtinUtil();
    const style = inspect.styles[styleType];
    const color = style === undefined ? undefined : inspect.colors[style];
    return color === undefined ? str : `\u001b[${color[0]}m${str}\u001b[${color[1]}m`;
  }
  const builtInObjects = new Set(['Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'Date', 'Promise', 'RegExp',
    'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'ArrayBuffer',
    'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
    'Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array', 'DataView', 'Map', 'BigInt', 'Set', 'WeakMap', 'WeakSet', 'Proxy',
    'Reflect', 'SharedArrayBuffer', 'WeakRef', 'FinalizationRegistry']);
  const meta = [
    '\\x00', '\\x01', '\\x02', '\\x03', '\\x04', '\\x05', '\\x06', '\\x07', '\\b', '\\t', '\\n', '\\x0B', '\\f', '\\r', '\\x0E', '\\x0F',
    '\\x10', '\\x11', '\\x12', '\\x13', '\\x14', '\\x15', '\\x16', '\\x17', '\\x18', '\\x19', '\\x1A', '\\x1B', '\\x1C', '\\x1D', '\\x1E', '\\x1F',
  ];
  const escapeFn = (ch) => {
    const c = ch.charCodeAt(0);
    if (c < 32) return meta[c];
    if (c === 39) return "\\'";
    if (c === 92) return '\\\\';
    if (c >= 0x7f && c <= 0x9f) return `\\x${c.toString(16).toUpperCase()}`;
    return `\\u${c.toString(16)}`;
  };
  const strEscapeAll = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const strEscapeNoQuote = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  function strEscape(str) {
    let quote = "'";
    let re = strEscapeAll;
    if (str.includes("'")) {
      if (!str.includes('"')) quote = '"';
      else if (!str.includes('`') && !str.includes('${')) quote = '`';
      if (quote !== "'") re = strEscapeNoQuote;
    }
    return quote + str.replace(re, escapeFn) + quote;
  }
  const formatNumber = (n) => (Object.is(n, -0) ? '-0' : `${n}`);

  function getUserOptions(ctx) {
    const ret = { stylize: ctx.stylize };
    for (const key of _keys(inspectDefaultOptions)) ret[key] = ctx[key];
    return _Object.assign(ret, ctx.userOptions);
  }

  function inspect(value, opts) {
    const ctx = { budget: {}, indentationLvl: 0, seen: [], currentDepth: 0, stylize: stylizeNoColor, circular: undefined, userOptions: undefined };
    for (const key of _keys(inspectDefaultOptions)) ctx[key] = inspectDefaultOptions[key];
    if (arguments.length > 1) {
      if (arguments.length > 2) {
        if (arguments[2] !== undefined) ctx.depth = arguments[2];
        if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
      }
      if (typeof opts === 'boolean') ctx.showHidden = opts;
      else if (opts) {
        for (const key of _keys(opts)) {
          if (hasOwn(inspectDefaultOptions, key) || key === 'stylize') ctx[key] = opts[key];
          else if (ctx.userOptions === undefined) ctx.userOptions = opts;
        }
      }
    }
    if (ctx.colors && ctx.stylize === stylizeNoColor) ctx.stylize = stylizeWithColor;
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspectSymbol;
  _defineProperty(inspect, 'defaultOptions', {
    get() { return inspectDefaultOptions; },
    set(options) { validateObject(options, 'options'); return _Object.assign(inspectDefaultOptions, options); },
  });

  // Node gives Buffer, URL and URLSearchParams their own inspect; Granary's versions of them do not carry one.
  function builtinCustom(value) {
    if (value instanceof Buffer) return inspectBuffer;
    if (value instanceof URL) return inspectURL;
    if (value instanceof URLSearchParams) return inspectSearchParams;
    return undefined;
  }
  function inspectBuffer() {
    const max = Math.min(50, this.length);
    const remaining = this.length - 50;
    let str = '';
    for (let i = 0; i < max; i++) str += (i ? ' ' : '') + this[i].toString(16).padStart(2, '0');
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return `<${this.constructor.name} ${str}>`;
  }
  function inspectURL(depth, opts) {
    if (typeof depth === 'number' && depth < 0) return this;
    const obj = {
      href: this.href, origin: this.origin, protocol: this.protocol, username: this.username, password: this.password,
      host: this.host, hostname: this.hostname, port: this.port, pathname: this.pathname, search: this.search,
      searchParams: this.searchParams, hash: this.hash,
    };
    return `${this.constructor.name} ${inspect(obj, opts)}`;
  }
  function inspectSearchParams(recurseTimes, ctx) {
    if (typeof recurseTimes === 'number' && recurseTimes < 0) return '[Object]';
    const innerOpts = _Object.assign({}, ctx);
    if (recurseTimes !== null) innerOpts.depth = recurseTimes - 1;
    const output = [];
    for (const [k, v] of this) output.push(`${inspect(k, innerOpts)} => ${inspect(v, innerOpts)}`);
    const length = output.reduce((prev, cur) => prev + cur.length + 2, -2);
    if (length > ctx.breakLength) return `${this.constructor.name} {\n  ${output.join(',\n  ')} }`;
    if (output.length) return `${this.constructor.name} { ${output.join(', ')} }`;
    return `${this.constructor.name} {}`;
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx.stylize, value, ctx);
    if (value === null) return ctx.stylize('null', 'null');
    const context = value;
    if (ctx.customInspect) {
      let maybeCustom;
      try { maybeCustom = value[customInspectSymbol]; } catch (e) { maybeCustom = undefined; }
      if (typeof maybeCustom !== 'function') maybeCustom = builtinCustom(value);
      if (typeof maybeCustom === 'function' && maybeCustom !== inspect &&
          !(value.constructor && value.constructor.prototype === value)) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const ret = maybeCustom.call(context, depth, getUserOptions(ctx), inspect);
        if (ret !== context) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
        }
      }
    }
    if (ctx.seen.includes(value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = new Map();
        ctx.circular.set(value, index);
      } else {
        index = ctx.circular.get(value);
        if (index === undefined) {
          index = ctx.circular.size + 1;
          ctx.circular.set(value, index);
        }
      }
      return ctx.stylize(`[Circular *${index}]`, 'special');
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function formatPrimitive(fn, value, ctx) {
    if (typeof value === 'string') {
      let trailer = '';
      if (value.length > ctx.maxStringLength) {
        const remaining = value.length - ctx.maxStringLength;
        value = value.slice(0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      if (ctx.compact !== true && value.length > kMinLineWidth && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
        return value.split(/(?<=\n)/).map((line) => fn(strEscape(line), 'string')).join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
      }
      return fn(strEscape(value), 'string') + trailer;
    }
    if (typeof value === 'number') return fn(formatNumber(value), 'number');
    if (typeof value === 'bigint') return fn(`${value}n`, 'bigint');
    if (typeof value === 'boolean') return fn(`${value}`, 'boolean');
    if (typeof value === 'undefined') return fn('undefined', 'undefined');
    return fn(value.toString(), 'symbol');
  }

  function getConstructorName(obj) {
    let firstProto;
    const tmp = obj;
    while (obj) {
      const descriptor = getDescriptor(obj, 'constructor');
      if (descriptor !== undefined && typeof descriptor.value === 'function' && descriptor.value.name !== '') {
        let isInstance = false;
        try { isInstance = tmp instanceof descriptor.value; } catch (e) { isInstance = false; }
        if (isInstance) return _String(descriptor.value.name);
      }
      obj = getProto(obj);
      if (firstProto === undefined) firstProto = obj;
    }
    if (firstProto === null) return null;
    return 'Object';
  }
  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    if (tag !== '' && constructor !== tag) return `${constructor}${size} [${tag}] `;
    return `${constructor}${size} `;
  }
  function getKeys(value, showHidden) {
    const symbols = getSymbols(value);
    let keys;
    if (showHidden) {
      keys = _Object.getOwnPropertyNames(value);
      if (symbols.length !== 0) keys.push(...symbols);
    } else {
      keys = _keys(value);
      if (symbols.length !== 0) keys.push(...symbols.filter((key) => isEnumerable(value, key)));
    }
    return keys;
  }
  function isArrayIndex(key) {
    return typeof key === 'string' && numberRegExp.test(key) && +key < 4294967295;
  }
  function getOwnNonIndexProperties(value, showHidden) {
    const names = showHidden ? _Object.getOwnPropertyNames(value) : _keys(value);
    const keys = names.filter((k) => !isArrayIndex(k));
    for (const s of getSymbols(value)) if (showHidden || isEnumerable(value, s)) keys.push(s);
    return keys;
  }
  function getFunctionBase(value, constructor, tag) {
    let stringified = '';
    try { stringified = Function.prototype.toString.call(value); } catch (e) { stringified = ''; }
    if (stringified.startsWith('class') && stringified.endsWith('}')) {
      const slice = stringified.slice(5, -1);
      const bracketIndex = slice.indexOf('{');
      if (bracketIndex !== -1 && (!slice.slice(0, bracketIndex).includes('(') ||
          /^(\s+[^(]*?)\s*{/.test(slice.replace(/(\/\/.*?\n)|(\/\*(.|\n)*?\*\/)/g, '')))) {
        const name = (hasOwn(value, 'name') && value.name) || '(anonymous)';
        let base = `class ${name}`;
        if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
        if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
        if (constructor !== null) {
          const superName = getProto(value).name;
          if (superName) base += ` extends ${superName}`;
        } else base += ' extends [null prototype]';
        return `[${base}]`;
      }
    }
    let type = 'Function';
    if (types.isGeneratorFunction(value)) type = `Generator${type}`;
    if (types.isAsyncFunction(value)) type = `Async${type}`;
    let base = `[${type}`;
    if (constructor === null) base += ' (null prototype)';
    base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
    base += ']';
    if (constructor !== type && constructor !== null) base += ` ${constructor}`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    return base;
  }
  function improveStack(stack, constructor, name, tag) {
    let len = name.length;
    if (constructor === null ||
        (name.endsWith('Error') && stack.startsWith(name) && (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
      let fallback = 'Error';
      if (constructor === null) {
        const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) || /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = getPrefix(constructor, tag, fallback).slice(0, -1);
      if (name !== prefix) {
        if (prefix.includes(name)) stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
        else stack = `${prefix} [${name}]${stack.slice(len)}`;
      }
    }
    return stack;
  }
  function formatError(err, constructor, tag, ctx, keys) {
    const name = err.name != null ? _String(err.name) : 'Error';
    let stack = err.stack ? _String(err.stack) : _Error.prototype.toString.call(err);
    if (!ctx.showHidden && keys.length !== 0) {
      for (const key of ['name', 'message', 'stack']) {
        const index = keys.indexOf(key);
        if (index !== -1 && stack.includes(err[key])) keys.splice(index, 1);
      }
    }
    if ('cause' in err && (keys.length === 0 || !keys.includes('cause'))) keys.push('cause');
    if (_Array.isArray(err.errors) && (keys.length === 0 || !keys.includes('errors'))) keys.push('errors');
    stack = improveStack(stack, constructor, name, tag);
    let pos = (err.message && stack.indexOf(err.message)) || -1;
    if (pos !== -1) pos += err.message.length;
    const stackStart = stack.indexOf('\n    at', pos);
    if (stackStart === -1) stack = `[${stack}]`;
    if (ctx.indentationLvl !== 0) stack = stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
    return stack;
  }
  function getBoxedBase(value, ctx, keys, constructor, tag) {
    let fn, type;
    if (isNumberObject(value)) { fn = Number.prototype.valueOf; type = 'Number'; }
    else if (isStringObject(value)) {
      fn = _String.prototype.valueOf; type = 'String';
      keys.splice(0, value.length);
    } else if (isBooleanObject(value)) { fn = Boolean.prototype.valueOf; type = 'Boolean'; }
    else if (isBigIntObject(value)) { fn = BigInt.prototype.valueOf; type = 'BigInt'; }
    else { fn = _Symbol.prototype.valueOf; type = 'Symbol'; }
    let base = `[${type}`;
    if (type !== constructor) base += constructor === null ? ' (null prototype)' : ` (${constructor})`;
    base += `: ${formatPrimitive(stylizeNoColor, fn.call(value), ctx)}]`;
    if (tag !== '' && tag !== constructor) base += ` [${tag}]`;
    if (keys.length !== 0 || ctx.stylize === stylizeNoColor) return base;
    return ctx.stylize(base, type.toLowerCase());
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    const constructor = getConstructorName(value);
    let tag = value[_Symbol.toStringTag];
    if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? hasOwn : isEnumerable)(value, _Symbol.toStringTag))) tag = '';
    let base = '';
    let formatter = () => [];
    let braces;
    let noIterator = true;
    let extrasType = kObjectType;

    if (_Symbol.iterator in value || constructor === null) {
      noIterator = false;
      if (_Array.isArray(value)) {
        const prefix = constructor !== 'Array' || tag !== '' ? getPrefix(constructor, tag, 'Array', `(${value.length})`) : '';
        keys = getOwnNonIndexProperties(value, ctx.showHidden);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
        extrasType = kArrayExtrasType;
        formatter = formatArray;
      } else if (isSet(value)) {
        const size = value.size;
        const prefix = getPrefix(constructor, tag, 'Set', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = (c, v, r) => formatSet(Set.prototype.values.call(value), size, c, r);
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMap(value)) {
        const size = value.size;
        const prefix = getPrefix(constructor, tag, 'Map', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = (c, v, r) => formatMap(Map.prototype.entries.call(value), size, c, r);
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isTypedArray(value)) {
        keys = getOwnNonIndexProperties(value, ctx.showHidden);
        const fallback = constructor === null ? typedArrayName(value) : '';
        const size = value.length;
        const prefix = getPrefix(constructor, tag, fallback, `(${size})`);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0 && !ctx.showHidden) return `${braces[0]}]`;
        formatter = (c, v, r) => formatTypedArray(value, size, c, r);
        extrasType = kArrayExtrasType;
      } else if (types.isMapIterator(value) || types.isSetIterator(value)) {
        keys = getKeys(value, ctx.showHidden);
        const kind = types.isMapIterator(value) ? 'Map' : 'Set';
        braces = [`[${tag || `${kind} Iterator`}] {`, '}'];
        formatter = formatIterator;
      } else {
        noIterator = true;
      }
    }
    if (noIterator) {
      keys = getKeys(value, ctx.showHidden);
      braces = ['{', '}'];
      if (constructor === 'Object') {
        if (types.isArgumentsObject(value)) braces[0] = '[Arguments] [';
        else if (tag !== '') braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
        if (keys.length === 0) return `${braces[0]}}`;
      } else if (typeof value === 'function') {
        base = getFunctionBase(value, constructor, tag);
        if (keys.length === 0) return ctx.stylize(base, 'special');
      } else if (isRegExp(value)) {
        base = RegExp.prototype.toString.call(constructor !== null ? value : new RegExp(value));
        const prefix = getPrefix(constructor, tag, 'RegExp');
        if (prefix !== 'RegExp ') base = `${prefix}${base}`;
        if (keys.length === 0 || (ctx.depth !== null && recurseTimes > ctx.depth)) return ctx.stylize(base, 'regexp');
      } else if (isDate(value)) {
        base = Number.isNaN(_Date.prototype.getTime.call(value)) ? _Date.prototype.toString.call(value) : _Date.prototype.toISOString.call(value);
        const prefix = getPrefix(constructor, tag, 'Date');
        if (prefix !== 'Date ') base = `${prefix}${base}`;
        if (keys.length === 0) return ctx.stylize(base, 'date');
      } else if (isError(value)) {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0) return base;
      } else if (types.isAnyArrayBuffer(value)) {
        const arrayType = isArrayBuffer(value) ? 'ArrayBuffer' : 'SharedArrayBuffer';
        const prefix = getPrefix(constructor, tag, arrayType);
        if (typedArray === undefined) formatter = formatArrayBuffer;
        else if (keys.length === 0) return `${prefix}{ byteLength: ${formatNumber(value.byteLength)} }`;
        braces[0] = `${prefix}{`;
        keys.unshift('byteLength');
      } else if (types.isDataView(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'DataView')}{`;
        keys.unshift('byteLength', 'byteOffset', 'buffer');
      } else if (types.isPromise(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'Promise')}{`;
        formatter = formatPromise;
      } else if (types.isWeakSet(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakSet')}{`;
        formatter = () => [ctx.stylize('<items unknown>', 'special')];
      } else if (types.isWeakMap(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakMap')}{`;
        formatter = () => [ctx.stylize('<items unknown>', 'special')];
      } else if (isBoxedPrimitive(value)) {
        base = getBoxedBase(value, ctx, keys, constructor, tag);
        if (keys.length === 0) return base;
      } else {
        if (keys.length === 0) return `${getPrefix(constructor, tag, 'Object')}{}`;
        braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
      }
    }

    if (ctx.depth !== null && recurseTimes > ctx.depth) {
      let constructorName = getPrefix(constructor, tag, 'Object').slice(0, -1);
      if (constructor !== null) constructorName = `[${constructorName}]`;
      return ctx.stylize(constructorName, 'special');
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (let i = 0; i < keys.length; i++) output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
    } catch (err) {
      ctx.seen.pop();
      if (err instanceof RangeError && /call stack/i.test(_String(err.message))) {
        return ctx.stylize(`[${getPrefix(constructor, tag, 'Object').slice(0, -1)}: Inspection interrupted prematurely. Maximum call stack size exceeded.]`, 'special');
      }
      throw err;
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) {
        const reference = ctx.stylize(`<ref *${index}>`, 'special');
        if (ctx.compact !== true) base = base === '' ? reference : `${reference} ${base}`;
        else braces[0] = `${reference} ${braces[0]}`;
      }
    }
    ctx.seen.pop();
    if (ctx.sorted) {
      const comparator = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === kObjectType) output.sort(comparator);
      else if (keys.length > 1) {
        const sorted = output.slice(output.length - keys.length).sort(comparator);
        output.splice(output.length - keys.length, keys.length, ...sorted);
      }
    }
    const res = reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
    const newLength = (ctx.budget[ctx.indentationLvl] || 0) + res.length;
    ctx.budget[ctx.indentationLvl] = newLength;
    if (newLength > 2 ** 27) ctx.depth = -1;
    return res;
  }

  function formatProperty(ctx, value, recurseTimes, key, type, desc, original = value) {
    let name, str;
    let extra = ' ';
    desc = desc || getDescriptor(value, key) || { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      const diff = ctx.compact !== true || type !== kObjectType ? 2 : 3;
      ctx.indentationLvl += diff;
      str = formatValue(ctx, desc.value, recurseTimes);
      if (diff === 3 && ctx.breakLength < str.length) extra = `\n${' '.repeat(ctx.indentationLvl)}`;
      ctx.indentationLvl -= diff;
    } else if (desc.get !== undefined) {
      const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
      if (ctx.getters && (ctx.getters === true || (ctx.getters === 'get' && desc.set === undefined) || (ctx.getters === 'set' && desc.set !== undefined))) {
        try {
          const tmp = desc.get.call(original);
          ctx.indentationLvl += 2;
          if (tmp === null) str = `[${label}: null]`;
          else if (typeof tmp === 'object') str = `[${label}] ${formatValue(ctx, tmp, recurseTimes)}`;
          else str = `[${label}: ${formatPrimitive(ctx.stylize, tmp, ctx)}]`;
          ctx.indentationLvl -= 2;
        } catch (err) {
          str = `[${label}: <Inspection threw (${err && err.message})>]`;
        }
      } else str = ctx.stylize(`[${label}]`, 'special');
    } else if (desc.set !== undefined) {
      str = ctx.stylize('[Setter]', 'special');
    } else {
      str = ctx.stylize('undefined', 'undefined');
    }
    if (type === kArrayType) return str;
    if (typeof key === 'symbol') name = `[${ctx.stylize(key.toString(), 'symbol')}]`;
    else if (key === '__proto__') name = "['__proto__']";
    else if (desc.enumerable === false) name = `[${key.replace(strEscapeNoQuote, escapeFn)}]`;
    else if (keyStrRegExp.test(key)) name = ctx.stylize(key, 'name');
    else name = ctx.stylize(strEscape(key), 'string');
    return `${name}:${extra}${str}`;
  }

  function remainingText(remaining) {
    return `... ${remaining} more item${remaining > 1 ? 's' : ''}`;
  }
  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
    const remaining = valLen - len;
    const output = [];
    for (let i = 0; i < len; i++) {
      if (!hasOwn(value, i)) return formatSparseArray(ctx, value, recurseTimes, len, output, i);
      output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
    }
    if (remaining > 0) output.push(remainingText(remaining));
    return output;
  }
  function formatSparseArray(ctx, value, recurseTimes, maxLength, output, i) {
    const keys = _keys(value);
    let index = i;
    for (; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      if (tmp > 2 ** 32 - 2) break;
      if (`${index}` !== key) {
        if (!numberRegExp.test(key)) break;
        const emptyItems = tmp - index;
        output.push(ctx.stylize(`<${emptyItems} empty item${emptyItems > 1 ? 's' : ''}>`, 'undefined'));
        index = tmp;
        if (output.length === maxLength) break;
      }
      output.push(formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) output.push(ctx.stylize(`<${remaining} empty item${remaining > 1 ? 's' : ''}>`, 'undefined'));
    } else if (remaining > 0) {
      output.push(remainingText(remaining));
    }
    return output;
  }
  function formatTypedArray(value, length, ctx) {
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const remaining = value.length - maxLength;
    const output = [];
    for (let i = 0; i < maxLength; ++i) output.push(typeof value[i] === 'bigint' ? `${value[i]}n` : formatNumber(value[i]));
    if (remaining > 0) output.push(remainingText(remaining));
    return output;
  }
  function formatArrayBuffer(ctx, value) {
    const bytes = new _Uint8Array(value);
    let str = '';
    const n = Math.min(50, bytes.length);
    for (let i = 0; i < n; i++) str += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
    const remaining = bytes.length - 50;
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return [`${ctx.stylize('[Uint8Contents]', 'special')}: <${str}>`];
  }
  function formatSet(values, size, ctx, recurseTimes) {
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), size);
    const output = [];
    ctx.indentationLvl += 2;
    let i = 0;
    for (const v of values) {
      if (i >= maxLength) break;
      output.push(formatValue(ctx, v, recurseTimes));
      i++;
    }
    if (size > maxLength) output.push(remainingText(size - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }
  function formatMap(entries, size, ctx, recurseTimes) {
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), size);
    const output = [];
    ctx.indentationLvl += 2;
    let i = 0;
    for (const [k, v] of entries) {
      if (i >= maxLength) break;
      output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
      i++;
    }
    if (size > maxLength) output.push(remainingText(size - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }
  // Node previews an iterator's remaining entries through V8 internals a script cannot reach.
  function formatIterator(ctx) {
    return [ctx.stylize('<items unknown>', 'special')];
  }
  function formatPromise(ctx, value, recurseTimes) {
    let state = 0, result;
    try { state = _promiseState(value); result = _promiseResult(value); } catch (e) { state = 0; }
    if (state !== 1 && state !== 2) return [ctx.stylize('<pending>', 'special')];
    ctx.indentationLvl += 2;
    const str = formatValue(ctx, result, recurseTimes);
    ctx.indentationLvl -= 2;
    return [state === 2 ? `${ctx.stylize('<rejected>', 'special')} ${str}` : str];
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let i = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) outputLength--;
    const separatorSpace = 2;
    const dataLen = new _Array(outputLength);
    for (; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15,
      );
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let c = 0; c < columns; c++) {
        let lineLength = 0;
        for (let j = c; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
        maxLineLength.push(lineLength + separatorSpace);
      }
      let padStart = true;
      if (value !== undefined) {
        for (let k = 0; k < output.length; k++) {
          if (typeof value[k] !== 'number' && typeof value[k] !== 'bigint') { padStart = false; break; }
        }
      }
      for (let k = 0; k < outputLength; k += columns) {
        const max = Math.min(k + columns, outputLength);
        let str = '';
        let j = k;
        for (; j < max - 1; j++) {
          const cell = `${output[j]}, `;
          str += padStart ? cell.padStart(maxLineLength[j - k], ' ') : cell.padEnd(maxLineLength[j - k], ' ');
        }
        if (padStart) str += output[j].padStart(maxLineLength[j - k] - separatorSpace, ' ');
        else str += output[j];
        tmp.push(str);
      }
      if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
      output = tmp;
    }
    return output;
  }
  function isBelowBreakLength(ctx, output, start, base) {
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength) return false;
    for (let i = 0; i < output.length; i++) {
      totalLength += output[i].length;
      if (totalLength > ctx.breakLength) return false;
    }
    return base === '' || !base.includes('\n');
  }
  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    if (ctx.compact !== true) {
      if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
        const entries = output.length;
        if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
        if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
          const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
          if (isBelowBreakLength(ctx, output, start, base)) {
            const joinedOutput = output.join(', ');
            if (!joinedOutput.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joinedOutput} ${braces[1]}`;
          }
        }
      }
      const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
      return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
    }
    if (isBelowBreakLength(ctx, output, 0, base)) return `${braces[0]}${base ? ` ${base}` : ''} ${output.join(', ')} ${braces[1]}`;
    const indentation = ' '.repeat(ctx.indentationLvl);
    const ln = base === '' && braces[0].length === 1 ? ' ' : `${base ? ` ${base}` : ''}\n${indentation}  `;
    return `${braces[0]}${ln}${output.join(`,\n${indentation}  `)} ${braces[1]}`;
  }

  // ---------------------------------------------------------------- util.format
  function hasBuiltInToString(value) {
    if (typeof value.toString !== 'function') return true;
    if (hasOwn(value, 'toString')) return false;
    let pointer = value;
    do { pointer = getProto(pointer); } while (pointer !== null && !hasOwn(pointer, 'toString'));
    if (pointer === null) return true;
    const descriptor = getDescriptor(pointer, 'constructor');
    return descriptor !== undefined && typeof descriptor.value === 'function' && builtInObjects.has(descriptor.value.name);
  }
  function tryStringify(arg) {
    try {
      return _JSON.stringify(arg);
    } catch (err) {
      if (err instanceof TypeError && /circular/i.test(_String(err.message))) return '[Circular]';
      throw err;
    }
  }
  function formatWithOptionsInternal(inspectOptions, args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let tempStr;
      let lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) === 37) {
          const nextChar = first.charCodeAt(++i);
          if (a + 1 !== args.length) {
            switch (nextChar) {
              case 115: {
                const tempArg = args[++a];
                if (typeof tempArg === 'number') tempStr = formatNumber(tempArg);
                else if (typeof tempArg === 'bigint') tempStr = `${tempArg}n`;
                else if (typeof tempArg !== 'object' || tempArg === null || !hasBuiltInToString(tempArg)) tempStr = _String(tempArg);
                else tempStr = inspect(tempArg, _Object.assign({}, inspectOptions, { depth: 0, colors: false, compact: 3 }));
                break;
              }
              case 106: tempStr = tryStringify(args[++a]); break;
              case 100: {
                const tempNum = args[++a];
                if (typeof tempNum === 'bigint') tempStr = `${tempNum}n`;
                else if (typeof tempNum === 'symbol') tempStr = 'NaN';
                else tempStr = formatNumber(Number(tempNum));
                break;
              }
              case 79: tempStr = inspect(args[++a], inspectOptions); break;
              case 111: tempStr = inspect(args[++a], _Object.assign({}, inspectOptions, { showHidden: true, showProxy: true, depth: 4 })); break;
              case 105: {
                const tempInteger = args[++a];
                if (typeof tempInteger === 'bigint') tempStr = `${tempInteger}n`;
                else if (typeof tempInteger === 'symbol') tempStr = 'NaN';
                else tempStr = formatNumber(parseInt(tempInteger));
                break;
              }
              case 102: {
                const tempFloat = args[++a];
                tempStr = typeof tempFloat === 'symbol' ? 'NaN' : formatNumber(parseFloat(tempFloat));
                break;
              }
              case 99: a += 1; tempStr = ''; break;
              case 37: str += first.slice(lastPos, i); lastPos = i + 1; continue;
              default: continue;
            }
            if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
            str += tempStr;
            lastPos = i + 1;
          } else if (nextChar === 37) {
            str += first.slice(lastPos, i);
            lastPos = i + 1;
          }
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += join;
      str += typeof value !== 'string' ? inspect(value, inspectOptions) : value;
      join = ' ';
      a++;
    }
    return str;
  }
  function format(...args) {
    return formatWithOptionsInternal(undefined, args);
  }
  function formatWithOptions(inspectOptions, ...args) {
    validateObject(inspectOptions, 'inspectOptions');
    return formatWithOptionsInternal(inspectOptions, args);
  }

  return {
    nodeError, invalidArgType, outOfRange, AbortError, validateString, validateFunction, validateObject, determineSpecificType,
    types, isError, inspect, format, formatWithOptions, hasOwn,
    // For deep equality (builtins/deep-equal.js), made on first use.
    isDeepEqual: (a, b) => builtinDeepEqual().isDeepEqual(a, b),
    isDeepStrictEqual: (a, b) => builtinDeepEqual().isDeepStrictEqual(a, b),
    getProto, getSymbols, isEnumerable, isArrayIndex, tagOf, typedArrayName,
  };
});
