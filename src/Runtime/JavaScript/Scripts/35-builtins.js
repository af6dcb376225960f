// Granary isolate bootstrap: the Node built-in modules implemented for V8 (require('<name>') when allowed).
// Each entry is a factory, called once per isolate on first require. Nothing below runs at start-up except
// building this table: every module, and the internals they share (inspect, errors, deep equality), is made
// on first use, so an isolate that never requires a built-in pays only for parsing this file.
const builtinModules = {
  buffer: () => builtinBuffer(),
  path: () => builtinPath(),
  querystring: () => builtinQuerystring(),
  url: () => builtinUrl(),
  util: () => builtinUtil(),
  events: () => builtinEvents(),
  string_decoder: () => builtinStringDecoder(),
  assert: () => builtinAssert(),
  crypto: () => builtinCrypto(),
};

// Globals the modules call by name, taken before any user code runs so that replacing them changes nothing here.
const builtinDecodeURIComponent = decodeURIComponent;
const builtinEncodeURIComponent = encodeURIComponent;

// Makes a memoised factory: modules that use each other (url uses path and querystring) share one instance.
function builtinOnce(make) {
  let made;
  return () => made || (made = make());
}

// ---------------------------------------------------------------- shared internals: errors, types, inspect, deep equality
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

  // ---------------------------------------------------------------- deep equality (assert.deepEqual / deepStrictEqual, util.isDeepStrictEqual)
  const kLoose = false, kStrict = true;
  const kNoIterator = 0, kIsArray = 1, kIsSet = 2, kIsMap = 3;
  function isDeepEqual(val1, val2) { return innerDeepEqual(val1, val2, kLoose); }
  function isDeepStrictEqual(val1, val2) { return innerDeepEqual(val1, val2, kStrict); }
  function enumerableSymbols(o) { return getSymbols(o).filter((s) => isEnumerable(o, s)); }
  function ownEnumerableNonIndex(o, strict) {
    const keys = _keys(o).filter((k) => !isArrayIndex(k));
    return strict ? keys.concat(enumerableSymbols(o)) : keys;
  }
  function innerDeepEqual(val1, val2, strict, memos) {
    if (val1 === val2) return val1 !== 0 || Object.is(val1, val2) || !strict;
    if (strict) {
      if (typeof val1 !== 'object') return typeof val1 === 'number' && Number.isNaN(val1) && Number.isNaN(val2);
      if (typeof val2 !== 'object' || val1 === null || val2 === null) return false;
      if (getProto(val1) !== getProto(val2)) return false;
    } else {
      if (val1 === null || typeof val1 !== 'object') {
        if (val2 === null || typeof val2 !== 'object') return val1 == val2 || (Number.isNaN(val1) && Number.isNaN(val2)); // eslint-disable-line eqeqeq
        return false;
      }
      if (val2 === null || typeof val2 !== 'object') return false;
    }
    if (tagOf(val1) !== tagOf(val2)) return false;
    if (_Array.isArray(val1)) {
      if (!_Array.isArray(val2) || val1.length !== val2.length) return false;
      const keys1 = ownEnumerableNonIndex(val1, strict);
      if (keys1.length !== ownEnumerableNonIndex(val2, strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kIsArray, keys1);
    } else if (tagOf(val1) === '[object Object]' && !isBoxedPrimitive(val1) && !isError(val1) && !ArrayBuffer.isView(val1)) {
      if (isError(val2) || isBoxedPrimitive(val2) || ArrayBuffer.isView(val2)) return false;
      return keyCheck(val1, val2, strict, memos, kNoIterator);
    } else if (isDate(val1)) {
      if (!isDate(val2) || _Date.prototype.getTime.call(val1) !== _Date.prototype.getTime.call(val2)) return false;
    } else if (isRegExp(val1)) {
      if (!isRegExp(val2) || val1.source !== val2.source || val1.flags !== val2.flags || val1.lastIndex !== val2.lastIndex) return false;
    } else if (isError(val1)) {
      if (!isError(val2) || val1.message !== val2.message || val1.name !== val2.name) return false;
    } else if (ArrayBuffer.isView(val1)) {
      if (!ArrayBuffer.isView(val2) || typedArrayName(val1) !== typedArrayName(val2)) return false;
      if (!strict && (typedArrayName(val1) === 'Float32Array' || typedArrayName(val1) === 'Float64Array')) {
        if (val1.length !== val2.length) return false;
        for (let i = 0; i < val1.length; i++) if (val1[i] !== val2[i]) return false;
      } else {
        if (val1.byteLength !== val2.byteLength) return false;
        const a = new _Uint8Array(val1.buffer, val1.byteOffset, val1.byteLength);
        const b = new _Uint8Array(val2.buffer, val2.byteOffset, val2.byteLength);
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      }
      const keys1 = ownEnumerableNonIndex(val1, strict);
      if (keys1.length !== ownEnumerableNonIndex(val2, strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kNoIterator, keys1);
    } else if (isSet(val1)) {
      if (!isSet(val2) || val1.size !== val2.size) return false;
      return keyCheck(val1, val2, strict, memos, kIsSet);
    } else if (isMap(val1)) {
      if (!isMap(val2) || val1.size !== val2.size) return false;
      return keyCheck(val1, val2, strict, memos, kIsMap);
    } else if (types.isAnyArrayBuffer(val1)) {
      if (!types.isAnyArrayBuffer(val2) || val1.byteLength !== val2.byteLength) return false;
      const a = new _Uint8Array(val1), b = new _Uint8Array(val2);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    } else if (isBoxedPrimitive(val1)) {
      if (!isBoxedPrimitive(val2)) return false;
      for (const check of [isNumberObject, isStringObject, isBooleanObject, isBigIntObject, isSymbolObject]) {
        if (check(val1)) {
          if (!check(val2)) return false;
          if (!Object.is(val1.valueOf(), val2.valueOf())) return false;
        }
      }
    } else if (_Array.isArray(val2) || ArrayBuffer.isView(val2) || isSet(val2) || isMap(val2) || isDate(val2) || isRegExp(val2) ||
               types.isAnyArrayBuffer(val2) || isBoxedPrimitive(val2) || isError(val2)) {
      return false;
    }
    return keyCheck(val1, val2, strict, memos, kNoIterator);
  }
  function keyCheck(val1, val2, strict, memos, iterationType, aKeys) {
    if (aKeys === undefined) {
      aKeys = _keys(val1);
      if (aKeys.length !== _keys(val2).length) return false;
      for (const key of aKeys) if (!isEnumerable(val2, key)) return false;
      if (strict) {
        const symbolsA = enumerableSymbols(val1);
        const symbolsB = enumerableSymbols(val2);
        if (symbolsA.length !== symbolsB.length) return false;
        for (const key of symbolsA) if (!isEnumerable(val2, key)) return false;
        aKeys = aKeys.concat(symbolsA);
      }
    } else {
      for (const key of aKeys) if (!isEnumerable(val2, key)) return false;
    }
    if (aKeys.length === 0 && (iterationType === kNoIterator || (iterationType === kIsArray && val1.length === 0) || val1.size === 0)) return true;
    if (memos === undefined) {
      memos = { val1: new Map(), val2: new Map(), position: 0 };
    } else {
      const val2MemoA = memos.val1.get(val1);
      if (val2MemoA !== undefined) {
        const val2MemoB = memos.val2.get(val2);
        if (val2MemoB !== undefined) return val2MemoA === val2MemoB;
      }
      memos.position++;
    }
    memos.val1.set(val1, memos.position);
    memos.val2.set(val2, memos.position);
    const areEq = objEquiv(val1, val2, strict, aKeys, memos, iterationType);
    memos.val1.delete(val1);
    memos.val2.delete(val2);
    return areEq;
  }
  function objEquiv(a, b, strict, keys, memos, iterationType) {
    if (iterationType === kIsSet) {
      if (!setEquiv(a, b, strict, memos)) return false;
    } else if (iterationType === kIsMap) {
      if (!mapEquiv(a, b, strict, memos)) return false;
    } else if (iterationType === kIsArray) {
      for (let i = 0; i < a.length; i++) {
        if (hasOwn(a, i)) {
          if (!hasOwn(b, i) || !innerDeepEqual(a[i], b[i], strict, memos)) return false;
        } else if (hasOwn(b, i)) {
          return false;
        } else if (!strict && !innerDeepEqual(a[i], b[i], strict, memos)) {
          return false;
        }
      }
    }
    for (const key of keys) if (!innerDeepEqual(a[key], b[key], strict, memos)) return false;
    return true;
  }
  // Values present by identity on both sides match; the rest must pair up one to one by deep equality.
  function setEquiv(a, b, strict, memos) {
    const restA = [];
    for (const v of a) if (!b.has(v)) restA.push(v);
    if (restA.length === 0) return true;
    const restB = [];
    for (const v of b) if (!a.has(v)) restB.push(v);
    if (restA.length !== restB.length) return false;
    for (const v of restA) {
      const i = restB.findIndex((w) => innerDeepEqual(v, w, strict, memos));
      if (i < 0) return false;
      restB.splice(i, 1);
    }
    return true;
  }
  function mapEquiv(a, b, strict, memos) {
    const restA = [];
    for (const [k, v] of a) {
      if (b.has(k)) {
        if (!innerDeepEqual(v, b.get(k), strict, memos)) return false;
      } else restA.push([k, v]);
    }
    if (restA.length === 0) return true;
    const restB = [];
    for (const entry of b) if (!a.has(entry[0])) restB.push(entry);
    if (restA.length !== restB.length) return false;
    for (const [k, v] of restA) {
      const i = restB.findIndex(([k2, v2]) => innerDeepEqual(k, k2, strict, memos) && innerDeepEqual(v, v2, strict, memos));
      if (i < 0) return false;
      restB.splice(i, 1);
    }
    return true;
  }

  return {
    nodeError, invalidArgType, outOfRange, validateString, validateFunction, validateObject, determineSpecificType,
    types, isError, inspect, format, formatWithOptions, isDeepEqual, isDeepStrictEqual, hasOwn,
  };
});

// ---------------------------------------------------------------- buffer
const builtinBuffer = builtinOnce(() => {
  const kMaxLength = 2 ** 32;
  const mod = {
    Buffer,
    constants: _freeze({ MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 536870888 }),
    kMaxLength,
    kStringMaxLength: 536870888,
    INSPECT_MAX_BYTES: 50,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
  };
  if (typeof globalThis.Blob === 'function') mod.Blob = globalThis.Blob;
  if (typeof globalThis.File === 'function') mod.File = globalThis.File;
  return _freeze(mod);
});

// ---------------------------------------------------------------- path (POSIX), after Node's lib/path.js
const builtinPath = builtinOnce(() => {
  const { validateString, validateObject } = builtinInternals();
  const SLASH = 47, DOT = 46;
  function normalizeString(path, allowAboveRoot) {
    let res = '';
    let lastSegmentLength = 0;
    let lastSlash = -1;
    let dots = 0;
    let code = 0;
    for (let i = 0; i <= path.length; ++i) {
      if (i < path.length) code = path.charCodeAt(i);
      else if (code === SLASH) break;
      else code = SLASH;
      if (code === SLASH) {
        if (lastSlash === i - 1 || dots === 1) {
          // a run of slashes or a '.' segment
        } else if (dots === 2) {
          if (res.length < 2 || lastSegmentLength !== 2 || res.charCodeAt(res.length - 1) !== DOT || res.charCodeAt(res.length - 2) !== DOT) {
            if (res.length > 2) {
              const lastSlashIndex = res.lastIndexOf('/');
              if (lastSlashIndex === -1) { res = ''; lastSegmentLength = 0; }
              else { res = res.slice(0, lastSlashIndex); lastSegmentLength = res.length - 1 - res.lastIndexOf('/'); }
              lastSlash = i;
              dots = 0;
              continue;
            } else if (res.length !== 0) {
              res = '';
              lastSegmentLength = 0;
              lastSlash = i;
              dots = 0;
              continue;
            }
          }
          if (allowAboveRoot) {
            res += res.length > 0 ? '/..' : '..';
            lastSegmentLength = 2;
          }
        } else {
          if (res.length > 0) res += `/${path.slice(lastSlash + 1, i)}`;
          else res = path.slice(lastSlash + 1, i);
          lastSegmentLength = i - lastSlash - 1;
        }
        lastSlash = i;
        dots = 0;
      } else if (code === DOT && dots !== -1) {
        ++dots;
      } else {
        dots = -1;
      }
    }
    return res;
  }
  const posix = {
    resolve(...args) {
      let resolvedPath = '';
      let resolvedAbsolute = false;
      for (let i = args.length - 1; i >= -1 && !resolvedAbsolute; i--) {
        const path = i >= 0 ? args[i] : '/';
        validateString(path, `paths[${i}]`);
        if (path.length === 0) continue;
        resolvedPath = `${path}/${resolvedPath}`;
        resolvedAbsolute = path.charCodeAt(0) === SLASH;
      }
      resolvedPath = normalizeString(resolvedPath, !resolvedAbsolute);
      if (resolvedAbsolute) return `/${resolvedPath}`;
      return resolvedPath.length > 0 ? resolvedPath : '.';
    },
    normalize(path) {
      validateString(path, 'path');
      if (path.length === 0) return '.';
      const isAbsolute = path.charCodeAt(0) === SLASH;
      const trailingSeparator = path.charCodeAt(path.length - 1) === SLASH;
      path = normalizeString(path, !isAbsolute);
      if (path.length === 0) {
        if (isAbsolute) return '/';
        return trailingSeparator ? './' : '.';
      }
      if (trailingSeparator) path += '/';
      return isAbsolute ? `/${path}` : path;
    },
    isAbsolute(path) {
      validateString(path, 'path');
      return path.length > 0 && path.charCodeAt(0) === SLASH;
    },
    join(...args) {
      if (args.length === 0) return '.';
      let joined;
      for (let i = 0; i < args.length; ++i) {
        const arg = args[i];
        validateString(arg, 'path');
        if (arg.length > 0) joined = joined === undefined ? arg : `${joined}/${arg}`;
      }
      if (joined === undefined) return '.';
      return posix.normalize(joined);
    },
    relative(from, to) {
      validateString(from, 'from');
      validateString(to, 'to');
      if (from === to) return '';
      from = posix.resolve(from);
      to = posix.resolve(to);
      if (from === to) return '';
      const fromStart = 1;
      const fromEnd = from.length;
      const fromLen = fromEnd - fromStart;
      const toStart = 1;
      const toLen = to.length - toStart;
      const length = fromLen < toLen ? fromLen : toLen;
      let lastCommonSep = -1;
      let i = 0;
      for (; i < length; i++) {
        const fromCode = from.charCodeAt(fromStart + i);
        if (fromCode !== to.charCodeAt(toStart + i)) break;
        else if (fromCode === SLASH) lastCommonSep = i;
      }
      if (i === length) {
        if (toLen > length) {
          if (to.charCodeAt(toStart + i) === SLASH) return to.slice(toStart + i + 1);
          if (i === 0) return to.slice(toStart + i);
        } else if (fromLen > length) {
          if (from.charCodeAt(fromStart + i) === SLASH) lastCommonSep = i;
          else if (i === 0) lastCommonSep = 0;
        }
      }
      let out = '';
      for (i = fromStart + lastCommonSep + 1; i <= fromEnd; ++i) {
        if (i === fromEnd || from.charCodeAt(i) === SLASH) out += out.length === 0 ? '..' : '/..';
      }
      return `${out}${to.slice(toStart + lastCommonSep)}`;
    },
    toNamespacedPath(path) { return path; },
    dirname(path) {
      validateString(path, 'path');
      if (path.length === 0) return '.';
      const hasRoot = path.charCodeAt(0) === SLASH;
      let end = -1;
      let matchedSlash = true;
      for (let i = path.length - 1; i >= 1; --i) {
        if (path.charCodeAt(i) === SLASH) {
          if (!matchedSlash) { end = i; break; }
        } else {
          matchedSlash = false;
        }
      }
      if (end === -1) return hasRoot ? '/' : '.';
      if (hasRoot && end === 1) return '//';
      return path.slice(0, end);
    },
    basename(path, suffix) {
      if (suffix !== undefined) validateString(suffix, 'suffix');
      validateString(path, 'path');
      let start = 0;
      let end = -1;
      let matchedSlash = true;
      if (suffix !== undefined && suffix.length > 0 && suffix.length <= path.length) {
        if (suffix === path) return '';
        let extIdx = suffix.length - 1;
        let firstNonSlashEnd = -1;
        for (let i = path.length - 1; i >= 0; --i) {
          const code = path.charCodeAt(i);
          if (code === SLASH) {
            if (!matchedSlash) { start = i + 1; break; }
          } else {
            if (firstNonSlashEnd === -1) { matchedSlash = false; firstNonSlashEnd = i + 1; }
            if (extIdx >= 0) {
              if (code === suffix.charCodeAt(extIdx)) {
                if (--extIdx === -1) end = i;
              } else {
                extIdx = -1;
                end = firstNonSlashEnd;
              }
            }
          }
        }
        if (start === end) end = firstNonSlashEnd;
        else if (end === -1) end = path.length;
        return path.slice(start, end);
      }
      for (let i = path.length - 1; i >= 0; --i) {
        if (path.charCodeAt(i) === SLASH) {
          if (!matchedSlash) { start = i + 1; break; }
        } else if (end === -1) {
          matchedSlash = false;
          end = i + 1;
        }
      }
      if (end === -1) return '';
      return path.slice(start, end);
    },
    extname(path) {
      validateString(path, 'path');
      let startDot = -1;
      let startPart = 0;
      let end = -1;
      let matchedSlash = true;
      let preDotState = 0;
      for (let i = path.length - 1; i >= 0; --i) {
        const code = path.charCodeAt(i);
        if (code === SLASH) {
          if (!matchedSlash) { startPart = i + 1; break; }
          continue;
        }
        if (end === -1) { matchedSlash = false; end = i + 1; }
        if (code === DOT) {
          if (startDot === -1) startDot = i;
          else if (preDotState !== 1) preDotState = 1;
        } else if (startDot !== -1) {
          preDotState = -1;
        }
      }
      if (startDot === -1 || end === -1 || preDotState === 0 ||
          (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) {
        return '';
      }
      return path.slice(startDot, end);
    },
    format(pathObject) {
      validateObject(pathObject, 'pathObject');
      const dir = pathObject.dir || pathObject.root;
      const ext = pathObject.ext ? `${pathObject.ext[0] === '.' ? '' : '.'}${pathObject.ext}` : '';
      const base = pathObject.base || `${pathObject.name || ''}${ext}`;
      if (!dir) return base;
      return dir === pathObject.root ? `${dir}${base}` : `${dir}/${base}`;
    },
    parse(path) {
      validateString(path, 'path');
      const ret = { root: '', dir: '', base: '', ext: '', name: '' };
      if (path.length === 0) return ret;
      const isAbsolute = path.charCodeAt(0) === SLASH;
      let start;
      if (isAbsolute) { ret.root = '/'; start = 1; } else start = 0;
      let startDot = -1;
      let startPart = 0;
      let end = -1;
      let matchedSlash = true;
      let i = path.length - 1;
      let preDotState = 0;
      for (; i >= start; --i) {
        const code = path.charCodeAt(i);
        if (code === SLASH) {
          if (!matchedSlash) { startPart = i + 1; break; }
          continue;
        }
        if (end === -1) { matchedSlash = false; end = i + 1; }
        if (code === DOT) {
          if (startDot === -1) startDot = i;
          else if (preDotState !== 1) preDotState = 1;
        } else if (startDot !== -1) {
          preDotState = -1;
        }
      }
      if (end !== -1) {
        const begin = startPart === 0 && isAbsolute ? 1 : startPart;
        if (startDot === -1 || preDotState === 0 ||
            (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) {
          ret.base = ret.name = path.slice(begin, end);
        } else {
          ret.name = path.slice(begin, startDot);
          ret.base = path.slice(begin, end);
          ret.ext = path.slice(startDot, end);
        }
      }
      if (startPart > 0) ret.dir = path.slice(0, startPart - 1);
      else if (isAbsolute) ret.dir = '/';
      return ret;
    },
    sep: '/',
    delimiter: ':',
    win32: null,
    posix: null,
  };
  // Functions only ever see POSIX paths, so win32 is the same object (Node's own differs).
  posix.posix = posix;
  posix.win32 = posix;
  return _freeze(posix);
});

// ---------------------------------------------------------------- querystring, after Node's lib/querystring.js
const builtinQuerystring = builtinOnce(() => {
  const { nodeError } = builtinInternals();
  function qsEscape(str) {
    if (typeof str !== 'string') {
      if (typeof str === 'object') str = _String(str);
      else str += '';
    }
    try {
      return builtinEncodeURIComponent(str);
    } catch (e) {
      throw nodeError(URIError, 'ERR_INVALID_URI', 'URI malformed');
    }
  }
  // Decodes %XX escapes byte by byte (and '+' when asked); like Node, other characters keep only their low byte.
  function unescapeBuffer(s, decodeSpaces) {
    const out = Buffer.alloc(s.length);
    const unhex = (c) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
    const maxLength = s.length - 2;
    let index = 0;
    let outIndex = 0;
    while (index < s.length) {
      let currentChar = s.charCodeAt(index);
      if (currentChar === 43 && decodeSpaces) {
        out[outIndex++] = 32;
        index++;
        continue;
      }
      if (currentChar === 37 && index < maxLength) {
        currentChar = s.charCodeAt(++index);
        const hexHigh = unhex(currentChar);
        if (hexHigh < 0) {
          out[outIndex++] = 37;
          continue;
        }
        const hexLow = unhex(s.charCodeAt(++index));
        if (hexLow < 0) {
          out[outIndex++] = 37;
          index--;
        } else {
          currentChar = hexHigh * 16 + hexLow;
        }
      }
      out[outIndex++] = currentChar;
      index++;
    }
    return out.subarray(0, outIndex);
  }
  function qsUnescape(s, decodeSpaces) {
    try {
      return builtinDecodeURIComponent(s);
    } catch (e) {
      return unescapeBuffer(s, decodeSpaces).toString();
    }
  }
  function stringifyPrimitive(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && isFinite(v)) return '' + v;
    if (typeof v === 'bigint') return '' + v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }
  function encodeStringified(v, encode) {
    if (typeof v === 'string') return v.length ? encode(v) : '';
    if (typeof v === 'number' && isFinite(v)) return Math.abs(v) < 1e21 ? '' + v : encode('' + v);
    if (typeof v === 'bigint') return '' + v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }
  const encodeStringifiedCustom = (v, encode) => encode(stringifyPrimitive(v));
  const qs = {
    unescapeBuffer,
    unescape: qsUnescape,
    escape: qsEscape,
    stringify(obj, sep, eq, options) {
      sep = sep || '&';
      eq = eq || '=';
      let encode = qs.escape;
      if (options && typeof options.encodeURIComponent === 'function') encode = options.encodeURIComponent;
      const convert = encode === qsEscape ? encodeStringified : encodeStringifiedCustom;
      if (obj === null || typeof obj !== 'object') return '';
      let fields = '';
      for (const k of _keys(obj)) {
        const v = obj[k];
        const ks = convert(k, encode) + eq;
        if (_Array.isArray(v)) {
          if (v.length === 0) continue;
          if (fields) fields += sep;
          for (let j = 0; j < v.length; ++j) {
            if (j) fields += sep;
            fields += ks + convert(v[j], encode);
          }
        } else {
          if (fields) fields += sep;
          fields += ks + convert(v, encode);
        }
      }
      return fields;
    },
    parse(str, sep, eq, options) {
      const obj = _Object.create(null);
      if (typeof str !== 'string' || str.length === 0) return obj;
      sep = sep ? _String(sep) : '&';
      eq = eq ? _String(eq) : '=';
      let maxKeys = 1000;
      if (options && typeof options.maxKeys === 'number') maxKeys = options.maxKeys;
      let pairs = maxKeys > 0 ? maxKeys : Infinity;
      let decode = qs.unescape;
      if (options && typeof options.decodeURIComponent === 'function') decode = options.decodeURIComponent;
      const customDecode = decode !== qsUnescape;
      const decodeStr = (s) => {
        if (!customDecode && !/[%+]/.test(s)) return s;
        const spaced = s.replace(/\+/g, '%20');
        try { return decode(spaced); } catch (e) { return qs.unescape(spaced, true); }
      };
      let pos = 0;
      while (pos <= str.length && pairs > 0) {
        let end = str.indexOf(sep, pos);
        if (end === -1) end = str.length;
        const part = str.slice(pos, end);
        pos = end + sep.length;
        pairs--;
        if (part.length === 0) { if (end === str.length) break; continue; }
        const eqIdx = part.indexOf(eq);
        const key = decodeStr(eqIdx >= 0 ? part.slice(0, eqIdx) : part);
        const value = decodeStr(eqIdx >= 0 ? part.slice(eqIdx + eq.length) : '');
        const current = obj[key];
        if (current === undefined) obj[key] = value;
        else if (typeof current === 'string') obj[key] = [current, value];
        else current.push(value);
        if (end === str.length) break;
      }
      return obj;
    },
  };
  qs.decode = qs.parse;
  qs.encode = qs.stringify;
  return qs;
});

// ---------------------------------------------------------------- url: WHATWG URL plus the legacy API, after Node's lib/url.js
const builtinUrl = builtinOnce(() => {
  const { nodeError, invalidArgType, validateString, validateObject } = builtinInternals();
  const querystring = builtinQuerystring();
  const protocolPattern = /^[a-z0-9.+-]+:/i;
  const portPattern = /:[0-9]*$/;
  const hostPattern = /^\/\/[^@/]+@[^@/]+/;
  const simplePathPattern = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
  const hostnameMaxLen = 255;
  const unsafeProtocol = new Set(['javascript', 'javascript:']);
  const hostlessProtocol = new Set(['javascript', 'javascript:']);
  const slashedProtocol = new Set(['http', 'http:', 'https', 'https:', 'ftp', 'ftp:', 'gopher', 'gopher:', 'file', 'file:', 'ws', 'ws:', 'wss', 'wss:']);
  const forbiddenHostChars = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
  const forbiddenHostCharsIpv6 = /[\0\t\n\r #%/<>?@\\^|]/;
  const invalidUrl = (input) => {
    const e = nodeError(TypeError, 'ERR_INVALID_URL', 'Invalid URL');
    e.input = input;
    return e;
  };
  const isIpv6Hostname = (hostname) => hostname.charCodeAt(0) === 91 && hostname.charCodeAt(hostname.length - 1) === 93;
  const isURL = (self) => Boolean(self && self.href && self.protocol && self.auth === undefined && self.path === undefined);
  const autoEscape = { 9: '%09', 10: '%0A', 13: '%0D', 32: '%20', 34: '%22', 39: '%27', 60: '%3C', 62: '%3E', 92: '%5C', 94: '%5E', 96: '%60', 123: '%7B', 124: '%7C', 125: '%7D' };
  const autoEscapeStr = (rest) => rest.replace(/[\t\n\r "'<>\\^`{|}]/g, (c) => autoEscape[c.charCodeAt(0)]);
  // RFC 3986 userinfo: everything but these is escaped when the auth is formatted back.
  const encodeAuth = (auth) => percentEncode(auth, (c) => /[A-Za-z0-9!\-._~'()*:]/.test(c));

  // IDNA (RFC 3492 punycode per label, after NFC and lower-casing): enough for the hostnames url.parse meets.
  function punycodeEncode(input) {
    const codePoints = _Array.from(input, (c) => c.codePointAt(0));
    const digit = (d) => _String.fromCharCode(d + 22 + 75 * (d < 26));
    const adapt = (delta, numPoints, firstTime) => {
      let k = 0;
      delta = firstTime ? Math.floor(delta / 700) : delta >> 1;
      delta += Math.floor(delta / numPoints);
      for (; delta > 455; k += 36) delta = Math.floor(delta / 35);
      return Math.floor(k + (36 * delta) / (delta + 38));
    };
    let n = 128, delta = 0, bias = 72;
    let output = '';
    for (const c of codePoints) if (c < 128) output += _String.fromCharCode(c);
    const basicLength = output.length;
    let handled = basicLength;
    if (basicLength) output += '-';
    while (handled < codePoints.length) {
      let m = Infinity;
      for (const c of codePoints) if (c >= n && c < m) m = c;
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of codePoints) {
        if (c < n) delta++;
        if (c === n) {
          let q = delta;
          for (let k = 36; ; k += 36) {
            const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
            if (q < t) break;
            output += digit(t + ((q - t) % (36 - t)));
            q = Math.floor((q - t) / (36 - t));
          }
          output += digit(q);
          bias = adapt(delta, handled + 1, handled === basicLength);
          delta = 0;
          handled++;
        }
      }
      delta++;
      n++;
    }
    return output;
  }
  function domainToASCII(domain) {
    return _String(domain).normalize('NFC').toLowerCase().split(/[.\u3002\uff0e\uff61]/)
      .map((label) => (/[^\x00-\x7f]/.test(label) ? 'xn--' + punycodeEncode(label) : label)).join('.');
  }

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }
  function urlParse(url, parseQueryString, slashesDenoteHost) {
    if (url instanceof Url) return url;
    const urlObject = new Url();
    urlObject.parse(url, parseQueryString, slashesDenoteHost);
    return urlObject;
  }
  Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
    validateString(url, 'url');
    let hasHash = false;
    let hasAt = false;
    let start = -1;
    let end = -1;
    let rest = '';
    let lastPos = 0;
    for (let i = 0, inWs = false, split = false; i < url.length; ++i) {
      const code = url.charCodeAt(i);
      const isWs = code < 33 || code === 0xa0 || code === 0xfeff;
      if (start === -1) {
        if (isWs) continue;
        lastPos = start = i;
      } else if (inWs) {
        if (!isWs) { end = -1; inWs = false; }
      } else if (isWs) {
        end = i;
        inWs = true;
      }
      if (!split) {
        switch (code) {
          case 64: hasAt = true; break;
          case 35: hasHash = true; split = true; break;
          case 63: split = true; break;
          case 92:
            if (i - lastPos > 0) rest += url.slice(lastPos, i);
            rest += '/';
            lastPos = i + 1;
            break;
        }
      } else if (!hasHash && code === 35) {
        hasHash = true;
      }
    }
    if (start !== -1) {
      if (lastPos === start) {
        if (end === -1) rest = start === 0 ? url : url.slice(start);
        else rest = url.slice(start, end);
      } else if (end === -1 && lastPos < url.length) {
        rest += url.slice(lastPos);
      } else if (end !== -1 && lastPos < end) {
        rest += url.slice(lastPos, end);
      }
    }
    if (!slashesDenoteHost && !hasHash && !hasAt) {
      const simplePath = simplePathPattern.exec(rest);
      if (simplePath) {
        this.path = rest;
        this.href = rest;
        this.pathname = simplePath[1];
        if (simplePath[2]) {
          this.search = simplePath[2];
          this.query = parseQueryString ? querystring.parse(this.search.slice(1)) : this.search.slice(1);
        } else if (parseQueryString) {
          this.search = null;
          this.query = _Object.create(null);
        }
        return this;
      }
    }
    let proto = protocolPattern.exec(rest);
    let lowerProto;
    if (proto) {
      proto = proto[0];
      lowerProto = proto.toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto.length);
    }
    let slashes;
    if (slashesDenoteHost || proto || hostPattern.test(rest)) {
      slashes = rest.charCodeAt(0) === 47 && rest.charCodeAt(1) === 47;
      if (slashes && !(proto && hostlessProtocol.has(lowerProto))) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }
    if (!hostlessProtocol.has(lowerProto) && (slashes || (proto && !slashedProtocol.has(proto)))) {
      let hostEnd = -1;
      let atSign = -1;
      let nonHost = -1;
      for (let i = 0; i < rest.length; ++i) {
        switch (rest.charCodeAt(i)) {
          case 9: case 10: case 13: case 32: case 34: case 37: case 39: case 59: case 60: case 62: case 92: case 94: case 96:
          case 123: case 124: case 125:
            if (nonHost === -1) nonHost = i;
            break;
          case 35: case 47: case 63:
            if (nonHost === -1) nonHost = i;
            hostEnd = i;
            break;
          case 64:
            atSign = i;
            nonHost = -1;
            break;
        }
        if (hostEnd !== -1) break;
      }
      start = 0;
      if (atSign !== -1) {
        this.auth = builtinDecodeURIComponent(rest.slice(0, atSign));
        start = atSign + 1;
      }
      if (nonHost === -1) {
        this.host = rest.slice(start);
        rest = '';
      } else {
        this.host = rest.slice(start, nonHost);
        rest = rest.slice(nonHost);
      }
      this.parseHost();
      if (typeof this.hostname !== 'string') this.hostname = '';
      const hostname = this.hostname;
      const ipv6Hostname = isIpv6Hostname(hostname);
      if (!ipv6Hostname) {
        for (let i = 0; i < hostname.length; ++i) {
          const code = hostname.charCodeAt(i);
          if (code === 47 || code === 92 || code === 35 || code === 63 || code === 58) {
            this.hostname = hostname.slice(0, i);
            rest = `/${hostname.slice(i)}${rest}`;
            break;
          }
        }
      }
      if (this.hostname.length > hostnameMaxLen) this.hostname = '';
      else this.hostname = this.hostname.toLowerCase();
      if (this.hostname !== '') {
        if (ipv6Hostname) {
          if (forbiddenHostCharsIpv6.test(this.hostname)) throw invalidUrl(url);
        } else {
          if (/[^\x00-\x7f]/.test(this.hostname)) this.hostname = domainToASCII(this.hostname);
          if (this.hostname === '' || forbiddenHostChars.test(this.hostname)) throw invalidUrl(url);
        }
      }
      const p = this.port ? ':' + this.port : '';
      const h = this.hostname || '';
      this.host = h + p;
      if (ipv6Hostname) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== '/') rest = '/' + rest;
      }
    }
    if (!unsafeProtocol.has(lowerProto)) rest = autoEscapeStr(rest);
    let questionIdx = -1;
    let hashIdx = -1;
    for (let i = 0; i < rest.length; ++i) {
      const code = rest.charCodeAt(i);
      if (code === 35) {
        this.hash = rest.slice(i);
        hashIdx = i;
        break;
      } else if (code === 63 && questionIdx === -1) {
        questionIdx = i;
      }
    }
    if (questionIdx !== -1) {
      if (hashIdx === -1) {
        this.search = rest.slice(questionIdx);
        this.query = rest.slice(questionIdx + 1);
      } else {
        this.search = rest.slice(questionIdx, hashIdx);
        this.query = rest.slice(questionIdx + 1, hashIdx);
      }
      if (parseQueryString) this.query = querystring.parse(this.query);
    } else if (parseQueryString) {
      this.search = null;
      this.query = _Object.create(null);
    }
    const useQuestionIdx = questionIdx !== -1 && (hashIdx === -1 || questionIdx < hashIdx);
    const firstIdx = useQuestionIdx ? questionIdx : hashIdx;
    if (firstIdx === -1) {
      if (rest.length > 0) this.pathname = rest;
    } else if (firstIdx > 0) {
      this.pathname = rest.slice(0, firstIdx);
    }
    if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) this.pathname = '/';
    if (this.pathname || this.search) this.path = (this.pathname || '') + (this.search || '');
    this.href = this.format();
    return this;
  };
  Url.prototype.format = function format() {
    let auth = this.auth || '';
    if (auth) auth = encodeAuth(auth) + '@';
    let protocol = this.protocol || '';
    let pathname = this.pathname || '';
    let hash = this.hash || '';
    let host = '';
    let query = '';
    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      host = auth + (this.hostname.includes(':') && !isIpv6Hostname(this.hostname) ? '[' + this.hostname + ']' : this.hostname);
      if (this.port) host += ':' + this.port;
    }
    if (this.query !== null && typeof this.query === 'object') query = querystring.stringify(this.query);
    let search = this.search || (query && ('?' + query)) || '';
    if (protocol && protocol.charCodeAt(protocol.length - 1) !== 58) protocol += ':';
    pathname = pathname.replace(/[#?]/g, (c) => (c === '#' ? '%23' : '%3F'));
    if (this.slashes || slashedProtocol.has(protocol)) {
      if (this.slashes || host) {
        if (pathname && pathname.charCodeAt(0) !== 47) pathname = '/' + pathname;
        host = '//' + host;
      } else if (protocol.length >= 4 && protocol.startsWith('file')) {
        host = '//';
      }
    }
    search = search.replace(/#/g, '%23');
    if (hash && hash.charCodeAt(0) !== 35) hash = '#' + hash;
    if (search && search.charCodeAt(0) !== 63) search = '?' + search;
    return protocol + host + pathname + search + hash;
  };
  Url.prototype.resolve = function resolve(relative) {
    return this.resolveObject(urlParse(relative, false, true)).format();
  };
  Url.prototype.resolveObject = function resolveObject(relative) {
    if (typeof relative === 'string') {
      const rel = new Url();
      rel.parse(relative, false, true);
      relative = rel;
    }
    const result = new Url();
    for (const tkey of _keys(this)) result[tkey] = this[tkey];
    result.hash = relative.hash;
    if (relative.href === '') {
      result.href = result.format();
      return result;
    }
    if (relative.slashes && !relative.protocol) {
      for (const rkey of _keys(relative)) if (rkey !== 'protocol') result[rkey] = relative[rkey];
      if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) result.path = result.pathname = '/';
      result.href = result.format();
      return result;
    }
    if (relative.protocol && relative.protocol !== result.protocol) {
      if (!slashedProtocol.has(relative.protocol)) {
        for (const k of _keys(relative)) result[k] = relative[k];
        result.href = result.format();
        return result;
      }
      result.protocol = relative.protocol;
      if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostlessProtocol.has(relative.protocol)) {
        const relPath = (relative.pathname || '').split('/');
        while (relPath.length && !(relative.host = relPath.shift()));
        if (!relative.host) relative.host = '';
        if (!relative.hostname) relative.hostname = '';
        if (relPath[0] !== '') relPath.unshift('');
        if (relPath.length < 2) relPath.unshift('');
        result.pathname = relPath.join('/');
      } else {
        result.pathname = relative.pathname;
      }
      result.search = relative.search;
      result.query = relative.query;
      result.host = relative.host || '';
      result.auth = relative.auth;
      result.hostname = relative.hostname || relative.host;
      result.port = relative.port;
      if (result.pathname || result.search) result.path = (result.pathname || '') + (result.search || '');
      result.slashes = result.slashes || relative.slashes;
      result.href = result.format();
      return result;
    }
    const isSourceAbs = result.pathname && result.pathname.charAt(0) === '/';
    const isRelAbs = relative.host || (relative.pathname && relative.pathname.charAt(0) === '/');
    let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
    const removeAllDots = mustEndAbs;
    let srcPath = (result.pathname && result.pathname.split('/')) || [];
    const relPath = (relative.pathname && relative.pathname.split('/')) || [];
    const noLeadingSlashes = result.protocol && !slashedProtocol.has(result.protocol);
    if (noLeadingSlashes) {
      result.hostname = '';
      result.port = null;
      if (result.host) {
        if (srcPath[0] === '') srcPath[0] = result.host;
        else srcPath.unshift(result.host);
      }
      result.host = '';
      if (relative.protocol) {
        relative.hostname = null;
        relative.port = null;
        if (relative.host) {
          if (relPath[0] === '') relPath[0] = relative.host;
          else relPath.unshift(relative.host);
        }
        relative.host = null;
      }
      mustEndAbs = mustEndAbs && (relPath[0] === '' || srcPath[0] === '');
    }
    if (isRelAbs) {
      if (relative.host || relative.host === '') {
        if (result.host !== relative.host) result.auth = null;
        result.host = relative.host;
        result.port = relative.port;
      }
      if (relative.hostname || relative.hostname === '') {
        if (result.hostname !== relative.hostname) result.auth = null;
        result.hostname = relative.hostname;
      }
      result.search = relative.search;
      result.query = relative.query;
      srcPath = relPath;
    } else if (relPath.length) {
      if (!srcPath) srcPath = [];
      srcPath.pop();
      srcPath = srcPath.concat(relPath);
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null && relative.search !== undefined) {
      if (noLeadingSlashes) {
        result.hostname = result.host = srcPath.shift();
        const authInHost = result.host && result.host.indexOf('@') > 0 && result.host.split('@');
        if (authInHost) {
          result.auth = authInHost.shift();
          result.host = result.hostname = authInHost.shift();
        }
      }
      result.search = relative.search;
      result.query = relative.query;
      if (result.pathname !== null || result.search !== null) result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
      result.href = result.format();
      return result;
    }
    if (!srcPath.length) {
      result.pathname = null;
      result.path = result.search ? '/' + result.search : null;
      result.href = result.format();
      return result;
    }
    let last = srcPath.slice(-1)[0];
    const hasTrailingSlash = ((result.host || relative.host || srcPath.length > 1) && (last === '.' || last === '..')) || last === '';
    let up = 0;
    for (let i = srcPath.length - 1; i >= 0; i--) {
      last = srcPath[i];
      if (last === '.') {
        srcPath.splice(i, 1);
      } else if (last === '..') {
        srcPath.splice(i, 1);
        up++;
      } else if (up) {
        srcPath.splice(i, 1);
        up--;
      }
    }
    if (!mustEndAbs && !removeAllDots) while (up--) srcPath.unshift('..');
    if (mustEndAbs && srcPath[0] !== '' && (!srcPath[0] || srcPath[0].charAt(0) !== '/')) srcPath.unshift('');
    if (hasTrailingSlash && srcPath.join('/').slice(-1) !== '/') srcPath.push('');
    const isAbsolute = srcPath[0] === '' || (srcPath[0] && srcPath[0].charAt(0) === '/');
    if (noLeadingSlashes) {
      result.hostname = result.host = isAbsolute ? '' : srcPath.length ? srcPath.shift() : '';
      const authInHost = result.host && result.host.indexOf('@') > 0 ? result.host.split('@') : false;
      if (authInHost) {
        result.auth = authInHost.shift();
        result.host = result.hostname = authInHost.shift();
      }
    }
    mustEndAbs = mustEndAbs || (result.host && srcPath.length);
    if (mustEndAbs && !isAbsolute) srcPath.unshift('');
    if (srcPath.length > 0) {
      result.pathname = srcPath.join('/');
    } else {
      result.pathname = null;
      result.path = null;
    }
    if (result.pathname !== null || result.search !== null) result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
    result.auth = relative.auth || result.auth;
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  };
  Url.prototype.parseHost = function parseHost() {
    let host = this.host;
    let port = portPattern.exec(host);
    if (port) {
      port = port[0];
      if (port !== ':') this.port = port.slice(1);
      host = host.slice(0, host.length - port.length);
    }
    if (host) this.hostname = host;
  };

  function urlFormat(urlObject, options) {
    if (typeof urlObject === 'string') {
      urlObject = urlParse(urlObject);
    } else if (typeof urlObject !== 'object' || urlObject === null) {
      throw invalidArgType('urlObject', ['Object', 'string'], urlObject);
    } else if (isURL(urlObject)) {
      let fragment = true, search = true, auth = true;
      if (options) {
        validateObject(options, 'options');
        if (options.fragment != null) fragment = Boolean(options.fragment);
        if (options.search != null) search = Boolean(options.search);
        if (options.auth != null) auth = Boolean(options.auth);
      }
      const u = new URL(urlObject.href);
      if (!auth) { u.username = ''; u.password = ''; }
      if (!search) u.search = '';
      if (!fragment) u.hash = '';
      return u.href;
    }
    return Url.prototype.format.call(urlObject);
  }
  // A file: URL string is read here rather than by URL, which takes the first path segment of file:///a/b for a host.
  function parseFileUrl(input) {
    let rest = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '').slice(5).replace(/\\/g, '/');
    rest = rest.replace(/[?#].*$/s, '');
    let hostname = '';
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      hostname = (slash < 0 ? rest.slice(2) : rest.slice(2, slash)).toLowerCase();
      rest = slash < 0 ? '' : rest.slice(slash);
    }
    const segments = normalizePath(rest.split('/').slice(rest.startsWith('/') ? 1 : 0).map((seg) => encodeKeepingEscapes(seg, keepPath)), true);
    return { protocol: 'file:', hostname: hostname === 'localhost' ? '' : hostname, pathname: '/' + segments.join('/') };
  }
  function fileURLToPath(path) {
    if (typeof path === 'string') path = /^[\u0000-\u0020]*file:/i.test(path) ? parseFileUrl(path) : new URL(path);
    else if (!isURL(path)) throw invalidArgType('path', ['string', 'URL'], path);
    if (path.protocol !== 'file:') throw nodeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
    if (path.hostname !== '' && path.hostname !== 'localhost') {
      throw nodeError(TypeError, 'ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux');
    }
    const pathname = path.pathname;
    if (/%2f/i.test(pathname)) throw nodeError(TypeError, 'ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters');
    return builtinDecodeURIComponent(pathname);
  }
  function pathToFileURL(filepath) {
    const path = builtinPath();
    let resolved = path.resolve(filepath);
    if (filepath.charCodeAt(filepath.length - 1) === 47 && resolved[resolved.length - 1] !== '/') resolved += '/';
    const outURL = new URL('file://');
    const escapes = { '%': '%25', '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', '#': '%23', '?': '%3F', '[': '%5B', '\\': '%5C', ']': '%5D', '^': '%5E', '|': '%7C', '~': '%7E' };
    outURL.pathname = resolved.replace(/[%\t\n\r "#?[\\\]^|~]/g, (c) => escapes[c]);
    return outURL;
  }
  function urlToHttpOptions(url) {
    const options = {
      protocol: url.protocol,
      hostname: typeof url.hostname === 'string' && url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      hash: url.hash,
      search: url.search,
      pathname: url.pathname,
      path: `${url.pathname || ''}${url.search || ''}`,
      href: url.href,
    };
    if (url.port !== '') options.port = Number(url.port);
    if (url.username || url.password) options.auth = `${builtinDecodeURIComponent(url.username)}:${builtinDecodeURIComponent(url.password)}`;
    return options;
  }
  return _freeze({
    Url,
    parse: urlParse,
    resolve: (source, relative) => urlParse(source, false, true).resolve(relative),
    resolveObject: (source, relative) => (source ? urlParse(source, false, true).resolveObject(relative) : relative),
    format: urlFormat,
    URL,
    URLSearchParams,
    domainToASCII: (domain) => { try { return new URL(`http://${domainToASCII(domain)}`).hostname; } catch (e) { return ''; } },
    fileURLToPath,
    pathToFileURL,
    urlToHttpOptions,
  });
});

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

// ---------------------------------------------------------------- events, after Node's lib/events.js
const builtinEvents = builtinOnce(() => {
  const { inspect, nodeError, invalidArgType, outOfRange, validateObject } = builtinInternals();
  const kCapture = _Symbol('kCapture');
  const kErrorMonitor = _Symbol('events.errorMonitor');
  const kRejection = _Symbol.for('nodejs.rejection');
  let defaultMaxListeners = 10;

  const checkListener = (listener) => { if (typeof listener !== 'function') throw invalidArgType('listener', 'Function', listener); };
  const validateMax = (n, name, range) => {
    if (typeof n !== 'number') throw invalidArgType(name, 'number', n);
    if (n < 0 || Number.isNaN(n)) throw outOfRange(name, range, n);
  };

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;
  EventEmitter.prototype[kCapture] = false;
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.usingDomains = false;
  EventEmitter.captureRejectionSymbol = kRejection;
  EventEmitter.errorMonitor = kErrorMonitor;
  _defineProperty(EventEmitter, 'captureRejections', {
    get() { return EventEmitter.prototype[kCapture]; },
    set(value) {
      if (typeof value !== 'boolean') throw invalidArgType('EventEmitter.captureRejections', 'boolean', value);
      EventEmitter.prototype[kCapture] = value;
    },
    enumerable: true,
  });
  _defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get() { return defaultMaxListeners; },
    set(arg) { validateMax(arg, 'defaultMaxListeners', 'a non-negative number'); defaultMaxListeners = arg; },
  });

  EventEmitter.init = function init(opts) {
    if (this._events === undefined || this._events === _Object.getPrototypeOf(this)._events) {
      this._events = _Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
    if (opts && opts.captureRejections) {
      if (typeof opts.captureRejections !== 'boolean') throw invalidArgType('options.captureRejections', 'boolean', opts.captureRejections);
      this[kCapture] = Boolean(opts.captureRejections);
    } else {
      this[kCapture] = EventEmitter.prototype[kCapture];
    }
  };

  function addCatch(that, promise, type, args) {
    if (!that[kCapture]) return;
    try {
      const then = promise.then;
      if (typeof then === 'function') {
        then.call(promise, undefined, (err) => processObject.nextTick(emitUnhandledRejectionOrErr, that, err, type, args));
      }
    } catch (err) {
      that.emit('error', err);
    }
  }
  function emitUnhandledRejectionOrErr(ee, err, type, args) {
    if (typeof ee[kRejection] === 'function') {
      ee[kRejection](err, type, ...args);
    } else {
      const prev = ee[kCapture];
      try {
        ee[kCapture] = false;
        ee.emit('error', err);
      } finally {
        ee[kCapture] = prev;
      }
    }
  }

  EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
    validateMax(n, 'setMaxListeners', '>= 0');
    this._maxListeners = n;
    return this;
  };
  const getMax = (that) => (that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners);
  EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
    return getMax(this);
  };

  EventEmitter.prototype.emit = function emit(type, ...args) {
    let doError = type === 'error';
    const events = this._events;
    if (events !== undefined) {
      if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
      doError = doError && events.error === undefined;
    } else if (!doError) {
      return false;
    }
    if (doError) {
      let er;
      if (args.length > 0) er = args[0];
      if (er instanceof _Error) throw er; // Unhandled 'error' event
      let stringifiedEr;
      try { stringifiedEr = inspect(er); } catch (e) { stringifiedEr = er; }
      const err = nodeError(_Error, 'ERR_UNHANDLED_ERROR', `Unhandled error. (${stringifiedEr})`);
      err.context = er;
      throw err; // Unhandled 'error' event
    }
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === 'function') {
      const result = Reflect.apply(handler, this, args);
      if (result !== undefined && result !== null) addCatch(this, result, type, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; ++i) {
        const result = Reflect.apply(listeners[i], this, args);
        if (result !== undefined && result !== null) addCatch(this, result, type, args);
      }
    }
    return true;
  };

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    let existing;
    if (events === undefined) {
      events = target._events = _Object.create(null);
      target._eventsCount = 0;
    } else {
      if (events.newListener !== undefined) {
        target.emit('newListener', type, listener.listener ? listener.listener : listener);
        events = target._events;
      }
      existing = events[type];
    }
    if (existing === undefined) {
      events[type] = listener;
      ++target._eventsCount;
    } else {
      if (typeof existing === 'function') existing = events[type] = prepend ? [listener, existing] : [existing, listener];
      else if (prepend) existing.unshift(listener);
      else existing.push(listener);
      const m = getMax(target);
      if (m > 0 && existing.length > m && !existing.warned) {
        existing.warned = true;
        consoleObject.warn(`MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ${existing.length} ${_String(type)} listeners ` +
          `added to ${inspect(target, { depth: -1 })}. MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`);
      }
    }
    return target;
  }
  EventEmitter.prototype.addListener = function addListener_(type, listener) {
    return addListener(this, type, listener, false);
  };
  _defineProperty(EventEmitter.prototype.addListener, 'name', { value: 'addListener' });
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function prependListener(type, listener) {
    return addListener(this, type, listener, true);
  };
  function onceWrapper() {
    if (!this.fired) {
      this.target.removeListener(this.type, this.wrapFn);
      this.fired = true;
      if (arguments.length === 0) return this.listener.call(this.target);
      return this.listener.apply(this.target, arguments);
    }
    return undefined;
  }
  function onceWrap(target, type, listener) {
    const state = { fired: false, wrapFn: undefined, target, type, listener };
    const wrapped = onceWrapper.bind(state);
    wrapped.listener = listener;
    state.wrapFn = wrapped;
    return wrapped;
  }
  EventEmitter.prototype.once = function once(type, listener) {
    checkListener(listener);
    this.on(type, onceWrap(this, type, listener));
    return this;
  };
  EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrap(this, type, listener));
    return this;
  };
  EventEmitter.prototype.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      this._eventsCount -= 1;
      if (this._eventsCount === 0) {
        this._events = _Object.create(null);
      } else {
        delete events[type];
        if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
      }
    } else if (typeof list !== 'function') {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { position = i; break; }
      }
      if (position < 0) return this;
      if (position === 0) list.shift();
      else list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;
  EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) return this;
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = _Object.create(null);
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) this._events = _Object.create(null);
        else delete events[type];
      }
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key === 'removeListener') continue;
        this.removeAllListeners(key);
      }
      this.removeAllListeners('removeListener');
      this._events = _Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === 'function') {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
    }
    return this;
  };
  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const evlistener = events[type];
    if (evlistener === undefined) return [];
    if (typeof evlistener === 'function') return unwrap ? [evlistener.listener || evlistener] : [evlistener];
    return unwrap ? evlistener.map((l) => l.listener || l) : evlistener.slice();
  }
  EventEmitter.prototype.listeners = function listeners(type) {
    return listenersOf(this, type, true);
  };
  EventEmitter.prototype.rawListeners = function rawListeners(type) {
    return listenersOf(this, type, false);
  };
  function listenerCount(type, listener) {
    const events = this._events;
    if (events !== undefined) {
      const evlistener = events[type];
      if (typeof evlistener === 'function') {
        if (listener != null) return listener === evlistener || listener === evlistener.listener ? 1 : 0;
        return 1;
      } else if (evlistener !== undefined) {
        if (listener != null) return evlistener.filter((l) => l === listener || l.listener === listener).length;
        return evlistener.length;
      }
    }
    return 0;
  }
  EventEmitter.prototype.listenerCount = listenerCount;
  EventEmitter.listenerCount = (emitter, type) =>
    (typeof emitter.listenerCount === 'function' ? emitter.listenerCount(type) : listenerCount.call(emitter, type));
  EventEmitter.prototype.eventNames = function eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };

  // Statics for EventEmitters and EventTargets alike.
  function addAgnostic(emitter, name, listener, flags) {
    if (typeof emitter.on === 'function') {
      if (flags && flags.once) emitter.once(name, listener);
      else emitter.on(name, listener);
    } else if (typeof emitter.addEventListener === 'function') {
      emitter.addEventListener(name, listener, flags);
    } else {
      throw invalidArgType('emitter', 'EventEmitter', emitter);
    }
  }
  function removeAgnostic(emitter, name, listener, flags) {
    if (typeof emitter.removeListener === 'function') emitter.removeListener(name, listener);
    else if (typeof emitter.removeEventListener === 'function') emitter.removeEventListener(name, listener, flags);
    else throw invalidArgType('emitter', 'EventEmitter', emitter);
  }
  function abortError(signal) {
    const e = new _Error('The operation was aborted');
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    if (signal && signal.reason !== undefined) e.cause = signal.reason;
    return e;
  }
  EventEmitter.once = function once(emitter, name, options = {}) {
    validateObject(options, 'options');
    const signal = options.signal;
    if (signal && signal.aborted) return _Promise.reject(abortError(signal));
    return new _Promise((resolve, reject) => {
      const errorListener = (err) => {
        removeAgnostic(emitter, name, resolver);
        if (signal) removeAgnostic(signal, 'abort', abortListener);
        reject(err);
      };
      const resolver = (...args) => {
        if (typeof emitter.removeListener === 'function') emitter.removeListener('error', errorListener);
        if (signal) removeAgnostic(signal, 'abort', abortListener);
        resolve(args);
      };
      const abortListener = () => {
        removeAgnostic(emitter, name, resolver);
        removeAgnostic(emitter, 'error', errorListener);
        reject(abortError(signal));
      };
      addAgnostic(emitter, name, resolver, { once: true });
      if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', errorListener);
      if (signal) addAgnostic(signal, 'abort', abortListener, { once: true });
    });
  };
  const AsyncIteratorPrototype = _Object.getPrototypeOf(_Object.getPrototypeOf(async function* () {}).prototype);
  EventEmitter.on = function on(emitter, event, options = {}) {
    validateObject(options, 'options');
    const signal = options.signal;
    if (signal && signal.aborted) throw abortError(signal);
    const unconsumedEvents = [];
    const unconsumedPromises = [];
    let error = null;
    let finished = false;
    const closeHandler = () => {
      removeAgnostic(emitter, event, eventHandler);
      if (event !== 'error' && typeof emitter.removeListener === 'function') emitter.removeListener('error', errorHandler);
      if (signal) removeAgnostic(signal, 'abort', abortListener);
      finished = true;
      for (const promise of unconsumedPromises) promise.resolve({ value: undefined, done: true });
      unconsumedPromises.length = 0;
    };
    const iterator = _Object.setPrototypeOf({
      next() {
        if (unconsumedEvents.length) return _Promise.resolve({ value: unconsumedEvents.shift(), done: false });
        if (error) {
          const p = _Promise.reject(error);
          error = null;
          return p;
        }
        if (finished) return _Promise.resolve({ value: undefined, done: true });
        return new _Promise((resolve, reject) => unconsumedPromises.push({ resolve, reject }));
      },
      return() {
        closeHandler();
        return _Promise.resolve({ value: undefined, done: true });
      },
      throw(err) {
        if (!err || !(err instanceof _Error)) throw invalidArgType('EventEmitter.AsyncIterator', 'Error', err);
        error = err;
        closeHandler();
        return _Promise.resolve({ value: undefined, done: true });
      },
      [_Symbol.asyncIterator]() { return this; },
    }, AsyncIteratorPrototype);
    function eventHandler(...args) {
      const promise = unconsumedPromises.shift();
      if (promise) promise.resolve({ value: args, done: false });
      else unconsumedEvents.push(args);
    }
    function errorHandler(err) {
      const promise = unconsumedPromises.shift();
      if (promise) promise.reject(err);
      else error = err;
      closeHandler();
    }
    function abortListener() {
      errorHandler(abortError(signal));
    }
    addAgnostic(emitter, event, eventHandler);
    if (event !== 'error' && typeof emitter.on === 'function') emitter.on('error', errorHandler);
    if (signal) addAgnostic(signal, 'abort', abortListener, { once: true });
    return iterator;
  };
  EventEmitter.getEventListeners = function getEventListeners(emitter, type) {
    if (typeof emitter.listeners === 'function') return emitter.listeners(type);
    throw invalidArgType('emitter', ['EventEmitter', 'EventTarget'], emitter);
  };
  EventEmitter.setMaxListeners = function setMaxListeners(n = defaultMaxListeners, ...eventTargets) {
    validateMax(n, 'setMaxListeners', '>= 0');
    if (eventTargets.length === 0) defaultMaxListeners = n;
    else for (const target of eventTargets) target.setMaxListeners(n);
  };
  return EventEmitter;
});

// ---------------------------------------------------------------- string_decoder, after Node's src/string_decoder.cc
const builtinStringDecoder = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  function normalizeEncoding(enc) {
    const e = enc === undefined || enc === null || enc === '' ? 'utf8' : _String(enc).toLowerCase();
    switch (e) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      case 'latin1': case 'binary': return 'latin1';
      case 'base64': case 'base64url': case 'ascii': case 'hex': return e;
      default: throw nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${enc}`);
    }
  }
  // UTF-8 as V8 decodes it (the WHATWG decoder): each maximal invalid subsequence becomes one U+FFFD.
  function decodeUtf8(bytes, start, end) {
    let out = '';
    const units = [];
    let cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xbf;
    const push = (c) => {
      if (c > 0xffff) { c -= 0x10000; units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)); } else units.push(c);
      if (units.length > 8192) { out += _String.fromCharCode.apply(null, units); units.length = 0; }
    };
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (needed === 0) {
        if (b <= 0x7f) push(b);
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) { if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; needed = 2; cp = b & 0xf; }
        else if (b >= 0xf0 && b <= 0xf4) { if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; needed = 3; cp = b & 0x7; }
        else push(0xfffd);
        continue;
      }
      if (b < lower || b > upper) {
        cp = needed = seen = 0;
        lower = 0x80; upper = 0xbf;
        push(0xfffd);
        i--;
        continue;
      }
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        push(cp);
        cp = needed = seen = 0;
      }
    }
    if (needed) push(0xfffd);
    return out + _String.fromCharCode.apply(null, units);
  }
  function makeString(bytes, start, end, encoding) {
    let s = '';
    switch (encoding) {
      case 'utf8': return decodeUtf8(bytes, start, end);
      case 'utf16le': for (let i = start; i + 1 < end; i += 2) s += _String.fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s;
      case 'base64': return base64Encode(bytes.subarray(start, end));
      case 'base64url': return base64Encode(bytes.subarray(start, end), true);
      case 'hex': for (let i = start; i < end; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16); return s;
      case 'ascii': for (let i = start; i < end; i++) s += _String.fromCharCode(bytes[i] & 0x7f); return s;
      default: for (let i = start; i < end; i++) s += _String.fromCharCode(bytes[i]); return s;
    }
  }
  const state = new WeakMap();
  const stateOf = (decoder) => {
    const st = state.get(decoder);
    if (!st) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type StringDecoder');
    return st;
  };
  // Returns what can be decoded now and keeps the bytes of a character split across writes.
  function decode(st, data) {
    const enc = st.encoding;
    if (enc !== 'utf8' && enc !== 'utf16le' && enc !== 'base64' && enc !== 'base64url') return makeString(data, 0, data.length, enc);
    const chars = st.chars;
    let pos = 0;
    let nread = data.length;
    let prepend = null;
    let body;
    if (st.missing > 0) {
      if (enc === 'utf8') {
        // A byte that should continue the character but does not starts a new one; the old one is decoded as is.
        for (let i = 0; i < nread && i < st.missing; ++i) {
          if ((data[pos + i] & 0xc0) !== 0x80) {
            st.missing = 0;
            chars.set(data.subarray(pos, pos + i), st.buffered);
            st.buffered += i;
            pos += i;
            nread -= i;
            break;
          }
        }
      }
      const found = Math.min(nread, st.missing);
      chars.set(data.subarray(pos, pos + found), st.buffered);
      pos += found;
      nread -= found;
      st.missing -= found;
      st.buffered += found;
      if (st.missing === 0) {
        prepend = makeString(chars, 0, st.buffered, enc);
        st.buffered = 0;
      }
    }
    if (nread === 0) {
      body = prepend !== null ? prepend : '';
      prepend = null;
    } else {
      if (enc === 'utf8' && data[pos + nread - 1] & 0x80) {
        for (let i = nread - 1; ; --i) {
          st.buffered++;
          const b = data[pos + i];
          if ((b & 0xc0) === 0x80) {
            if (st.buffered >= 4 || i === 0) { st.buffered = 0; break; }
          } else {
            if ((b & 0xe0) === 0xc0) st.missing = 2;
            else if ((b & 0xf0) === 0xe0) st.missing = 3;
            else if ((b & 0xf8) === 0xf0) st.missing = 4;
            else { st.buffered = 0; break; }
            if (st.buffered >= st.missing) { st.missing = 0; st.buffered = 0; }
            st.missing -= st.buffered;
            break;
          }
        }
      } else if (enc === 'utf16le') {
        if (nread % 2 === 1) { st.buffered = 1; st.missing = 1; }
        else if ((data[pos + nread - 1] & 0xfc) === 0xd8) { st.buffered = 2; st.missing = 2; }
      } else if (enc === 'base64' || enc === 'base64url') {
        st.buffered = nread % 3;
        if (st.buffered > 0) st.missing = 3 - st.buffered;
      }
      if (st.buffered > 0) {
        nread -= st.buffered;
        chars.set(data.subarray(pos + nread, pos + nread + st.buffered), 0);
      }
      body = nread > 0 ? makeString(data, pos, pos + nread, enc) : '';
    }
    return prepend === null ? body : prepend + body;
  }
  function flush(st) {
    if (st.encoding === 'utf16le' && st.buffered % 2 === 1) { st.missing--; st.buffered--; }
    if (st.buffered === 0) return '';
    const ret = makeString(st.chars, 0, st.buffered, st.encoding);
    st.missing = 0;
    st.buffered = 0;
    return ret;
  }
  const viewOf = (buf) => {
    if (!ArrayBuffer.isView(buf)) throw invalidArgType('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
    return new _Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  };
  function StringDecoder(encoding) {
    this.encoding = normalizeEncoding(encoding);
    state.set(this, { encoding: this.encoding, chars: Buffer.alloc(4), missing: 0, buffered: 0 });
  }
  StringDecoder.prototype.write = function write(buf) {
    if (typeof buf === 'string') return buf;
    const data = viewOf(buf);
    return decode(stateOf(this), data);
  };
  StringDecoder.prototype.end = function end(buf) {
    let ret = '';
    if (buf !== undefined) ret = this.write(buf);
    const st = stateOf(this);
    if (st.buffered > 0) ret += flush(st);
    return ret;
  };
  StringDecoder.prototype.text = function text(buf, offset) {
    const st = stateOf(this);
    st.missing = 0;
    st.buffered = 0;
    return this.write(buf.slice(offset));
  };
  _Object.defineProperties(StringDecoder.prototype, {
    lastChar: { configurable: true, enumerable: true, get() { return stateOf(this).chars; } },
    lastNeed: { configurable: true, enumerable: true, get() { return stateOf(this).missing; } },
    lastTotal: { configurable: true, enumerable: true, get() { const st = stateOf(this); return st.buffered + st.missing; } },
  });
  return _freeze({ StringDecoder });
});

// ---------------------------------------------------------------- assert, after Node's lib/assert.js and assertion_error.js
const builtinAssert = builtinOnce(() => {
  const { inspect, isDeepEqual, isDeepStrictEqual, isError, types, invalidArgType, nodeError, validateFunction, determineSpecificType } = builtinInternals();
  const kReadableOperator = {
    deepStrictEqual: 'Expected values to be strictly deep-equal:',
    strictEqual: 'Expected values to be strictly equal:',
    strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
    deepEqual: 'Expected values to be loosely deep-equal:',
    notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
    notStrictEqual: 'Expected "actual" to be strictly unequal to:',
    notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
    notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
    notIdentical: 'Values have same structure but are not reference-equal:',
    notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
  };
  const kMaxShortLength = 12;
  const inspectValue = (val) => inspect(val, {
    compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity, showHidden: false, showProxy: false, sorted: true, getters: true,
  });
  function copyError(source) {
    const target = _Object.assign({ __proto__: _Object.getPrototypeOf(source) }, source);
    _defineProperty(target, 'message', { value: source.message });
    return target;
  }
  const getErrorMessage = (operator, message) => message || kReadableOperator[operator];
  function createErrDiff(actual, expected, operator, message = '') {
    let other = '';
    let res = '';
    let end = '';
    let skipped = false;
    const actualInspected = inspectValue(actual);
    const actualLines = actualInspected.split('\n');
    const expectedLines = inspectValue(expected).split('\n');
    let i = 0;
    let indicator = '';
    if (operator === 'strictEqual' &&
        ((typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) ||
         (typeof actual === 'function' && typeof expected === 'function'))) {
      operator = 'strictEqualObject';
    }
    if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
      const actualRaw = actualLines[0];
      const expectedRaw = expectedLines[0];
      const inputLength = actualRaw.length + expectedRaw.length;
      if (inputLength <= kMaxShortLength) {
        if ((typeof actual !== 'object' || actual === null) && (typeof expected !== 'object' || expected === null) && (actual !== 0 || expected !== 0)) {
          return `${getErrorMessage(operator, message)}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
        }
      } else if (operator !== 'strictEqualObject') {
        if (inputLength < 80) {
          while (actualRaw[i] === expectedRaw[i]) i++;
          if (i > 2) {
            indicator = `\n  ${' '.repeat(i)}^`;
            i = 0;
          }
        }
      }
    }
    let a = actualLines[actualLines.length - 1];
    let b = expectedLines[expectedLines.length - 1];
    while (a === b) {
      if (i++ < 3) end = `\n  ${a}${end}`;
      else other = a;
      actualLines.pop();
      expectedLines.pop();
      if (actualLines.length === 0 || expectedLines.length === 0) break;
      a = actualLines[actualLines.length - 1];
      b = expectedLines[expectedLines.length - 1];
    }
    const maxLines = Math.max(actualLines.length, expectedLines.length);
    if (maxLines === 0) {
      const lines = actualInspected.split('\n');
      if (lines.length > 50) {
        lines[46] = '...';
        while (lines.length > 47) lines.pop();
      }
      return `${kReadableOperator.notIdentical}\n\n${lines.join('\n')}\n`;
    }
    if (i >= 5) {
      end = `\n...${end}`;
      skipped = true;
    }
    if (other !== '') {
      end = `\n  ${other}${end}`;
      other = '';
    }
    let printedLines = 0;
    let identical = 0;
    const msg = `${getErrorMessage(operator, message)}\n+ actual - expected`;
    const skippedMsg = ' ... Lines skipped';
    let lines = actualLines;
    let plusMinus = '+';
    let maxLength = expectedLines.length;
    if (actualLines.length < maxLines) {
      lines = expectedLines;
      plusMinus = '-';
      maxLength = actualLines.length;
    }
    const printIdentical = (source, at) => {
      if (identical > 2) {
        if (identical > 3) {
          if (identical > 4) {
            if (identical === 5) {
              res += `\n  ${source[at - 3]}`;
              printedLines++;
            } else {
              res += '\n...';
              skipped = true;
            }
          }
          res += `\n  ${source[at - 2]}`;
          printedLines++;
        }
        res += `\n  ${source[at - 1]}`;
        printedLines++;
      }
      identical = 0;
    };
    for (i = 0; i < maxLines; i++) {
      if (maxLength < i + 1) {
        printIdentical(lines, i);
        if (lines === actualLines) res += `\n${plusMinus} ${lines[i]}`;
        else other += `\n${plusMinus} ${lines[i]}`;
        printedLines++;
      } else {
        const expectedLine = expectedLines[i];
        let actualLine = actualLines[i];
        let divergingLines = actualLine !== expectedLine && (!actualLine.endsWith(',') || actualLine.slice(0, -1) !== expectedLine);
        if (divergingLines && expectedLine.endsWith(',') && expectedLine.slice(0, -1) === actualLine) {
          divergingLines = false;
          actualLine += ',';
        }
        if (divergingLines) {
          printIdentical(actualLines, i);
          res += `\n+ ${actualLine}`;
          other += `\n- ${expectedLine}`;
          printedLines += 2;
        } else {
          res += other;
          other = '';
          identical++;
          if (identical <= 2) {
            res += `\n  ${actualLine}`;
            printedLines++;
          }
        }
      }
      if (printedLines > 50 && i < maxLines - 2) return `${msg}${skippedMsg}\n${res}\n...${other}\n...`;
    }
    return `${msg}${skipped ? skippedMsg : ''}\n${res}${other}${end}${indicator}`;
  }

  class AssertionError extends _Error {
    constructor(options) {
      if (options === null || typeof options !== 'object') throw invalidArgType('options', 'Object', options);
      const { message, operator, stackStartFn } = options;
      let { actual, expected } = options;
      // The stack is captured below, from the caller of the assertion; none is needed here.
      const limit = _Error.stackTraceLimit;
      _Error.stackTraceLimit = 0;
      if (message != null) {
        if (operator === 'deepStrictEqual' || operator === 'strictEqual') super(createErrDiff(actual, expected, operator, message));
        else super(_String(message));
      } else {
        if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null &&
            'stack' in actual && actual instanceof _Error && 'stack' in expected && expected instanceof _Error) {
          actual = copyError(actual);
          expected = copyError(expected);
        }
        if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
          super(createErrDiff(actual, expected, operator));
        } else if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
          let base = kReadableOperator[operator];
          const res = inspectValue(actual).split('\n');
          if (operator === 'notStrictEqual' && ((typeof actual === 'object' && actual !== null) || typeof actual === 'function')) {
            base = kReadableOperator.notStrictEqualObject;
          }
          if (res.length > 50) {
            res[46] = '...';
            while (res.length > 47) res.pop();
          }
          if (res.length === 1) super(`${base}${res[0].length > 5 ? '\n\n' : ' '}${res[0]}`);
          else super(`${base}\n\n${res.join('\n')}\n`);
        } else {
          let res = inspectValue(actual);
          let other = inspectValue(expected);
          const knownOperator = kReadableOperator[operator];
          if (operator === 'notDeepEqual' && res === other) {
            res = `${knownOperator}\n\n${res}`;
            if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
            super(res);
          } else {
            if (res.length > 512) res = `${res.slice(0, 509)}...`;
            if (other.length > 512) other = `${other.slice(0, 509)}...`;
            if (operator === 'deepEqual') {
              res = `${knownOperator}\n\n${res}\n\nshould loosely deep-equal\n\n`;
            } else {
              const newOp = kReadableOperator[`${operator}Unequal`];
              if (newOp) res = `${newOp}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
              else other = ` ${operator} ${other}`;
            }
            super(`${res}${other}`);
          }
        }
      }
      _Error.stackTraceLimit = limit;
      this.generatedMessage = !message;
      _defineProperty(this, 'name', { value: 'AssertionError [ERR_ASSERTION]', enumerable: false, writable: true, configurable: true });
      this.code = 'ERR_ASSERTION';
      this.actual = actual;
      this.expected = expected;
      this.operator = operator;
      if (typeof _Error.captureStackTrace === 'function') _Error.captureStackTrace(this, stackStartFn || this.constructor);
      void this.stack;
      this.name = 'AssertionError';
    }
    toString() {
      return `${this.name} [${this.code}]: ${this.message}`;
    }
    [inspect.custom](recurseTimes, ctx) {
      const tmpActual = this.actual;
      const tmpExpected = this.expected;
      const addEllipsis = (string) => {
        const lines = string.split('\n', 11);
        if (lines.length > 10) {
          lines.length = 10;
          return `${lines.join('\n')}\n...`;
        } else if (string.length > 512) {
          return `${string.slice(512)}...`;
        }
        return string;
      };
      if (typeof this.actual === 'string') this.actual = addEllipsis(this.actual);
      if (typeof this.expected === 'string') this.expected = addEllipsis(this.expected);
      const result = inspect(this, _Object.assign({}, ctx, { customInspect: false, depth: 0 }));
      this.actual = tmpActual;
      this.expected = tmpExpected;
      return result;
    }
  }
  const missingArgs = () => nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "actual" and "expected" arguments must be specified');

  const NO_EXCEPTION_SENTINEL = {};
  function innerFail(obj) {
    if (obj.message instanceof _Error) throw obj.message;
    throw new AssertionError(obj);
  }
  function innerOk(fn, argLen, value, message) {
    if (!value) {
      let generatedMessage = false;
      if (argLen === 0) {
        generatedMessage = true;
        message = 'No value argument passed to `assert.ok()`';
      } else if (message == null) {
        generatedMessage = true;
      } else if (message instanceof _Error) {
        throw message;
      }
      const err = new AssertionError({ actual: value, expected: true, message, operator: '==', stackStartFn: fn });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }
  function ok(...args) {
    innerOk(ok, args.length, ...args);
  }
  const assert = ok;
  assert.ok = ok;
  assert.AssertionError = AssertionError;
  assert.fail = function fail(actual, expected, message, operator, stackStartFn) {
    const argsLen = arguments.length;
    let internalMessage = false;
    if (actual == null && argsLen <= 1) {
      internalMessage = true;
      message = 'Failed';
    } else if (argsLen === 1) {
      message = actual;
      actual = undefined;
    } else {
      if (argsLen === 2) operator = '!=';
    }
    if (message instanceof _Error) throw message;
    const errArgs = { actual, expected, operator: operator === undefined ? 'fail' : operator, stackStartFn: stackStartFn || fail, message };
    const err = new AssertionError(errArgs);
    if (internalMessage) err.generatedMessage = true;
    throw err;
  };
  assert.equal = function equal(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (actual != expected && (!Number.isNaN(actual) || !Number.isNaN(expected))) { // eslint-disable-line eqeqeq
      innerFail({ actual, expected, message, operator: '==', stackStartFn: equal });
    }
  };
  assert.notEqual = function notEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) { // eslint-disable-line eqeqeq
      innerFail({ actual, expected, message, operator: '!=', stackStartFn: notEqual });
    }
  };
  assert.deepEqual = function deepEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (!isDeepEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'deepEqual', stackStartFn: deepEqual });
  };
  assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (isDeepEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'notDeepEqual', stackStartFn: notDeepEqual });
  };
  assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (!isDeepStrictEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: deepStrictEqual });
  };
  assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (isDeepStrictEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'notDeepStrictEqual', stackStartFn: notDeepStrictEqual });
  };
  assert.strictEqual = function strictEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (!Object.is(actual, expected)) innerFail({ actual, expected, message, operator: 'strictEqual', stackStartFn: strictEqual });
  };
  assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
    if (arguments.length < 2) throw missingArgs();
    if (Object.is(actual, expected)) innerFail({ actual, expected, message, operator: 'notStrictEqual', stackStartFn: notStrictEqual });
  };

  class Comparison {
    constructor(obj, keys, actual) {
      for (const key of keys) {
        if (key in obj) {
          if (actual !== undefined && typeof actual[key] === 'string' && types.isRegExp(obj[key]) && obj[key].exec(actual[key]) !== null) {
            this[key] = actual[key];
          } else {
            this[key] = obj[key];
          }
        }
      }
    }
  }
  function compareExceptionKey(actual, expected, key, message, keys, fn) {
    if (!(key in actual) || !isDeepStrictEqual(actual[key], expected[key])) {
      if (!message) {
        const a = new Comparison(actual, keys);
        const b = new Comparison(expected, keys, actual);
        const err = new AssertionError({ actual: a, expected: b, operator: 'deepStrictEqual', stackStartFn: fn });
        err.actual = actual;
        err.expected = expected;
        err.operator = fn.name;
        throw err;
      }
      innerFail({ actual, expected, message, operator: fn.name, stackStartFn: fn });
    }
  }
  function expectedException(actual, expected, message, fn) {
    let generatedMessage = false;
    let throwError = false;
    if (typeof expected !== 'function') {
      if (types.isRegExp(expected)) {
        const str = _String(actual);
        if (expected.exec(str) !== null) return;
        if (!message) {
          generatedMessage = true;
          message = `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`;
        }
        throwError = true;
      } else if (typeof actual !== 'object' || actual === null) {
        const err = new AssertionError({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: fn });
        err.operator = fn.name;
        throw err;
      } else {
        const keys = _keys(expected);
        if (expected instanceof _Error) keys.push('name', 'message');
        else if (keys.length === 0) {
          throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'error' may not be an empty object. Received {}`);
        }
        for (const key of keys) {
          if (typeof actual[key] === 'string' && types.isRegExp(expected[key]) && expected[key].exec(actual[key]) !== null) continue;
          compareExceptionKey(actual, expected, key, message, keys, fn);
        }
        return;
      }
    } else if (expected.prototype !== undefined && actual instanceof expected) {
      return;
    } else if (_Error.isPrototypeOf(expected)) {
      if (!message) {
        generatedMessage = true;
        message = `The error is expected to be an instance of "${expected.name}". Received `;
        if (isError(actual)) {
          const name = (actual.constructor && actual.constructor.name) || actual.name;
          if (expected.name === name) message += 'an error with identical name but a different prototype.';
          else message += `"${name}"`;
          if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
        } else {
          message += `"${inspect(actual, { depth: -1 })}"`;
        }
      }
      throwError = true;
    } else {
      const res = Reflect.apply(expected, {}, [actual]);
      if (res !== true) {
        if (!message) {
          generatedMessage = true;
          const name = expected.name ? `"${expected.name}" ` : '';
          message = `The ${name}validation function is expected to return "true". Received ${inspect(res)}`;
          if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
        }
        throwError = true;
      }
    }
    if (throwError) {
      const err = new AssertionError({ actual, expected, message, operator: fn.name, stackStartFn: fn });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }
  function getActual(fn) {
    validateFunction(fn, 'fn');
    try {
      fn();
    } catch (e) {
      return e;
    }
    return NO_EXCEPTION_SENTINEL;
  }
  const checkIsPromise = (obj) => obj !== null && typeof obj === 'object' && typeof obj.then === 'function' && typeof obj.catch === 'function';
  async function waitForActual(promiseFn) {
    let resultPromise;
    if (typeof promiseFn === 'function') {
      resultPromise = promiseFn();
      if (!checkIsPromise(resultPromise)) {
        throw nodeError(TypeError, 'ERR_INVALID_RETURN_VALUE',
          `Expected instance of Promise to be returned from the "promiseFn" function but got ${determineSpecificType(resultPromise)}.`);
      }
    } else if (checkIsPromise(promiseFn)) {
      resultPromise = promiseFn;
    } else {
      throw invalidArgType('promiseFn', ['Function', 'Promise'], promiseFn);
    }
    try {
      await resultPromise;
    } catch (e) {
      return e;
    }
    return NO_EXCEPTION_SENTINEL;
  }
  function expectsError(stackStartFn, actual, error, message) {
    if (typeof error === 'string') {
      if (arguments.length === 4) throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
      if (typeof actual === 'object' && actual !== null) {
        if (actual.message === error) {
          throw nodeError(TypeError, 'ERR_AMBIGUOUS_ARGUMENT', `The "error/message" argument is ambiguous. The error message "${actual.message}" is identical to the message.`);
        }
      } else if (actual === error) {
        throw nodeError(TypeError, 'ERR_AMBIGUOUS_ARGUMENT', `The "error/message" argument is ambiguous. The error "${actual}" is identical to the message.`);
      }
      message = error;
      error = undefined;
    } else if (error != null && typeof error !== 'object' && typeof error !== 'function') {
      throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
    }
    if (actual === NO_EXCEPTION_SENTINEL) {
      let details = '';
      if (error && error.name) details += ` (${error.name})`;
      details += message ? `: ${message}` : '.';
      const fnType = stackStartFn === assert.rejects ? 'rejection' : 'exception';
      innerFail({ actual: undefined, expected: error, operator: stackStartFn.name, message: `Missing expected ${fnType}${details}`, stackStartFn });
    }
    if (!error) return;
    expectedException(actual, error, message, stackStartFn);
  }
  function hasMatchingError(actual, expected) {
    if (typeof expected !== 'function') {
      if (types.isRegExp(expected)) return expected.exec(_String(actual)) !== null;
      throw invalidArgType('expected', ['Function', 'RegExp'], expected);
    }
    if (expected.prototype !== undefined && actual instanceof expected) return true;
    if (_Error.isPrototypeOf(expected)) return false;
    return Reflect.apply(expected, {}, [actual]) === true;
  }
  function expectsNoError(stackStartFn, actual, error, message) {
    if (actual === NO_EXCEPTION_SENTINEL) return;
    if (typeof error === 'string') {
      message = error;
      error = undefined;
    }
    if (!error || hasMatchingError(actual, error)) {
      const details = message ? `: ${message}` : '.';
      const fnType = stackStartFn === assert.doesNotReject ? 'rejection' : 'exception';
      innerFail({ actual, expected: error, operator: stackStartFn.name, message: `Got unwanted ${fnType}${details}\nActual message: "${actual && actual.message}"`, stackStartFn });
    }
    throw actual;
  }
  assert.throws = function throws(promiseFn, ...args) {
    expectsError(throws, getActual(promiseFn), ...args);
  };
  assert.rejects = async function rejects(promiseFn, ...args) {
    expectsError(rejects, await waitForActual(promiseFn), ...args);
  };
  assert.doesNotThrow = function doesNotThrow(fn, ...args) {
    expectsNoError(doesNotThrow, getActual(fn), ...args);
  };
  assert.doesNotReject = async function doesNotReject(fn, ...args) {
    expectsNoError(doesNotReject, await waitForActual(fn), ...args);
  };
  assert.ifError = function ifError(err) {
    if (err !== null && err !== undefined) {
      let message = 'ifError got unwanted exception: ';
      if (typeof err === 'object' && typeof err.message === 'string') {
        if (err.message.length === 0 && err.constructor) message += err.constructor.name;
        else message += err.message;
      } else {
        message += inspect(err);
      }
      const newErr = new AssertionError({ actual: err, expected: null, operator: 'ifError', message, stackStartFn: ifError });
      throw newErr;
    }
  };
  function internalMatch(string, regexp, message, fn) {
    if (!types.isRegExp(regexp)) throw invalidArgType('regexp', 'RegExp', regexp);
    const match = fn === assert.match;
    if (typeof string !== 'string' || (regexp.exec(string) !== null) !== match) {
      if (message instanceof _Error) throw message;
      const generatedMessage = !message;
      message = message || (typeof string !== 'string'
        ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
        : (match ? 'The input did not match the regular expression ' : 'The input was expected to not match the regular expression ') +
          `${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
      const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name, stackStartFn: fn });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }
  assert.match = function match(string, regexp, message) {
    internalMatch(string, regexp, message, match);
  };
  assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
    internalMatch(string, regexp, message, doesNotMatch);
  };
  function strict(...args) {
    innerOk(strict, args.length, ...args);
  }
  _Object.assign(strict, assert, {
    equal: assert.strictEqual,
    deepEqual: assert.deepStrictEqual,
    notEqual: assert.notStrictEqual,
    notDeepEqual: assert.notDeepStrictEqual,
  });
  assert.strict = strict;
  strict.strict = strict;
  _freeze(strict);
  return _freeze(assert);
});

// ---------------------------------------------------------------- crypto: hashing through the host, randomness, constant-time compare
const builtinCrypto = builtinOnce(() => {
  const { nodeError, invalidArgType, outOfRange, validateString } = builtinInternals();
  const ALGORITHMS = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
  // OpenSSL's other spellings of the same digests.
  const normalizeAlgorithm = (algorithm) => {
    const name = algorithm.toLowerCase().replace(/^rsa-/, '').replace(/^sha-(\d)/, 'sha$1');
    return _Object.prototype.hasOwnProperty.call(ALGORITHMS, name) ? ALGORITHMS[name] : undefined;
  };
  const toBytes = (data, encoding, name) => {
    if (typeof data === 'string') return Buffer.from(data, encoding);
    if (ArrayBuffer.isView(data)) return new _Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  };
  const concat = (chunks) => {
    let total = 0;
    for (const c of chunks) total += c.length;
    const out = new _Uint8Array(total);
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
  };
  const finalized = () => nodeError(_Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
  const output = (b64, encoding) => {
    const buf = Buffer._wrap(base64Decode(b64));
    return encoding === undefined || encoding === 'buffer' ? buf : buf.toString(encoding);
  };

  class Hash {
    #algorithm;
    #chunks = [];
    #finalized = false;
    constructor(algorithm) {
      validateString(algorithm, 'algorithm');
      const name = normalizeAlgorithm(algorithm);
      if (name === undefined) throw new _Error(`Digest method not supported: '${algorithm}' (Granary computes ${_keys(ALGORITHMS).join(', ')})`);
      this.#algorithm = name;
    }
    update(data, inputEncoding) {
      if (this.#finalized) throw finalized();
      // Copied: the caller may reuse its buffer before digest().
      this.#chunks.push(_Uint8Array.from(toBytes(data, inputEncoding, 'data')));
      return this;
    }
    digest(outputEncoding) {
      if (this.#finalized) throw finalized();
      this.#finalized = true;
      const data = concat(this.#chunks);
      this.#chunks = [];
      return output(host.hash(this.#algorithm, base64Encode(data)), outputEncoding);
    }
    copy() {
      if (this.#finalized) throw finalized();
      const h = new Hash(this.#algorithm);
      for (const c of this.#chunks) h.update(c);
      return h;
    }
  }
  class Hmac {
    #algorithm;
    #key;
    #chunks = [];
    #finalized = false;
    constructor(hmac, key) {
      validateString(hmac, 'hmac');
      const name = normalizeAlgorithm(hmac);
      if (name === undefined) throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${hmac}`);
      if (key !== null && typeof key === 'object' && typeof key.export === 'function' && key.type === 'secret') key = key.export();
      this.#algorithm = name;
      if (typeof key !== 'string' && !ArrayBuffer.isView(key) && !(key instanceof ArrayBuffer)) {
        throw invalidArgType('key', ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'KeyObject', 'CryptoKey'], key);
      }
      this.#key = base64Encode(key instanceof ArrayBuffer ? new _Uint8Array(key) : toBytes(key, undefined, 'key'));
    }
    update(data, inputEncoding) {
      if (this.#finalized) throw finalized();
      this.#chunks.push(_Uint8Array.from(toBytes(data, inputEncoding, 'data')));
      return this;
    }
    // As in Node, a second digest() of an Hmac returns an empty result rather than throwing.
    digest(outputEncoding) {
      if (this.#finalized) return output('', outputEncoding);
      this.#finalized = true;
      const data = concat(this.#chunks);
      this.#chunks = [];
      return output(host.hmac(this.#algorithm, this.#key, base64Encode(data)), outputEncoding);
    }
  }

  const kMaxLength = 2 ** 31 - 1;
  function randomFillBytes(target) {
    for (let o = 0; o < target.length; o += 65536) {
      const n = Math.min(65536, target.length - o);
      target.set(hexToBytes(host.randomHex(n)), o);
    }
    return target;
  }
  function validateSize(size, name, max) {
    if (typeof size !== 'number') throw invalidArgType(name, 'number', size);
    if (!(size >= 0 && size <= max)) throw outOfRange(name, `>= 0 && <= ${max}`, size);
  }
  function randomBytes(size, callback) {
    validateSize(size, 'size', kMaxLength);
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    const buf = randomFillBytes(Buffer.alloc(Math.floor(size)));
    if (callback === undefined) return buf;
    processObject.nextTick(callback, null, buf);
    return undefined;
  }
  function randomFillSync(buf, offset = 0, size) {
    if (!ArrayBuffer.isView(buf) && !(buf instanceof ArrayBuffer)) throw invalidArgType('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
    const bytes = buf instanceof ArrayBuffer ? new _Uint8Array(buf) : new _Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    validateSize(offset, 'offset', bytes.length);
    if (size === undefined) size = bytes.length - offset;
    validateSize(size, 'size', bytes.length - offset);
    randomFillBytes(bytes.subarray(offset, offset + size));
    return buf;
  }
  function randomFill(buf, offset, size, callback) {
    if (typeof offset === 'function') { callback = offset; offset = 0; size = undefined; }
    else if (typeof size === 'function') { callback = size; size = undefined; }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    randomFillSync(buf, offset, size);
    processObject.nextTick(callback, null, buf);
  }
  const RAND_MAX = 0xFFFFFFFFFFFF;
  function randomInt(min, max, callback) {
    const minNotSpecified = typeof max === 'undefined' || typeof max === 'function';
    if (minNotSpecified) {
      callback = max;
      max = min;
      min = 0;
    }
    const isSync = typeof callback === 'undefined';
    if (!isSync && typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    if (!Number.isSafeInteger(min)) throw invalidArgType('min', 'a safe integer', min);
    if (!Number.isSafeInteger(max)) throw invalidArgType('max', 'a safe integer', max);
    if (max <= min) throw outOfRange('max', `greater than the value of "min" (${min})`, max);
    const range = max - min;
    if (!(range <= RAND_MAX)) throw outOfRange(`max${minNotSpecified ? '' : ' - min'}`, `<= ${RAND_MAX}`, range);
    // Rejection sampling over 48 random bits, as Node does, so every value is equally likely.
    const randLimit = RAND_MAX - (RAND_MAX % range);
    let n;
    do {
      const b = hexToBytes(host.randomHex(6));
      n = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5];
    } while (n >= randLimit);
    const result = min + (n % range);
    if (isSync) return result;
    processObject.nextTick(callback, null, result);
    return undefined;
  }
  function timingSafeEqual(buf1, buf2) {
    const view = (b, name) => {
      if (b instanceof ArrayBuffer) return new _Uint8Array(b);
      if (ArrayBuffer.isView(b)) return new _Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
    };
    const a = view(buf1, 'buf1');
    const b = view(buf2, 'buf2');
    if (a.length !== b.length) throw nodeError(RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  const webcrypto = globalThis.crypto;
  const crypto = {
    createHash: (algorithm, options) => new Hash(algorithm, options),
    createHmac: (hmac, key, options) => new Hmac(hmac, key, options),
    hash(algorithm, data, outputEncoding = 'hex') {
      validateString(algorithm, 'algorithm');
      if (typeof data !== 'string' && !ArrayBuffer.isView(data)) throw invalidArgType('data', ['Buffer', 'TypedArray', 'DataView', 'string'], data);
      return new Hash(algorithm).update(data).digest(outputEncoding);
    },
    getHashes: () => _keys(ALGORITHMS),
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFill,
    randomFillSync,
    randomInt,
    randomUUID: () => randomUUID(),
    getRandomValues: (array) => getRandomValues(array),
    timingSafeEqual,
    Hash,
    Hmac,
    constants: _freeze({}),
  };
  if (webcrypto) {
    crypto.webcrypto = webcrypto;
    if (webcrypto.subtle) crypto.subtle = webcrypto.subtle;
  }
  return _freeze(crypto);
});
