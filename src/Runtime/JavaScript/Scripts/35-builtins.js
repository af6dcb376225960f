// Granary isolate bootstrap: the Node built-in modules implemented for V8 (require('<name>') when allowed).
// Each entry is a factory, called once per isolate on first require. They follow Node 20 (lib/*.js, MIT) for the
// calls functions make; everything is built inside this closure, from intrinsics captured before any user code runs,
// so that a function replacing a global (or a prototype method these modules rely on) cannot change them.
const builtinModules = (() => {
  const _TypeError = TypeError;
  const _RangeError = RangeError;
  const _URIError = URIError;
  const _Map = Map;
  const _Set = Set;
  const _RegExp = RegExp;
  const _Number = Number;
  const _Math = Math;
  const _ArrayBuffer = ArrayBuffer;
  const _Reflect = Reflect;
  const _isView = ArrayBuffer.isView;
  const _isArray = Array.isArray;
  const _is = Object.is;
  const _create = Object.create;
  const _assign = Object.assign;
  const _getPrototypeOf = Object.getPrototypeOf;
  const _setPrototypeOf = Object.setPrototypeOf;
  const _getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const _getOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
  const _getOwnPropertySymbols = Object.getOwnPropertySymbols;
  const _defineProperties = Object.defineProperties;
  const _values = Object.values;
  const _ownKeys = Reflect.ownKeys;
  const _apply = Reflect.apply;
  const _construct = Reflect.construct;
  const _encodeURIComponent = encodeURIComponent;
  const _decodeURIComponent = decodeURIComponent;
  const _isNaN = Number.isNaN;
  const _isFinite = Number.isFinite;
  const _isInteger = Number.isInteger;
  const _isSafeInteger = Number.isSafeInteger;
  const _fromCharCode = String.fromCharCode;
  const _setTimeoutGlobal = globalThis.setTimeout;
  const _setImmediateGlobal = globalThis.setImmediate;

  // this-taking intrinsics as plain functions (bound to the original Function.prototype.call).
  const uncurry = (fn) => Function.prototype.call.bind(fn);
  const getter = (proto, key) => uncurry(_getOwnPropertyDescriptor(proto, key).get);
  const hasOwn = uncurry(Object.prototype.hasOwnProperty);
  const isEnumerable = uncurry(Object.prototype.propertyIsEnumerable);
  const objectToString = uncurry(Object.prototype.toString);
  const isPrototypeOf = uncurry(Object.prototype.isPrototypeOf);
  const dateGetTime = uncurry(Date.prototype.getTime);
  const dateToISOString = uncurry(Date.prototype.toISOString);
  const regExpExec = uncurry(RegExp.prototype.exec);
  const regExpToString = uncurry(RegExp.prototype.toString);
  const regExpGlobal = getter(RegExp.prototype, 'global');
  const mapSize = getter(Map.prototype, 'size');
  const setSize = getter(Set.prototype, 'size');
  const weakMapHas = uncurry(WeakMap.prototype.has);
  const weakSetHas = uncurry(WeakSet.prototype.has);
  const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
  const sharedArrayBufferByteLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;
  const typedArrayTag = getter(_getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag);
  const numberValueOf = uncurry(Number.prototype.valueOf);
  const stringValueOf = uncurry(String.prototype.valueOf);
  const booleanValueOf = uncurry(Boolean.prototype.valueOf);
  const bigIntValueOf = uncurry(BigInt.prototype.valueOf);
  const symbolValueOf = uncurry(Symbol.prototype.valueOf);
  const symbolToString = uncurry(Symbol.prototype.toString);
  const functionToString = uncurry(Function.prototype.toString);

  const brand = (check) => (value) => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
    try { check(value); return true; } catch (e) { return false; }
  };

  // ---------------------------------------------------------------- util.types (brand checks, as Node's are)
  const isDate = brand(dateGetTime);
  const isRegExp = (v) => brand(regExpGlobal)(v) && typeof regExpGlobal(v) === 'boolean';
  const isMap = brand(mapSize);
  const isSet = brand(setSize);
  const isWeakMap = brand((v) => weakMapHas(v, {}));
  const isWeakSet = brand((v) => weakSetHas(v, {}));
  const isTypedArray = (v) => typedArrayTag(v) !== undefined;
  const isUint8Array = (v) => typedArrayTag(v) === 'Uint8Array';
  const isFloatArray = (v) => { const t = typedArrayTag(v); return t === 'Float32Array' || t === 'Float64Array'; };
  const isArrayBuffer = brand(arrayBufferByteLength);
  const isSharedArrayBuffer = sharedArrayBufferByteLength ? brand(sharedArrayBufferByteLength) : () => false;
  const isAnyArrayBuffer = (v) => isArrayBuffer(v) || isSharedArrayBuffer(v);
  const isPromise = (v) => v instanceof _Promise;
  const isNativeError = (v) => v instanceof _Error || (v !== null && typeof v === 'object' && objectToString(v) === '[object Error]');
  const isNumberObject = (v) => typeof v === 'object' && brand(numberValueOf)(v);
  const isStringObject = (v) => typeof v === 'object' && brand(stringValueOf)(v);
  const isBooleanObject = (v) => typeof v === 'object' && brand(booleanValueOf)(v);
  const isBigIntObject = (v) => typeof v === 'object' && brand(bigIntValueOf)(v);
  const isSymbolObject = (v) => typeof v === 'object' && brand(symbolValueOf)(v);
  const isBoxedPrimitive = (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);
  const functionTag = (v) => (typeof v === 'function' ? objectToString(v) : '');
  const isAsyncFunction = (v) => { const t = functionTag(v); return t === '[object AsyncFunction]' || t === '[object AsyncGeneratorFunction]'; };
  const isGeneratorFunction = (v) => { const t = functionTag(v); return t === '[object GeneratorFunction]' || t === '[object AsyncGeneratorFunction]'; };
  const isError = (v) => isNativeError(v);

  // ---------------------------------------------------------------- Node-style errors and argument validation
  // An error whose stack reads "TypeError [CODE]: message" and that carries `code`, as internal/errors makes them.
  function nodeError(Base, code, message, props) {
    const error = new Base(message);
    _defineProperty(error, 'name', { value: `${Base.name} [${code}]`, writable: true, configurable: true, enumerable: false });
    error.stack; // eslint-disable-line no-unused-expressions -- renders the stack with the code in the name
    delete error.name;
    error.code = code;
    _defineProperty(error, 'toString', { value() { return `${this.name} [${code}]: ${this.message}`; }, writable: true, configurable: true, enumerable: false });
    if (props) _assign(error, props);
    return error;
  }

  // internal/errors determineSpecificType: how "Received ..." describes a value.
  function describeReceived(value) {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    switch (typeof value) {
      case 'bigint': return `type bigint (${value}n)`;
      case 'number':
        if (value === 0) return 1 / value === -Infinity ? 'type number (-0)' : 'type number (0)';
        return `type number (${_String(value)})`;
      case 'boolean': return `type boolean (${value})`;
      case 'symbol': return `type symbol (${symbolToString(value)})`;
      case 'function': return `function ${value.name}`;
      case 'object':
        if (value.constructor && 'name' in value.constructor) return `an instance of ${value.constructor.name}`;
        return utilInspect(value, { depth: -1 });
      case 'string': {
        let s = value;
        if (s.length > 28) s = `${s.slice(0, 25)}...`;
        return s.indexOf("'") === -1 ? `type string ('${s}')` : `type string (${_JSON.stringify(s)})`;
      }
      default: return _String(value);
    }
  }

  const formatList = (list, word = 'and') => (list.length < 3 ? list.join(` ${word} `) : `${list.slice(0, -1).join(', ')}, ${word} ${list[list.length - 1]}`);
  const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
  function invalidArgType(name, expected, actual) {
    if (!_isArray(expected)) expected = [expected];
    let msg = 'The ';
    if (name.endsWith(' argument')) msg += `${name} `;
    else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
    msg += 'must be ';
    const types = [], instances = [], other = [];
    for (const value of expected) {
      if (kTypes.includes(value)) types.push(value.toLowerCase());
      else if (/^([A-Z][a-z0-9]*)+$/.test(value)) instances.push(value);
      else other.push(value);
    }
    if (instances.length > 0) {
      const pos = types.indexOf('object');
      if (pos !== -1) { types.splice(pos, 1); instances.push('Object'); }
    }
    if (types.length > 0) {
      msg += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`;
      if (instances.length > 0 || other.length > 0) msg += ' or ';
    }
    if (instances.length > 0) {
      msg += `an instance of ${formatList(instances, 'or')}`;
      if (other.length > 0) msg += ' or ';
    }
    if (other.length > 0) {
      if (other.length > 1) msg += `one of ${formatList(other, 'or')}`;
      else { if (other[0].toLowerCase() !== other[0]) msg += 'an '; msg += other[0]; }
    }
    return nodeError(_TypeError, 'ERR_INVALID_ARG_TYPE', `${msg}. Received ${describeReceived(actual)}`);
  }
  function outOfRange(name, range, value) {
    let received;
    if (_isInteger(value) && _Math.abs(value) > 2 ** 32) received = addNumericalSeparator(_String(value));
    else if (typeof value === 'bigint') received = _String(value) + 'n';
    else received = utilInspect(value);
    return nodeError(_RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
  }
  function addNumericalSeparator(val) {
    let res = '';
    let i = val.length;
    const start = val[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
    return `${val.slice(0, i)}${res}`;
  }
  const validateString = (value, name) => { if (typeof value !== 'string') throw invalidArgType(name, 'string', value); };
  const validateFunction = (value, name) => { if (typeof value !== 'function') throw invalidArgType(name, 'Function', value); };
  const validateObject = (value, name) => { if (value === null || typeof value !== 'object' || _isArray(value)) throw invalidArgType(name, 'Object', value); };
  function validateNumber(value, name, min, max) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if ((min != null && value < min) || (max != null && value > max) || ((min != null || max != null) && _isNaN(value))) {
      throw outOfRange(name, `${min != null ? `>= ${min}` : ''}${min != null && max != null ? ' && ' : ''}${max != null ? `<= ${max}` : ''}`, value);
    }
  }

  // ---------------------------------------------------------------- inspect
  // Node's string quoting (internal/util/inspect strEscape): single quotes unless the string has one.
  const escapeMeta = [];
  for (let i = 0; i < 160; i++) escapeMeta.push(i < 32 || (i >= 127) ? '\\x' + i.toString(16).toUpperCase().padStart(2, '0') : '');
  _assign(escapeMeta, { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 92: '\\\\' });
  function quoteString(str) {
    let quote = 39;
    if (str.includes("'")) {
      if (!str.includes('"')) quote = -1;
      else if (!str.includes('`') && !str.includes('${')) quote = -2;
    }
    let result = '';
    let last = 0;
    for (let i = 0; i < str.length; i++) {
      const point = str.charCodeAt(i);
      if (point === quote || point === 92 || point < 32 || (point > 126 && point < 160)) {
        result += str.slice(last, i) + (point === 39 ? "\\'" : escapeMeta[point]);
        last = i + 1;
      } else if (point >= 0xd800 && point <= 0xdfff) {
        if (point <= 0xdbff && i + 1 < str.length) {
          const next = str.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
        }
        result += `${str.slice(last, i)}\\u${point.toString(16)}`;
        last = i + 1;
      }
    }
    if (last !== 0) str = result + str.slice(last);
    if (quote === -1) return `"${str}"`;
    if (quote === -2) return `\`${str}\``;
    return `'${str}'`;
  }

  // util.inspect: the bootstrap's inspect (what console.log prints), with Node's quoting of a top-level string.
  function utilInspect(value, options) {
    let depth = 2;
    if (options !== null && typeof options === 'object') {
      if ('depth' in options) depth = options.depth === null ? Infinity : options.depth;
    } else if (typeof options === 'boolean' && arguments.length > 2) {
      depth = arguments[2] === null ? Infinity : arguments[2];
    }
    if (typeof value === 'string') return quoteString(value);
    return inspect(value, depth === undefined ? 2 : depth);
  }

  // What assert's messages show (Node's inspect with compact: false, sorted: true, getters: true): one entry a line.
  const kIdentifier = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  function constructorName(value) {
    let obj = value;
    while (obj !== null && obj !== undefined) {
      const descriptor = _getOwnPropertyDescriptor(obj, 'constructor');
      if (descriptor !== undefined && typeof descriptor.value === 'function' && descriptor.value.name !== '') return descriptor.value.name;
      obj = _getPrototypeOf(obj);
    }
    return null;
  }
  function functionBase(fn) {
    let source = '';
    try { source = functionToString(fn); } catch (e) { /* not inspectable */ }
    if (source.startsWith('class') && /^class(\s|\{)/.test(source)) {
      const superName = _getPrototypeOf(fn) && _getPrototypeOf(fn).name;
      return `[class ${fn.name || '(anonymous)'}${superName ? ` extends ${superName}` : ''}]`;
    }
    const tag = functionTag(fn).slice(8, -1);
    const type = tag === 'Function' || tag === '' ? 'Function' : tag;
    return fn.name ? `[${type}: ${fn.name}]` : `[${type} (anonymous)]`;
  }
  function inspectExpanded(root) {
    const circular = new _Map();
    const seen = [];
    const pad = (n) => ' '.repeat(n);
    const formatKey = (key) => (typeof key === 'symbol' ? `[${symbolToString(key)}]` : kIdentifier.test(key) ? key : quoteString(key));
    function formatPrimitive(value, indent) {
      switch (typeof value) {
        case 'string':
          if (value.length > 16 && value.length > 80 - indent - 4 && value.includes('\n')) {
            return value.split(/(?<=\n)/).map(quoteString).join(` +\n${pad(indent + 2)}`);
          }
          return quoteString(value);
        case 'number': return _is(value, -0) ? '-0' : _String(value);
        case 'bigint': return `${value}n`;
        case 'symbol': return symbolToString(value);
        default: return _String(value);
      }
    }
    function wrap(base, open, close, entries, indent) {
      const prefix = base ? `${base} ` : '';
      if (entries.length === 0) return `${prefix}${open}${close}`;
      const inner = `\n${pad(indent + 2)}`;
      return `${prefix}${open}${inner}${entries.join(`,${inner}`)}\n${pad(indent)}${close}`;
    }
    function formatProperty(obj, key, indent, arrayItem) {
      const descriptor = _getOwnPropertyDescriptor(obj, key) || { value: obj[key], enumerable: true };
      let str;
      if (descriptor.value !== undefined || !('get' in descriptor || 'set' in descriptor)) {
        str = formatValue(descriptor.value, indent + 2);
      } else if (descriptor.get !== undefined) {
        const label = descriptor.set !== undefined ? 'Getter/Setter' : 'Getter';
        try {
          const v = _apply(descriptor.get, obj, []);
          str = v !== null && typeof v === 'object' ? `[${label}] ${formatValue(v, indent + 2)}` : `[${label}: ${formatValue(v, indent + 2)}]`;
        } catch (e) {
          str = `[${label}: <Inspection threw (${e && e.message})>]`;
        }
      } else {
        str = descriptor.set !== undefined ? '[Setter]' : 'undefined';
      }
      return arrayItem ? str : `${formatKey(key)}: ${str}`;
    }
    const ownEntries = (value, skipIndices) => _ownKeys(value).filter((k) => isEnumerable(value, k) && !(skipIndices && typeof k === 'string' && isIndex(k)));
    function formatValue(value, indent) {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return formatPrimitive(value, indent);
      if (seen.includes(value)) {
        if (!circular.has(value)) circular.set(value, circular.size + 1);
        return `[Circular *${circular.get(value)}]`;
      }
      if (seen.length > 1000) return _isArray(value) ? '[Array]' : '[Object]';
      seen.push(value);
      let result;
      try { result = formatRaw(value, indent); } finally { seen.pop(); }
      if (circular.has(value)) result = `<ref *${circular.get(value)}> ${result}`;
      return result;
    }
    function formatRaw(value, indent) {
      const ctor = constructorName(value);
      const tag = value[Symbol.toStringTag];
      let base = '';
      let open = '{';
      let entries = [];
      let sortFrom = 0;
      let keys;
      const prefix = (fallback, size) => {
        let p = ctor === null ? `[${fallback}: null prototype]` : ctor;
        if (size !== undefined) p += `(${size})`;
        if (ctor !== fallback && ctor !== null && typeof tag === 'string' && tag !== '' && tag !== ctor) p += ` [${tag}]`;
        else if (ctor !== fallback && ctor !== null && fallback !== 'Object') p += ` [${fallback}]`;
        return p;
      };
      if (_isArray(value)) {
        keys = ownEntries(value, true);
        if (ctor !== 'Array') base = ctor === null ? `[Array(${value.length}): null prototype]` : `${ctor}(${value.length})`;
        open = '[';
        let holes = 0;
        for (let i = 0; i < value.length; i++) {
          if (!hasOwn(value, i)) { holes++; continue; }
          if (holes) { entries.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`); holes = 0; }
          entries.push(formatProperty(value, _String(i), indent, true));
        }
        if (holes) entries.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
        sortFrom = entries.length;
      } else if (isTypedArray(value)) {
        keys = ownEntries(value, true);
        const name = typedArrayTag(value);
        base = ctor === name ? `${name}(${value.length})` : `${ctor === null ? `[${name}: null prototype]` : ctor}(${value.length}) [${name}]`;
        open = '[';
        for (let i = 0; i < value.length; i++) entries.push(formatPrimitive(value[i], indent + 2));
        sortFrom = entries.length;
      } else if (isMap(value)) {
        keys = ownEntries(value);
        base = prefix('Map', mapSize(value));
        for (const [k, v] of value) entries.push(`${formatValue(k, indent + 2)} => ${formatValue(v, indent + 2)}`);
      } else if (isSet(value)) {
        keys = ownEntries(value);
        base = prefix('Set', setSize(value));
        for (const v of value) entries.push(formatValue(v, indent + 2));
      } else if (typeof value === 'function') {
        keys = ownEntries(value);
        base = functionBase(value);
        if (keys.length === 0) return base;
      } else if (isRegExp(value)) {
        keys = ownEntries(value);
        base = regExpToString(value);
        if (keys.length === 0) return base;
      } else if (isDate(value)) {
        keys = ownEntries(value);
        base = _isNaN(dateGetTime(value)) ? 'Invalid Date' : dateToISOString(value);
        if (keys.length === 0) return base;
      } else if (isNativeError(value)) {
        keys = ownEntries(value).filter((k) => k !== 'stack' && k !== 'message');
        base = value.stack ? _String(value.stack).split('\n').join(`\n${pad(indent)}`) : `[${_Error.prototype.toString.call(value)}]`;
        if (keys.length === 0) return base;
      } else if (isAnyArrayBuffer(value)) {
        keys = ownEntries(value);
        const bytes = new _Uint8Array(value);
        const hex = _Array.from(bytes.subarray(0, 50), (b) => b.toString(16).padStart(2, '0')).join(' ');
        base = ctor || '[ArrayBuffer: null prototype]';
        entries.push(`[Uint8Contents]: <${hex}${bytes.length > 50 ? ` ... ${bytes.length - 50} more bytes` : ''}>`, `byteLength: ${bytes.length}`);
      } else if (isBoxedPrimitive(value)) {
        keys = ownEntries(value);
        let type, inner;
        if (isNumberObject(value)) { type = 'Number'; inner = formatPrimitive(numberValueOf(value), indent); }
        else if (isStringObject(value)) { type = 'String'; inner = quoteString(stringValueOf(value)); keys = keys.filter((k) => !(typeof k === 'string' && isIndex(k))); }
        else if (isBooleanObject(value)) { type = 'Boolean'; inner = _String(booleanValueOf(value)); }
        else if (isBigIntObject(value)) { type = 'BigInt'; inner = `${bigIntValueOf(value)}n`; }
        else { type = 'Symbol'; inner = symbolToString(symbolValueOf(value)); }
        base = `[${type}${ctor !== type ? (ctor === null ? ' (null prototype)' : ` (${ctor})`) : ''}: ${inner}]`;
        if (keys.length === 0) return base;
      } else if (isPromise(value)) {
        keys = ownEntries(value);
        base = ctor === 'Promise' ? 'Promise' : prefix('Promise');
        const state = _promiseState ? _promiseState(value) : 0;
        entries.push(state === 1 ? formatValue(_promiseResult(value), indent + 2) : state === 2 ? `<rejected> ${formatValue(_promiseResult(value), indent + 2)}` : '<pending>');
      } else {
        keys = ownEntries(value);
        if (ctor === null) base = '[Object: null prototype]';
        else if (ctor !== 'Object') base = typeof tag === 'string' && tag !== '' && tag !== ctor ? `${ctor} [${tag}]` : ctor;
        else if (typeof tag === 'string' && tag !== '') base = `Object [${tag}]`;
      }
      for (const key of keys) entries.push(formatProperty(value, key, indent, false));
      if (open === '{') entries.sort();
      else if (entries.length - sortFrom > 1) entries = entries.slice(0, sortFrom).concat(entries.slice(sortFrom).sort());
      return wrap(base, open, open === '[' ? ']' : '}', entries, indent);
    }
    return formatValue(root, 0);
  }

  // An array index key ("0".."4294967294"), which deep equality and inspect treat apart from named keys.
  const isIndex = (key) => /^(0|[1-9][0-9]*)$/.test(key) && +key < 4294967295;

  // ---------------------------------------------------------------- deep equality (internal/util/comparisons)
  const kNoIterator = 0, kIsArray = 1, kIsSet = 2, kIsMap = 3;
  const ownNonIndexKeys = (value, strict) => _ownKeys(value).filter((k) => (typeof k === 'symbol' ? strict : !isIndex(k)) && isEnumerable(value, k));
  function typedArraysEqual(a, b, strict) {
    if (a.byteLength !== b.byteLength) return false;
    if (!strict && isFloatArray(a)) {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
    const x = new _Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new _Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  function boxedEqual(a, b) {
    if (isNumberObject(a)) return isNumberObject(b) && _is(numberValueOf(a), numberValueOf(b));
    if (isStringObject(a)) return isStringObject(b) && stringValueOf(a) === stringValueOf(b);
    if (isBooleanObject(a)) return isBooleanObject(b) && booleanValueOf(a) === booleanValueOf(b);
    if (isBigIntObject(a)) return isBigIntObject(b) && bigIntValueOf(a) === bigIntValueOf(b);
    return isSymbolObject(b) && symbolValueOf(a) === symbolValueOf(b);
  }
  function innerDeepEqual(val1, val2, strict, memos) {
    if (val1 === val2) return val1 !== 0 || _is(val1, val2) || !strict;
    if (strict) {
      if (typeof val1 === 'number') return _isNaN(val1) && _isNaN(val2);
      if (typeof val2 !== 'object' || typeof val1 !== 'object' || val1 === null || val2 === null || _getPrototypeOf(val1) !== _getPrototypeOf(val2)) return false;
    } else {
      if (val1 === null || typeof val1 !== 'object') {
        if (val2 === null || typeof val2 !== 'object') return val1 == val2 || (_isNaN(val1) && _isNaN(val2)); // eslint-disable-line eqeqeq
        return false;
      }
      if (val2 === null || typeof val2 !== 'object') return false;
    }
    const val1Tag = objectToString(val1);
    if (val1Tag !== objectToString(val2)) return false;
    if (_isArray(val1)) {
      if (!_isArray(val2) || val1.length !== val2.length) return false;
      const keys1 = ownNonIndexKeys(val1, strict);
      if (keys1.length !== ownNonIndexKeys(val2, strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kIsArray, keys1);
    } else if (val1Tag === '[object Object]') {
      return keyCheck(val1, val2, strict, memos, kNoIterator);
    } else if (isDate(val1)) {
      if (!isDate(val2) || dateGetTime(val1) !== dateGetTime(val2)) return false;
    } else if (isRegExp(val1)) {
      if (!isRegExp(val2) || val1.source !== val2.source || val1.flags !== val2.flags || val1.lastIndex !== val2.lastIndex) return false;
    } else if (_isView(val1)) {
      if (typedArrayTag(val1) !== typedArrayTag(val2)) return false;
      if (!typedArraysEqual(val1, val2, strict)) return false;
      const keys1 = ownNonIndexKeys(val1, strict);
      if (keys1.length !== ownNonIndexKeys(val2, strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kNoIterator, keys1);
    } else if (isSet(val1)) {
      if (!isSet(val2) || setSize(val1) !== setSize(val2)) return false;
      return keyCheck(val1, val2, strict, memos, kIsSet);
    } else if (isMap(val1)) {
      if (!isMap(val2) || mapSize(val1) !== mapSize(val2)) return false;
      return keyCheck(val1, val2, strict, memos, kIsMap);
    } else if (isAnyArrayBuffer(val1)) {
      if (!isAnyArrayBuffer(val2) || !typedArraysEqual(new _Uint8Array(val1), new _Uint8Array(val2), true)) return false;
    } else if (isNativeError(val1)) {
      if (!isNativeError(val2)) return false;
      for (const key of ['message', 'name', 'cause', 'errors']) {
        const enumerable = isEnumerable(val1, key);
        if (enumerable !== isEnumerable(val2, key)) return false;
        if (!enumerable && (key === 'message' || key === 'name' ? val1[key] !== val2[key] : !innerDeepEqual(val1[key], val2[key], strict, memos))) return false;
      }
    } else if (isBoxedPrimitive(val1)) {
      if (!boxedEqual(val1, val2)) return false;
    } else if (_isArray(val2) || _isView(val2) || isSet(val2) || isMap(val2) || isDate(val2) || isRegExp(val2) ||
      isAnyArrayBuffer(val2) || isBoxedPrimitive(val2) || isNativeError(val2)) {
      return false;
    } else if (val1 instanceof URL) {
      if (!(val2 instanceof URL) || val1.href !== val2.href) return false;
    }
    return keyCheck(val1, val2, strict, memos, kNoIterator);
  }
  function keyCheck(val1, val2, strict, memos, iterationType, aKeys) {
    const isArrayLikeObject = aKeys !== undefined;
    if (aKeys === undefined) aKeys = _keys(val1);
    for (const key of aKeys) if (!isEnumerable(val2, key)) return false;
    if (!isArrayLikeObject) {
      if (aKeys.length !== _keys(val2).length) return false;
      if (strict) {
        const symbolKeysA = _getOwnPropertySymbols(val1);
        let count = 0;
        for (const key of symbolKeysA) {
          if (isEnumerable(val1, key)) {
            if (!isEnumerable(val2, key)) return false;
            aKeys.push(key);
            count++;
          } else if (isEnumerable(val2, key)) {
            return false;
          }
        }
        const symbolKeysB = _getOwnPropertySymbols(val2);
        if (symbolKeysA.length !== symbolKeysB.length && symbolKeysB.filter((k) => isEnumerable(val2, k)).length !== count) return false;
      }
    }
    if (aKeys.length === 0 && (iterationType === kNoIterator || (iterationType === kIsArray && val1.length === 0) ||
      (iterationType === kIsSet && setSize(val1) === 0) || (iterationType === kIsMap && mapSize(val1) === 0))) {
      return true;
    }
    if (memos === undefined) {
      memos = { set: undefined, a: val1, b: val2, c: undefined, d: undefined, deep: false, deleteFailures: false };
      return objEquiv(val1, val2, strict, aKeys, memos, iterationType);
    }
    if (memos.set === undefined) {
      if (memos.deep === false) {
        if (memos.a === val1 && memos.b === val2) return true;
        memos.c = val1;
        memos.d = val2;
        memos.deep = true;
        const result = objEquiv(val1, val2, strict, aKeys, memos, iterationType);
        memos.deep = false;
        return result;
      }
      memos.set = new _Set([memos.a, memos.b, memos.c, memos.d]);
    }
    const set = memos.set;
    const originalSize = set.size;
    set.add(val1);
    set.add(val2);
    if (originalSize === set.size) return true;
    const areEq = objEquiv(val1, val2, strict, aKeys, memos, iterationType);
    if (areEq || memos.deleteFailures) {
      set.delete(val1);
      set.delete(val2);
    }
    return areEq;
  }
  function setHasEqualElement(set, val2, strict, memo) {
    const deleteFailures = memo.deleteFailures;
    memo.deleteFailures = true;
    for (const val1 of set) {
      if (innerDeepEqual(val1, val2, strict, memo)) {
        set.delete(val1);
        memo.deleteFailures = deleteFailures;
        return true;
      }
    }
    memo.deleteFailures = deleteFailures;
    return false;
  }
  function findLooseMatchingPrimitives(prim) {
    switch (typeof prim) {
      case 'undefined': return null;
      case 'object': return undefined;
      case 'symbol': return false;
      case 'string': prim = +prim; // falls through
      case 'number': if (_isNaN(prim)) return false;
    }
    return true;
  }
  function setMightHaveLoosePrim(a, b, prim) {
    const altValue = findLooseMatchingPrimitives(prim);
    if (altValue != null) return altValue;
    return b.has(altValue) && !a.has(altValue);
  }
  function mapMightHaveLoosePrim(a, b, prim, item, memo) {
    const altValue = findLooseMatchingPrimitives(prim);
    if (altValue != null) return altValue;
    const curB = b.get(altValue);
    if ((curB === undefined && !b.has(altValue)) || !innerDeepEqual(item, curB, false, memo)) return false;
    return !a.has(altValue) && innerDeepEqual(item, curB, false, memo);
  }
  function setEquiv(a, b, strict, memo) {
    let set = null;
    for (const val of a) {
      if (!b.has(val)) {
        if ((typeof val !== 'object' || val === null) && (strict || !setMightHaveLoosePrim(a, b, val))) return false;
        if (set === null) {
          if (b.size === 1) return innerDeepEqual(val, b.values().next().value, strict, memo);
          set = new _Set();
        }
        set.add(val);
      }
    }
    if (set !== null) {
      for (const val of b) {
        if (typeof val === 'object' && val !== null) {
          if (!a.has(val) && !setHasEqualElement(set, val, strict, memo)) return false;
        } else if (!strict && !a.has(val) && !setHasEqualElement(set, val, strict, memo)) {
          return false;
        }
      }
      return set.size === 0;
    }
    return true;
  }
  function mapHasEqualEntry(set, map, key2, item2, strict, memo) {
    const deleteFailures = memo.deleteFailures;
    memo.deleteFailures = true;
    for (const key1 of set) {
      if (innerDeepEqual(key1, key2, strict, memo) && innerDeepEqual(map.get(key1), item2, strict, memo)) {
        set.delete(key1);
        memo.deleteFailures = deleteFailures;
        return true;
      }
    }
    memo.deleteFailures = deleteFailures;
    return false;
  }
  function mapEquiv(a, b, strict, memo) {
    let set = null;
    for (const [key, item1] of a) {
      if (typeof key === 'object' && key !== null) {
        if (set === null) {
          if (b.size === 1) {
            const [key2, item2] = b.entries().next().value;
            return innerDeepEqual(key, key2, strict, memo) && innerDeepEqual(item1, item2, strict, memo);
          }
          set = new _Set();
        }
        set.add(key);
      } else {
        const item2 = b.get(key);
        if ((item2 === undefined && !b.has(key)) || !innerDeepEqual(item1, item2, strict, memo)) {
          if (strict) return false;
          if (!mapMightHaveLoosePrim(a, b, key, item1, memo)) return false;
          if (set === null) set = new _Set();
          set.add(key);
        }
      }
    }
    if (set !== null) {
      for (const [key, item] of b) {
        if (typeof key === 'object' && key !== null) {
          if (!mapHasEqualEntry(set, a, key, item, strict, memo)) return false;
        } else if (!strict && (!a.has(key) || !innerDeepEqual(a.get(key), item, strict, memo)) && !mapHasEqualEntry(set, a, key, item, strict, memo)) {
          return false;
        }
      }
      return set.size === 0;
    }
    return true;
  }
  function objEquiv(a, b, strict, keys, memos, iterationType) {
    for (const key of keys) if (!innerDeepEqual(a[key], b[key], strict, memos)) return false;
    if (iterationType === kIsArray) {
      for (let i = 0; i < a.length; i++) {
        if (hasOwn(a, i)) {
          if (!hasOwn(b, i) || !innerDeepEqual(a[i], b[i], strict, memos)) return false;
        } else if (hasOwn(b, i)) {
          return false;
        } else {
          const keysA = _keys(a);
          for (; i < keysA.length; i++) {
            const key = keysA[i];
            if (!hasOwn(b, key) || !innerDeepEqual(a[key], b[key], strict, memos)) return false;
          }
          return keysA.length === _keys(b).length;
        }
      }
    } else if (iterationType === kIsSet) {
      if (!setEquiv(a, b, strict, memos)) return false;
    } else if (iterationType === kIsMap) {
      if (!mapEquiv(a, b, strict, memos)) return false;
    }
    return true;
  }
  const isDeepEqual = (a, b) => innerDeepEqual(a, b, false);
  const isDeepStrictEqual = (a, b) => innerDeepEqual(a, b, true);

  // ---------------------------------------------------------------- percent-encoding tables (internal/querystring)
  const hexTable = [];
  for (let i = 0; i < 256; ++i) hexTable.push('%' + ((i < 16 ? '0' : '') + i.toString(16)).toUpperCase());
  const isHexChar = (code) => (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
  const noEscapeTable = (chars) => {
    const table = new Int8Array(128);
    for (let c = 48; c <= 57; c++) table[c] = 1;
    for (let c = 65; c <= 90; c++) { table[c] = 1; table[c + 32] = 1; }
    for (const ch of chars) table[ch.charCodeAt(0)] = 1;
    return table;
  };
  function encodeStr(str, noEscape) {
    const len = str.length;
    if (len === 0) return '';
    let out = '';
    let lastPos = 0;
    for (let i = 0; i < len; i++) {
      let c = str.charCodeAt(i);
      if (c < 0x80) {
        if (noEscape[c] !== 1) {
          if (lastPos < i) out += str.slice(lastPos, i);
          lastPos = i + 1;
          out += hexTable[c];
        }
        continue;
      }
      if (lastPos < i) out += str.slice(lastPos, i);
      if (c < 0x800) {
        lastPos = i + 1;
        out += hexTable[0xC0 | (c >> 6)] + hexTable[0x80 | (c & 0x3F)];
        continue;
      }
      if (c < 0xD800 || c >= 0xE000) {
        lastPos = i + 1;
        out += hexTable[0xE0 | (c >> 12)] + hexTable[0x80 | ((c >> 6) & 0x3F)] + hexTable[0x80 | (c & 0x3F)];
        continue;
      }
      ++i;
      if (i >= len) throw nodeError(_URIError, 'ERR_INVALID_URI', 'URI malformed');
      const c2 = str.charCodeAt(i) & 0x3FF;
      lastPos = i + 1;
      c = 0x10000 + (((c & 0x3FF) << 10) | c2);
      out += hexTable[0xF0 | (c >> 18)] + hexTable[0x80 | ((c >> 12) & 0x3F)] + hexTable[0x80 | ((c >> 6) & 0x3F)] + hexTable[0x80 | (c & 0x3F)];
    }
    if (lastPos === 0) return str;
    if (lastPos < len) return out + str.slice(lastPos);
    return out;
  }

  // ---------------------------------------------------------------- path (POSIX)
  function pathModule() {
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
            // NOOP
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
    const cwd = () => { try { return _String(processObject.cwd()); } catch (e) { return '/'; } };
    const posix = {
      resolve(...args) {
        let resolvedPath = '';
        let resolvedAbsolute = false;
        for (let i = args.length - 1; i >= -1 && !resolvedAbsolute; i--) {
          const path = i >= 0 ? args[i] : cwd();
          if (i >= 0) validateString(path, `paths[${i}]`);
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
        const parts = [];
        for (let i = 0; i < args.length; ++i) {
          validateString(args[i], 'path');
          if (args[i].length > 0) parts.push(args[i]);
        }
        if (parts.length === 0) return '.';
        return posix.normalize(parts.join('/'));
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
        if (isAbsolute) { ret.root = '/'; start = 1; } else { start = 0; }
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
          const partStart = startPart === 0 && isAbsolute ? 1 : startPart;
          if (startDot === -1 || preDotState === 0 || (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) {
            ret.base = ret.name = path.slice(partStart, end);
          } else {
            ret.name = path.slice(partStart, startDot);
            ret.base = path.slice(partStart, end);
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
    posix.posix = posix;
    posix._makeLong = posix.toNamespacedPath;
    // Only POSIX paths exist in Granary; win32 is left null rather than pretending.
    return _freeze(posix);
  }

  // ---------------------------------------------------------------- querystring
  function querystringModule() {
    const noEscape = noEscapeTable("!'()*-._~");
    function unescapeBuffer(s, decodeSpaces) {
      const out = Buffer.allocUnsafe(s.length);
      let index = 0;
      let outIndex = 0;
      let currentChar;
      const maxLength = s.length - 2;
      let hasHex = false;
      while (index < s.length) {
        currentChar = s.charCodeAt(index);
        if (currentChar === 43 && decodeSpaces) {
          out[outIndex++] = 32;
          index++;
          continue;
        }
        if (currentChar === 37 && index < maxLength) {
          currentChar = s.charCodeAt(++index);
          if (!isHexChar(currentChar)) {
            out[outIndex++] = 37;
            continue;
          } else {
            const nextChar = s.charCodeAt(++index);
            if (!isHexChar(nextChar)) {
              out[outIndex++] = 37;
              index--;
            } else {
              hasHex = true;
              currentChar = parseInt(s[index - 1] + s[index], 16);
            }
          }
        }
        out[outIndex++] = currentChar;
        index++;
      }
      return hasHex ? out.slice(0, outIndex) : out;
    }
    function qsUnescape(s, decodeSpaces) {
      try {
        return _decodeURIComponent(s);
      } catch (e) {
        return qs.unescapeBuffer(s, decodeSpaces).toString();
      }
    }
    function qsEscape(str) {
      if (typeof str !== 'string') {
        if (typeof str === 'object') str = _String(str);
        else str += '';
      }
      return encodeStr(str, noEscape);
    }
    function stringifyPrimitive(v) {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && _isFinite(v)) return '' + v;
      if (typeof v === 'bigint') return '' + v;
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      return '';
    }
    function encodeStringified(v, encode) {
      if (typeof v === 'string') return v.length ? encode(v) : '';
      if (typeof v === 'number' && _isFinite(v)) return _Math.abs(v) < 1e21 ? '' + v : encode('' + v);
      if (typeof v === 'bigint') return '' + v;
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      return '';
    }
    const encodeStringifiedCustom = (v, encode) => encode(stringifyPrimitive(v));
    function stringify(obj, sep, eq, options) {
      sep = sep || '&';
      eq = eq || '=';
      let encode = qs.escape;
      if (options && typeof options.encodeURIComponent === 'function') encode = options.encodeURIComponent;
      const convert = encode === qsEscape ? encodeStringified : encodeStringifiedCustom;
      if (obj !== null && typeof obj === 'object') {
        const keys = _keys(obj);
        let fields = '';
        for (let i = 0; i < keys.length; ++i) {
          const k = keys[i];
          const v = obj[k];
          let ks = convert(k, encode);
          ks += eq;
          if (_isArray(v)) {
            if (v.length === 0) continue;
            if (fields) fields += sep;
            for (let j = 0; j < v.length; ++j) {
              if (j) fields += sep;
              fields += ks;
              fields += convert(v[j], encode);
            }
          } else {
            if (fields) fields += sep;
            fields += ks;
            fields += convert(v, encode);
          }
        }
        return fields;
      }
      return '';
    }
    const charCodes = (str) => _Array.from(str, (c) => c.charCodeAt(0));
    function decodeStr(s, decoder) {
      try {
        return decoder(s);
      } catch (e) {
        return qs.unescape(s, true);
      }
    }
    function addKeyVal(obj, key, value, keyEncoded, valEncoded, decode) {
      if (key.length > 0 && keyEncoded) key = decodeStr(key, decode);
      if (value.length > 0 && valEncoded) value = decodeStr(value, decode);
      if (obj[key] === undefined) {
        obj[key] = value;
      } else {
        const curValue = obj[key];
        if (curValue.pop) curValue[curValue.length] = value;
        else obj[key] = [curValue, value];
      }
    }
    function parse(str, sep, eq, options) {
      const obj = _create(null);
      if (typeof str !== 'string' || str.length === 0) return obj;
      const sepCodes = !sep ? [38] : charCodes(_String(sep));
      const eqCodes = !eq ? [61] : charCodes(_String(eq));
      const sepLen = sepCodes.length;
      const eqLen = eqCodes.length;
      let pairs = 1000;
      if (options && typeof options.maxKeys === 'number') pairs = options.maxKeys > 0 ? options.maxKeys : -1;
      let decode = qs.unescape;
      if (options && typeof options.decodeURIComponent === 'function') decode = options.decodeURIComponent;
      const customDecode = decode !== qsUnescape;
      let lastPos = 0;
      let sepIdx = 0;
      let eqIdx = 0;
      let key = '';
      let value = '';
      let keyEncoded = customDecode;
      let valEncoded = customDecode;
      const plusChar = customDecode ? '%20' : ' ';
      let encodeCheck = 0;
      for (let i = 0; i < str.length; ++i) {
        const code = str.charCodeAt(i);
        if (code === sepCodes[sepIdx]) {
          if (++sepIdx === sepLen) {
            const end = i - sepIdx + 1;
            if (eqIdx < eqLen) {
              if (lastPos < end) {
                key += str.slice(lastPos, end);
              } else if (key.length === 0) {
                if (--pairs === 0) return obj;
                lastPos = i + 1;
                sepIdx = eqIdx = 0;
                continue;
              }
            } else if (lastPos < end) {
              value += str.slice(lastPos, end);
            }
            addKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
            if (--pairs === 0) return obj;
            keyEncoded = valEncoded = customDecode;
            key = value = '';
            encodeCheck = 0;
            lastPos = i + 1;
            sepIdx = eqIdx = 0;
          }
        } else {
          sepIdx = 0;
          if (eqIdx < eqLen) {
            if (code === eqCodes[eqIdx]) {
              if (++eqIdx === eqLen) {
                const end = i - eqIdx + 1;
                if (lastPos < end) key += str.slice(lastPos, end);
                encodeCheck = 0;
                lastPos = i + 1;
              }
              continue;
            } else {
              eqIdx = 0;
              if (!keyEncoded) {
                if (code === 37) {
                  encodeCheck = 1;
                  continue;
                } else if (encodeCheck > 0) {
                  if (isHexChar(code)) {
                    if (++encodeCheck === 3) keyEncoded = true;
                    continue;
                  } else {
                    encodeCheck = 0;
                  }
                }
              }
            }
            if (code === 43) {
              if (lastPos < i) key += str.slice(lastPos, i);
              key += plusChar;
              lastPos = i + 1;
              continue;
            }
          }
          if (code === 43) {
            if (lastPos < i) value += str.slice(lastPos, i);
            value += plusChar;
            lastPos = i + 1;
          } else if (!valEncoded) {
            if (code === 37) {
              encodeCheck = 1;
            } else if (encodeCheck > 0) {
              if (isHexChar(code)) {
                if (++encodeCheck === 3) valEncoded = true;
              } else {
                encodeCheck = 0;
              }
            }
          }
        }
      }
      if (lastPos < str.length) {
        if (eqIdx < eqLen) key += str.slice(lastPos);
        else if (sepIdx < sepLen) value += str.slice(lastPos);
      } else if (eqIdx === 0 && key.length === 0) {
        return obj;
      }
      addKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
      return obj;
    }
    // Not frozen: Node documents querystring.escape and querystring.unescape as replaceable, and parse and
    // stringify use whatever is assigned there.
    const qs = { unescapeBuffer, unescape: qsUnescape, escape: qsEscape, stringify, encode: stringify, parse, decode: parse };
    return qs;
  }

  // ---------------------------------------------------------------- punycode (for url.parse's IDNA hostnames)
  function punycodeEncode(input) {
    const codePoints = _Array.from(input, (c) => c.codePointAt(0));
    const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
    const digit = (d) => _fromCharCode(d + 22 + 75 * (d < 26));
    const adapt = (delta, numPoints, first) => {
      let k = 0;
      delta = first ? _Math.floor(delta / damp) : delta >> 1;
      delta += _Math.floor(delta / numPoints);
      for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = _Math.floor(delta / (base - tMin));
      return _Math.floor(k + ((base - tMin + 1) * delta) / (delta + skew));
    };
    let output = codePoints.filter((c) => c < 0x80).map((c) => _fromCharCode(c)).join('');
    const basicLength = output.length;
    let handled = basicLength;
    if (basicLength) output += '-';
    let n = 128, delta = 0, bias = 72;
    while (handled < codePoints.length) {
      let m = Infinity;
      for (const c of codePoints) if (c >= n && c < m) m = c;
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of codePoints) {
        if (c < n) delta++;
        if (c === n) {
          let q = delta;
          for (let k = base; ; k += base) {
            const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
            if (q < t) break;
            output += digit(t + ((q - t) % (base - t)));
            q = _Math.floor((q - t) / (base - t));
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
  const domainToASCII = (domain) => (/[^\x00-\x7f]/.test(domain)
    ? domain.normalize('NFC').toLowerCase().split(/[.\u3002\uff0e\uff61]/).map((label) => (/[^\x00-\x7f]/.test(label) ? 'xn--' + punycodeEncode(label) : label)).join('.')
    : domain);

  // ---------------------------------------------------------------- url
  function urlModule() {
    const querystring = use('querystring');
    const invalidUrl = (input) => nodeError(_TypeError, 'ERR_INVALID_URL', 'Invalid URL', { input });

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
    const protocolPattern = /^[a-z0-9.+-]+:/i;
    const portPattern = /:[0-9]*$/;
    const hostPattern = /^\/\/[^@/]+@[^@/]+/;
    const simplePathPattern = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
    const hostnameMaxLen = 255;
    const unsafeProtocol = new _Set(['javascript', 'javascript:']);
    const hostlessProtocol = new _Set(['javascript', 'javascript:']);
    const slashedProtocol = new _Set(['http', 'http:', 'https', 'https:', 'ftp', 'ftp:', 'gopher', 'gopher:', 'file', 'file:', 'ws', 'ws:', 'wss', 'wss:']);
    const forbiddenHostChars = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
    const forbiddenHostCharsIpv6 = /[\0\t\n\r #%/<>?@\\^|]/;
    const isIpv6Hostname = (hostname) => hostname.charCodeAt(0) === 91 && hostname.charCodeAt(hostname.length - 1) === 93;
    let warnInvalidPort = true;

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
        const isWs = code < 33 || code === 0xA0 || code === 0xFEFF;
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
            this.query = _create(null);
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
            case 9: case 10: case 13:
              rest = rest.slice(0, i) + rest.slice(i + 1);
              i -= 1;
              break;
            case 32: case 34: case 37: case 39: case 59: case 60: case 62: case 92: case 94: case 96: case 123: case 124: case 125:
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
          this.auth = _decodeURIComponent(rest.slice(0, atSign));
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
        if (!ipv6Hostname) rest = getHostname(this, rest, hostname, url);
        if (this.hostname.length > hostnameMaxLen) this.hostname = '';
        else this.hostname = this.hostname.toLowerCase();
        if (this.hostname !== '') {
          if (ipv6Hostname) {
            if (forbiddenHostCharsIpv6.test(this.hostname)) throw invalidUrl(url);
          } else {
            this.hostname = domainToASCII(this.hostname);
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
        this.query = _create(null);
      }
      const useQuestionIdx = questionIdx !== -1 && (hashIdx === -1 || questionIdx < hashIdx);
      const firstIdx = useQuestionIdx ? questionIdx : hashIdx;
      if (firstIdx === -1) {
        if (rest.length > 0) this.pathname = rest;
      } else if (firstIdx > 0) {
        this.pathname = rest.slice(0, firstIdx);
      }
      if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) this.pathname = '/';
      if (this.pathname || this.search) {
        const p = this.pathname || '';
        const s = this.search || '';
        this.path = p + s;
      }
      this.href = this.format();
      return this;
    };

    function getHostname(self, rest, hostname, url) {
      for (let i = 0; i < hostname.length; ++i) {
        const code = hostname.charCodeAt(i);
        if (code === 47 || code === 92 || code === 35 || code === 63 || code === 58) {
          if (warnInvalidPort && code === 58) {
            writeLog('warn', [`[DEP0170] DeprecationWarning: The URL ${url} is invalid. Future versions of Node.js will throw an error.`]);
            warnInvalidPort = false;
          }
          self.hostname = hostname.slice(0, i);
          return `/${hostname.slice(i)}${rest}`;
        }
      }
      return rest;
    }

    const autoEscaped = { 9: '%09', 10: '%0A', 13: '%0D', 32: '%20', 34: '%22', 39: '%27', 60: '%3C', 62: '%3E', 92: '%5C', 94: '%5E', 96: '%60', 123: '%7B', 124: '%7C', 125: '%7D' };
    function autoEscapeStr(rest) {
      let escaped = '';
      let lastEscapedPos = 0;
      for (let i = 0; i < rest.length; ++i) {
        const escapedChar = autoEscaped[rest.charCodeAt(i)];
        if (escapedChar) {
          if (i > lastEscapedPos) escaped += rest.slice(lastEscapedPos, i);
          escaped += escapedChar;
          lastEscapedPos = i + 1;
        }
      }
      if (lastEscapedPos === 0) return rest;
      if (lastEscapedPos < rest.length) escaped += rest.slice(lastEscapedPos);
      return escaped;
    }

    const noEscapeAuth = noEscapeTable("!'()*-._~:");
    Url.prototype.format = function format() {
      let auth = this.auth || '';
      if (auth) {
        auth = encodeStr(auth, noEscapeAuth);
        auth += '@';
      }
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
      _assign(result, this);
      result.hash = relative.hash;
      if (relative.href === '') {
        result.href = result.format();
        return result;
      }
      if (relative.slashes && !relative.protocol) {
        for (const key of _keys(relative)) if (key !== 'protocol') result[key] = relative[key];
        if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) result.path = result.pathname = '/';
        result.href = result.format();
        return result;
      }
      if (relative.protocol && relative.protocol !== result.protocol) {
        if (!slashedProtocol.has(relative.protocol)) {
          _assign(result, relative);
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
          result.auth = null;
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
      if (!mustEndAbs && !removeAllDots) {
        while (up--) srcPath.unshift('..');
      }
      if (mustEndAbs && srcPath[0] !== '' && (!srcPath[0] || srcPath[0].charAt(0) !== '/')) srcPath.unshift('');
      if (hasTrailingSlash && (srcPath.join('/').slice(-1) !== '/')) srcPath.push('');
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
      if (!srcPath.length) {
        result.pathname = null;
        result.path = null;
      } else {
        result.pathname = srcPath.join('/');
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

    // WHATWG URLs are told apart the way Node's isURL does, so that any URL-like object works.
    const isURL = (self) => Boolean(self && self.href && self.protocol && self.auth === undefined && self.path === undefined);

    function urlFormat(urlObject, options) {
      if (typeof urlObject === 'string') {
        urlObject = urlParse(urlObject);
      } else if (typeof urlObject !== 'object' || urlObject === null) {
        throw invalidArgType('urlObject', ['Object', 'string'], urlObject);
      } else if (urlObject instanceof URL) {
        let fragment = true, search = true, auth = true;
        if (options) {
          validateObject(options, 'options');
          if (options.fragment != null) fragment = !!options.fragment;
          if (options.search != null) search = !!options.search;
          if (options.auth != null) auth = !!options.auth;
        }
        let out = urlObject.protocol;
        if (urlObject.href.startsWith(urlObject.protocol + '//')) {
          out += '//';
          if (auth && (urlObject.username || urlObject.password)) out += urlObject.username + (urlObject.password ? ':' + urlObject.password : '') + '@';
          out += urlObject.host;
        }
        out += urlObject.pathname;
        if (search) out += urlObject.search;
        if (fragment) out += urlObject.hash;
        return out;
      }
      return Url.prototype.format.call(urlObject);
    }

    function urlResolve(source, relative) {
      return urlParse(source, false, true).resolve(relative);
    }
    function urlResolveObject(source, relative) {
      if (!source) return relative;
      return urlParse(source, false, true).resolveObject(relative);
    }

    // file: URLs are taken apart here rather than by the URL class, which keeps the first path segment of
    // file:///a/b as a host; a URL object passed in is taken as it is.
    function fileUrlParts(input) {
      const text = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
      let rest = text.replace(/^file:/i, '').replace(/\\/g, '/');
      const hashAt = rest.indexOf('#');
      if (hashAt >= 0) rest = rest.slice(0, hashAt);
      const queryAt = rest.indexOf('?');
      if (queryAt >= 0) rest = rest.slice(0, queryAt);
      let hostname = '';
      if (rest.startsWith('//')) {
        const slash = rest.indexOf('/', 2);
        hostname = (slash >= 0 ? rest.slice(2, slash) : rest.slice(2)).toLowerCase();
        rest = slash >= 0 ? rest.slice(slash) : '/';
      }
      const normalized = new URL('file://');
      normalized.pathname = rest;
      return { hostname, pathname: normalized.pathname };
    }
    function fileURLToPath(path) {
      let parts;
      if (typeof path === 'string') {
        if (!/^[\u0000-\u0020]*file:/i.test(path) && new URL(path).protocol !== 'file:') {
          throw nodeError(_TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
        }
        parts = fileUrlParts(path);
      } else if (!isURL(path)) {
        throw invalidArgType('path', ['string', 'URL'], path);
      } else {
        if (path.protocol !== 'file:') throw nodeError(_TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
        parts = { hostname: path.hostname, pathname: path.pathname };
      }
      if (parts.hostname !== '' && parts.hostname !== 'localhost') {
        throw nodeError(_TypeError, 'ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux');
      }
      const pathname = parts.pathname;
      for (let n = 0; n < pathname.length; n++) {
        if (pathname[n] === '%') {
          const third = pathname.codePointAt(n + 2) | 0x20;
          if (pathname[n + 1] === '2' && third === 102) {
            throw nodeError(_TypeError, 'ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters');
          }
        }
      }
      return _decodeURIComponent(pathname);
    }
    const pathEscapes = { '%': '%25', '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', '#': '%23', '?': '%3F', '[': '%5B', '\\': '%5C', ']': '%5D', '^': '%5E', '|': '%7C', '~': '%7E' };
    function pathToFileURL(filepath) {
      validateString(filepath, 'path');
      let resolved = use('path').resolve(filepath);
      if (filepath.charCodeAt(filepath.length - 1) === 47 && resolved[resolved.length - 1] !== '/') resolved += '/';
      const out = new URL('file://');
      out.pathname = resolved.replace(/[%\t\n\r "#?[\\\]^|~]/g, (c) => pathEscapes[c]);
      return out;
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
      if (url.port !== '') options.port = _Number(url.port);
      if (url.username || url.password) options.auth = `${_decodeURIComponent(url.username)}:${_decodeURIComponent(url.password)}`;
      return options;
    }

    return _freeze({
      Url,
      parse: urlParse,
      resolve: urlResolve,
      resolveObject: urlResolveObject,
      format: urlFormat,
      URL,
      URLSearchParams,
      domainToASCII: (domain) => domainToASCII(_String(domain)),
      pathToFileURL,
      fileURLToPath,
      urlToHttpOptions,
    });
  }

  // ---------------------------------------------------------------- util
  const kCustomPromisified = _Symbol.for('nodejs.util.promisify.custom');
  const kInspectCustom = _Symbol.for('nodejs.util.inspect.custom');
  const warnedDeprecations = new _Set();
  const emitWarning = (type, message, code) => writeLog('warn', [`${code ? `[${code}] ` : ''}${type}: ${message}`]);
  // Runs fn(...args) as Node's process.nextTick would: after the current job, outside any promise chain.
  const nextTick = (fn, ...args) => { _Promise.resolve().then(() => fn(...args)).catch(reportUncaught); };

  function utilModule() {
    function promisify(original) {
      validateFunction(original, 'original');
      if (original[kCustomPromisified]) {
        const fn = original[kCustomPromisified];
        validateFunction(fn, 'util.promisify.custom');
        return _defineProperty(fn, kCustomPromisified, { value: fn, enumerable: false, writable: false, configurable: true });
      }
      // The timers' promise forms (Node gives setTimeout and setImmediate a util.promisify.custom).
      if (original === _setTimeoutGlobal) return (delay, value) => new _Promise((resolve) => addTimer(resolve, delay, [value], false));
      if (original === _setImmediateGlobal) return (value) => new _Promise((resolve) => addTimer(resolve, 0, [value], false));
      function fn(...args) {
        return new _Promise((resolve, reject) => {
          args.push((err, ...values) => {
            if (err) return reject(err);
            resolve(values[0]);
          });
          _apply(original, this, args);
        });
      }
      _setPrototypeOf(fn, _getPrototypeOf(original));
      _defineProperty(fn, kCustomPromisified, { value: fn, enumerable: false, writable: false, configurable: true });
      const descriptors = _getOwnPropertyDescriptors(original);
      for (const d of _values(descriptors)) _setPrototypeOf(d, null);
      return _defineProperties(fn, descriptors);
    }
    promisify.custom = kCustomPromisified;

    function callbackify(original) {
      validateFunction(original, 'original');
      function callbackified(...args) {
        const maybeCb = args.pop();
        validateFunction(maybeCb, 'last argument');
        const cb = maybeCb.bind(this);
        _apply(original, this, args).then(
          (ret) => nextTick(cb, null, ret),
          (rej) => nextTick((reason) => {
            if (!reason) reason = nodeError(_Error, 'ERR_FALSY_VALUE_REJECTION', 'Promise was rejected with falsy value', { reason });
            cb(reason);
          }, rej));
      }
      const descriptors = _getOwnPropertyDescriptors(original);
      if (typeof descriptors.length.value === 'number') descriptors.length.value++;
      if (typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
      for (const d of _values(descriptors)) _setPrototypeOf(d, null);
      _defineProperties(callbackified, descriptors);
      return callbackified;
    }

    function inherits(ctor, superCtor) {
      if (ctor === undefined || ctor === null) throw invalidArgType('ctor', 'Function', ctor);
      if (superCtor === undefined || superCtor === null) throw invalidArgType('superCtor', 'Function', superCtor);
      if (superCtor.prototype === undefined) throw invalidArgType('superCtor.prototype', 'Object', superCtor.prototype);
      _defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
      _setPrototypeOf(ctor.prototype, superCtor.prototype);
    }

    // Warns once per wrapper (or once per code, across wrappers, when a code is given), through console.warn's channel.
    function deprecate(fn, msg, code) {
      validateFunction(fn, 'fn');
      if (code !== undefined) validateString(code, 'code');
      let warned = false;
      function deprecated(...args) {
        if (!warned && !processObject.noDeprecation) {
          warned = true;
          if (code === undefined || !warnedDeprecations.has(code)) {
            if (code !== undefined) warnedDeprecations.add(code);
            emitWarning('DeprecationWarning', msg, code);
          }
        }
        if (new.target) return _construct(fn, args, new.target);
        return _apply(fn, this, args);
      }
      _setPrototypeOf(deprecated, fn);
      if (fn.prototype) deprecated.prototype = fn.prototype;
      return deprecated;
    }

    function debuglog() {
      const logger = () => {};
      logger.enabled = false;
      return logger;
    }

    const types = _freeze({
      isDate, isRegExp, isPromise, isTypedArray, isMap, isSet, isWeakMap, isWeakSet, isUint8Array,
      isArrayBuffer, isSharedArrayBuffer, isAnyArrayBuffer, isArrayBufferView: (v) => _isView(v),
      isNativeError, isAsyncFunction, isGeneratorFunction, isBoxedPrimitive,
      isNumberObject, isStringObject, isBooleanObject, isBigIntObject, isSymbolObject,
    });

    const utilInspectFn = function inspect(value, options) { return _apply(utilInspect, undefined, arguments); }; // eslint-disable-line no-unused-vars
    utilInspectFn.custom = kInspectCustom;
    utilInspectFn.defaultOptions = _freeze({ depth: 2, colors: false, compact: 3, breakLength: 80, sorted: false });

    const ansi = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g;

    return _freeze({
      format: (...args) => format(args),
      formatWithOptions: (options, ...args) => { validateObject(options, 'inspectOptions'); return format(args); },
      inspect: utilInspectFn,
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
      stripVTControlCharacters: (str) => { validateString(str, 'str'); return str.replace(ansi, ''); },
      toUSVString: (str) => _String(str).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
      _extend: (target, source) => {
        if (source === null || typeof source !== 'object') return target;
        const keys = _keys(source);
        let i = keys.length;
        while (i--) target[keys[i]] = source[keys[i]];
        return target;
      },
      isArray: _isArray,
      isBoolean: (arg) => typeof arg === 'boolean',
      isBuffer: (arg) => arg instanceof Buffer,
      isDate,
      isError,
      isFunction: (arg) => typeof arg === 'function',
      isNull: (arg) => arg === null,
      isNullOrUndefined: (arg) => arg === null || arg === undefined,
      isNumber: (arg) => typeof arg === 'number',
      isObject: (arg) => arg !== null && typeof arg === 'object',
      isPrimitive: (arg) => arg === null || (typeof arg !== 'object' && typeof arg !== 'function'),
      isRegExp,
      isString: (arg) => typeof arg === 'string',
      isSymbol: (arg) => typeof arg === 'symbol',
      isUndefined: (arg) => arg === undefined,
    });
  }

  // ---------------------------------------------------------------- events
  function eventsModule() {
    const kErrorMonitor = _Symbol('events.errorMonitor');
    const kRejection = _Symbol.for('nodejs.rejection');
    let defaultMaxListeners = 10;

    function EventEmitter(opts) {
      EventEmitter.init.call(this, opts);
    }
    EventEmitter.prototype._events = undefined;
    EventEmitter.prototype._eventsCount = 0;
    EventEmitter.prototype._maxListeners = undefined;

    EventEmitter.init = function init() {
      if (this._events === undefined || this._events === _getPrototypeOf(this)._events) {
        this._events = _create(null);
        this._eventsCount = 0;
      }
      this._maxListeners = this._maxListeners || undefined;
    };

    const checkListener = (listener) => validateFunction(listener, 'listener');
    const getMax = (that) => (that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners);

    EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
      validateNumber(n, 'setMaxListeners', 0);
      this._maxListeners = n;
      return this;
    };
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
        const er = args.length > 0 ? args[0] : undefined;
        if (er instanceof _Error) throw er; // Unhandled 'error' event
        let stringified;
        try { stringified = utilInspect(er); } catch (e) { stringified = er; }
        throw nodeError(_Error, 'ERR_UNHANDLED_ERROR', `Unhandled error. (${stringified})`, { context: er });
      }
      const handler = events[type];
      if (handler === undefined) return false;
      if (typeof handler === 'function') {
        _apply(handler, this, args);
      } else {
        const listeners = handler.slice();
        for (let i = 0; i < listeners.length; ++i) _apply(listeners[i], this, args);
      }
      return true;
    };

    function _addListener(target, type, listener, prepend) {
      checkListener(listener);
      let events = target._events;
      let existing;
      if (events === undefined) {
        events = target._events = _create(null);
        target._eventsCount = 0;
      } else {
        if (events.newListener !== undefined) {
          target.emit('newListener', type, listener.listener ?? listener);
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
          const name = (target.constructor && target.constructor.name) || 'Object';
          emitWarning('MaxListenersExceededWarning', `Possible EventEmitter memory leak detected. ${existing.length} ${_String(type)} listeners ` +
            `added to [${name}]. MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`);
        }
      }
      return target;
    }
    EventEmitter.prototype.addListener = function addListener(type, listener) {
      return _addListener(this, type, listener, false);
    };
    EventEmitter.prototype.on = EventEmitter.prototype.addListener;
    EventEmitter.prototype.prependListener = function prependListener(type, listener) {
      return _addListener(this, type, listener, true);
    };

    function onceWrapper() {
      if (!this.fired) {
        this.target.removeListener(this.type, this.wrapFn);
        this.fired = true;
        if (arguments.length === 0) return this.listener.call(this.target);
        return _apply(this.listener, this.target, arguments);
      }
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
      if (events === undefined || events[type] === undefined) return this;
      const list = events[type];
      if (list === listener || list.listener === listener) {
        this._eventsCount -= 1;
        if (this._eventsCount === 0) {
          this._events = _create(null);
        } else {
          delete events[type];
          if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
        }
      } else if (typeof list !== 'function') {
        let position = -1;
        for (let i = list.length - 1; i >= 0; i--) {
          if (list[i] === listener || list[i].listener === listener) {
            position = i;
            break;
          }
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
          this._events = _create(null);
          this._eventsCount = 0;
        } else if (events[type] !== undefined) {
          if (--this._eventsCount === 0) this._events = _create(null);
          else delete events[type];
        }
        return this;
      }
      if (arguments.length === 0) {
        for (const key of _ownKeys(events)) {
          if (key === 'removeListener') continue;
          this.removeAllListeners(key);
        }
        this.removeAllListeners('removeListener');
        this._events = _create(null);
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
      if (events === undefined || events[type] === undefined) return [];
      const evlistener = events[type];
      if (typeof evlistener === 'function') return unwrap ? [evlistener.listener || evlistener] : [evlistener];
      return unwrap ? evlistener.map((l) => (typeof l.listener === 'function' ? l.listener : l)) : evlistener.slice();
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
    EventEmitter.prototype.eventNames = function eventNames() {
      return this._eventsCount > 0 ? _ownKeys(this._events) : [];
    };

    EventEmitter.listenerCount = function (emitter, type) {
      if (typeof emitter.listenerCount === 'function') return emitter.listenerCount(type);
      return listenerCount.call(emitter, type);
    };
    EventEmitter.setMaxListeners = function (n = defaultMaxListeners, ...eventTargets) {
      validateNumber(n, 'setMaxListeners', 0);
      if (eventTargets.length === 0) defaultMaxListeners = n;
      for (const target of eventTargets) {
        if (typeof target.setMaxListeners === 'function') target.setMaxListeners(n);
        else throw invalidArgType('eventTargets', ['EventEmitter', 'EventTarget'], target);
      }
    };
    _defineProperty(EventEmitter, 'defaultMaxListeners', {
      enumerable: true,
      get: () => defaultMaxListeners,
      set: (arg) => { validateNumber(arg, 'defaultMaxListeners', 0); defaultMaxListeners = arg; },
    });

    // events.once(emitter, name): a promise of the arguments of the next `name` event, rejected by an 'error' one.
    async function once(emitter, name) {
      return new _Promise((resolve, reject) => {
        const errorListener = (err) => {
          emitter.removeListener(name, resolver);
          reject(err);
        };
        const resolver = (...args) => {
          if (typeof emitter.removeListener === 'function') emitter.removeListener('error', errorListener);
          resolve(args);
        };
        if (typeof emitter.once === 'function') emitter.once(name, resolver);
        else if (typeof emitter.addEventListener === 'function') emitter.addEventListener(name, resolver, { once: true });
        else throw invalidArgType('emitter', 'EventEmitter', emitter);
        if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', errorListener);
      });
    }
    function getEventListeners(emitter, type) {
      if (emitter && typeof emitter.listeners === 'function') return emitter.listeners(type);
      throw invalidArgType('emitter', ['EventEmitter', 'EventTarget'], emitter);
    }
    function getMaxListeners(emitter) {
      if (emitter && typeof emitter.getMaxListeners === 'function') return getMax(emitter);
      throw invalidArgType('emitter', ['EventEmitter', 'EventTarget'], emitter);
    }

    // Like Node's: the module is the class, with the helpers as its properties (and not frozen: Node allows
    // setting EventEmitter.defaultMaxListeners, and classes extend it).
    _assign(EventEmitter, { once, getEventListeners, getMaxListeners, EventEmitter, usingDomains: false, captureRejectionSymbol: kRejection, errorMonitor: kErrorMonitor });
    return EventEmitter;
  }

  // ---------------------------------------------------------------- string_decoder
  function stringDecoderModule() {
    const encodings = {
      utf8: 'utf8', 'utf-8': 'utf8', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le',
      latin1: 'latin1', binary: 'latin1', base64: 'base64', base64url: 'base64url', hex: 'hex', ascii: 'ascii',
    };
    // UTF-8 decoding with the replacement rules of the WHATWG decoder (what V8 and Node apply).
    function decodeUtf8(bytes) {
      let out = '';
      const units = [];
      let needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xbf;
      const flush = () => { out += _fromCharCode.apply(null, units); units.length = 0; };
      const push = (c) => {
        if (c >= 0x10000) { c -= 0x10000; units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)); } else units.push(c);
        if (units.length > 8192) flush();
      };
      for (let i = 0; i < bytes.length; i++) {
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
          cp = needed = seen = 0; lower = 0x80; upper = 0xbf;
          push(0xfffd);
          i--;
          continue;
        }
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (b & 0x3f);
        if (++seen === needed) { push(cp); cp = needed = seen = 0; }
      }
      if (needed) push(0xfffd);
      flush();
      return out;
    }
    function makeString(bytes, encoding) {
      switch (encoding) {
        case 'utf8': return decodeUtf8(bytes);
        case 'utf16le': {
          let s = '';
          for (let i = 0; i + 1 < bytes.length; i += 2) s += _fromCharCode(bytes[i] | (bytes[i + 1] << 8));
          return s;
        }
        case 'base64': return base64Encode(bytes);
        case 'base64url': return base64Encode(bytes, true);
        case 'hex': return _Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        case 'ascii': { let s = ''; for (let i = 0; i < bytes.length; i++) s += _fromCharCode(bytes[i] & 0x7f); return s; }
        default: { let s = ''; for (let i = 0; i < bytes.length; i++) s += _fromCharCode(bytes[i]); return s; }
      }
    }
    const state = new WeakMap();
    class StringDecoder {
      constructor(encoding) {
        const normalized = encoding == null ? 'utf8' : encodings[_String(encoding).toLowerCase()];
        if (normalized === undefined) throw nodeError(_TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${encoding}`);
        this.encoding = normalized;
        state.set(this, { buffer: new _Uint8Array(4), buffered: 0, missing: 0 });
      }
      // Mirrors src/string_decoder.cc: bytes of an unfinished character are held until the next write.
      write(buf) {
        if (typeof buf === 'string') return buf;
        if (!_isView(buf)) throw invalidArgType('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
        const s = state.get(this);
        if (s === undefined) throw nodeError(_TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type StringDecoder');
        let data = new _Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
        const enc = this.encoding;
        if (enc !== 'utf8' && enc !== 'utf16le' && enc !== 'base64' && enc !== 'base64url') return makeString(data, enc);
        let prepend = '';
        if (s.missing > 0) {
          if (enc === 'utf8') {
            for (let i = 0; i < data.length && i < s.missing; ++i) {
              if ((data[i] & 0xc0) !== 0x80) {
                s.missing = 0;
                s.buffer.set(data.subarray(0, i), s.buffered);
                s.buffered += i;
                data = data.subarray(i);
                break;
              }
            }
          }
          const found = _Math.min(data.length, s.missing);
          s.buffer.set(data.subarray(0, found), s.buffered);
          data = data.subarray(found);
          s.missing -= found;
          s.buffered += found;
          if (s.missing === 0) {
            prepend = makeString(s.buffer.subarray(0, s.buffered), enc);
            s.buffered = 0;
          }
        }
        if (data.length === 0) return prepend;
        let n = data.length;
        if (enc === 'utf8' && data[n - 1] & 0x80) {
          for (let i = n - 1; ; --i) {
            s.buffered++;
            if ((data[i] & 0xc0) === 0x80) {
              if (s.buffered >= 4 || i === 0) { s.buffered = 0; break; }
            } else {
              if ((data[i] & 0xe0) === 0xc0) s.missing = 2;
              else if ((data[i] & 0xf0) === 0xe0) s.missing = 3;
              else if ((data[i] & 0xf8) === 0xf0) s.missing = 4;
              else { s.buffered = 0; break; }
              if (s.buffered >= s.missing) { s.missing = 0; s.buffered = 0; }
              s.missing -= s.buffered;
              break;
            }
          }
        } else if (enc === 'utf16le') {
          if (n % 2 === 1) { s.buffered = 1; s.missing = 1; }
          else if ((data[n - 1] & 0xfc) === 0xd8) { s.buffered = 2; s.missing = 2; }
        } else if (enc === 'base64' || enc === 'base64url') {
          s.buffered = n % 3;
          if (s.buffered > 0) s.missing = 3 - s.buffered;
        }
        if (s.buffered > 0) {
          n -= s.buffered;
          s.buffer.set(data.subarray(n, n + s.buffered), 0);
        }
        return prepend + (n > 0 ? makeString(data.subarray(0, n), enc) : '');
      }
      end(buf) {
        let ret = '';
        if (buf !== undefined) ret = this.write(buf);
        const s = state.get(this);
        if (s.buffered > 0) {
          if (this.encoding === 'utf16le' && s.buffered % 2 === 1) { s.missing--; s.buffered--; }
          if (s.buffered > 0) ret += makeString(s.buffer.subarray(0, s.buffered), this.encoding);
          s.missing = 0;
          s.buffered = 0;
        }
        return ret;
      }
      text(buf, offset) {
        const s = state.get(this);
        s.missing = 0;
        s.buffered = 0;
        return this.write(buf.slice(offset));
      }
      get lastChar() { return state.get(this).buffer; }
      get lastNeed() { return state.get(this).missing; }
      get lastTotal() { const s = state.get(this); return s.buffered + s.missing; }
    }
    return _freeze({ StringDecoder });
  }

  // ---------------------------------------------------------------- assert
  function assertModule() {
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

    // internal/assert/assertion_error createErrDiff, without colours (stderr is never a terminal here).
    function createErrDiff(actual, expected, operator, message = '') {
      let other = '';
      let res = '';
      let end = '';
      let skipped = false;
      const actualInspected = inspectExpanded(actual);
      const actualLines = actualInspected.split('\n');
      const expectedLines = inspectExpanded(expected).split('\n');
      let i = 0;
      let indicator = '';
      if (operator === 'strictEqual' &&
        ((typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) ||
          (typeof actual === 'function' && typeof expected === 'function'))) {
        operator = 'strictEqualObject';
      }
      if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
        const inputLength = actualLines[0].length + expectedLines[0].length;
        if (inputLength <= kMaxShortLength) {
          if ((typeof actual !== 'object' || actual === null) && (typeof expected !== 'object' || expected === null) && (actual !== 0 || expected !== 0)) {
            return `${message || kReadableOperator[operator]}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
          }
        } else if (operator !== 'strictEqualObject') {
          if (inputLength < 80) {
            while (actualLines[0][i] === expectedLines[0][i]) i++;
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
      const maxLines = _Math.max(actualLines.length, expectedLines.length);
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
      const msg = `${message || kReadableOperator[operator]}\n+ actual - expected`;
      const skippedMsg = ' ... Lines skipped';
      let lines = actualLines;
      let plusMinus = '+';
      let maxLength = expectedLines.length;
      if (actualLines.length < maxLines) {
        lines = expectedLines;
        plusMinus = '-';
        maxLength = actualLines.length;
      }
      for (i = 0; i < maxLines; i++) {
        if (maxLength < i + 1) {
          if (identical > 2) {
            if (identical > 3) {
              if (identical > 4) {
                if (identical === 5) {
                  res += `\n  ${lines[i - 3]}`;
                  printedLines++;
                } else {
                  res += '\n...';
                  skipped = true;
                }
              }
              res += `\n  ${lines[i - 2]}`;
              printedLines++;
            }
            res += `\n  ${lines[i - 1]}`;
            printedLines++;
          }
          identical = 0;
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
            if (identical > 2) {
              if (identical > 3) {
                if (identical > 4) {
                  if (identical === 5) {
                    res += `\n  ${actualLines[i - 3]}`;
                    printedLines++;
                  } else {
                    res += '\n...';
                    skipped = true;
                  }
                }
                res += `\n  ${actualLines[i - 2]}`;
                printedLines++;
              }
              res += `\n  ${actualLines[i - 1]}`;
              printedLines++;
            }
            identical = 0;
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
        if (printedLines > 50 && i < maxLines - 2) {
          return `${msg}${skippedMsg}\n${res}\n...${other}\n...`;
        }
      }
      return `${msg}${skipped ? skippedMsg : ''}\n${res}${other}${end}${indicator}`;
    }

    function copyError(source) {
      const target = _assign(_create(_getPrototypeOf(source)), source);
      _defineProperty(target, 'message', { value: source.message });
      return target;
    }

    class AssertionError extends _Error {
      constructor(options) {
        validateObject(options, 'options');
        const { message, operator, stackStartFn, stackStartFunction } = options;
        let { actual, expected } = options;
        let text;
        if (message != null) {
          text = operator === 'deepStrictEqual' || operator === 'strictEqual' ? createErrDiff(actual, expected, operator, message) : _String(message);
        } else {
          if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null &&
            'stack' in actual && actual instanceof _Error && 'stack' in expected && expected instanceof _Error) {
            actual = copyError(actual);
            expected = copyError(expected);
          }
          if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
            text = createErrDiff(actual, expected, operator);
          } else if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
            let base = kReadableOperator[operator];
            const res = inspectExpanded(actual).split('\n');
            if (operator === 'notStrictEqual' && ((typeof actual === 'object' && actual !== null) || typeof actual === 'function')) {
              base = kReadableOperator.notStrictEqualObject;
            }
            if (res.length > 50) {
              res[46] = '...';
              while (res.length > 47) res.pop();
            }
            text = res.length === 1 ? `${base}${res[0].length > 5 ? '\n\n' : ' '}${res[0]}` : `${base}\n\n${res.join('\n')}\n`;
          } else {
            let res = inspectExpanded(actual);
            let other = inspectExpanded(expected);
            const knownOperator = kReadableOperator[operator];
            if (operator === 'notDeepEqual' && res === other) {
              res = `${knownOperator}\n\n${res}`;
              if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
              text = res;
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
              text = `${res}${other}`;
            }
          }
        }
        super(text);
        this.generatedMessage = !message;
        _defineProperty(this, 'name', { value: 'AssertionError [ERR_ASSERTION]', enumerable: false, writable: true, configurable: true });
        this.code = 'ERR_ASSERTION';
        this.actual = actual;
        this.expected = expected;
        this.operator = operator;
        if (typeof _Error.captureStackTrace === 'function') _Error.captureStackTrace(this, stackStartFn || stackStartFunction);
        this.stack; // eslint-disable-line no-unused-expressions -- renders the stack with the code in the name
        this.name = 'AssertionError';
      }
      toString() {
        return `${this.name} [${this.code}]: ${this.message}`;
      }
    }

    const missingArgs = () => nodeError(_TypeError, 'ERR_MISSING_ARGS', 'The "actual" and "expected" arguments must be specified');
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
          // Node quotes the failing expression from the source file; function code has no file, so this is
          // Node's own fallback when the source cannot be read.
          generatedMessage = true;
        } else if (isError(message)) {
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
    let failWarned = false;
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
        if (!failWarned) {
          failWarned = true;
          emitWarning('DeprecationWarning', 'assert.fail() with more than one argument is deprecated. Please use assert.strictEqual() instead or only pass a message.', 'DEP0094');
        }
        if (argsLen === 2) operator = '!=';
      }
      if (message instanceof _Error) throw message;
      const err = new AssertionError({ actual, expected, operator: operator === undefined ? 'fail' : operator, stackStartFn: stackStartFn || fail, message });
      if (internalMessage) err.generatedMessage = true;
      throw err;
    };
    assert.AssertionError = AssertionError;
    assert.ok = ok;
    assert.equal = function equal(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (actual != expected && (!_isNaN(actual) || !_isNaN(expected))) { // eslint-disable-line eqeqeq
        innerFail({ actual, expected, message, operator: '==', stackStartFn: equal });
      }
    };
    assert.notEqual = function notEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (actual == expected || (_isNaN(actual) && _isNaN(expected))) { // eslint-disable-line eqeqeq
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
      if (!_is(actual, expected)) innerFail({ actual, expected, message, operator: 'strictEqual', stackStartFn: strictEqual });
    };
    assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
      if (arguments.length < 2) throw missingArgs();
      if (_is(actual, expected)) innerFail({ actual, expected, message, operator: 'notStrictEqual', stackStartFn: notStrictEqual });
    };

    class Comparison {
      constructor(obj, keys, actual) {
        for (const key of keys) {
          if (key in obj) {
            if (actual !== undefined && typeof actual[key] === 'string' && isRegExp(obj[key]) && regExpExec(obj[key], actual[key]) !== null) {
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
        if (isRegExp(expected)) {
          const str = _String(actual);
          if (regExpExec(expected, str) !== null) return;
          if (!message) {
            generatedMessage = true;
            message = `The input did not match the regular expression ${regExpToString(expected)}. Input:\n\n${quoteString(str)}\n`;
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
            throw nodeError(_TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'error' may not be an empty object. Received ${utilInspect(expected)}`);
          }
          for (const key of keys) {
            if (typeof actual[key] === 'string' && isRegExp(expected[key]) && regExpExec(expected[key], actual[key]) !== null) continue;
            compareExceptionKey(actual, expected, key, message, keys, fn);
          }
          return;
        }
      } else if (expected.prototype !== undefined && actual instanceof expected) {
        return;
      } else if (isPrototypeOf(_Error, expected)) {
        if (!message) {
          generatedMessage = true;
          message = `The error is expected to be an instance of "${expected.name}". Received `;
          if (isError(actual)) {
            const name = (actual.constructor && actual.constructor.name) || actual.name;
            if (expected.name === name) message += 'an error with identical name but a different prototype.';
            else message += `"${name}"`;
            if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
          } else {
            message += `"${utilInspect(actual, { depth: -1 })}"`;
          }
        }
        throwError = true;
      } else {
        const res = _apply(expected, {}, [actual]);
        if (res !== true) {
          if (!message) {
            generatedMessage = true;
            const name = expected.name ? `"${expected.name}" ` : '';
            message = `The ${name}validation function is expected to return "true". Received ${utilInspect(res)}`;
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
    const NO_EXCEPTION = {};
    function getActual(fn) {
      validateFunction(fn, 'fn');
      try {
        fn();
      } catch (e) {
        return e;
      }
      return NO_EXCEPTION;
    }
    const checkIsPromise = (obj) => isPromise(obj) || (obj !== null && typeof obj === 'object' && typeof obj.then === 'function' && typeof obj.catch === 'function');
    async function waitForActual(promiseFn) {
      let resultPromise;
      if (typeof promiseFn === 'function') {
        resultPromise = promiseFn();
        if (!checkIsPromise(resultPromise)) {
          throw nodeError(_TypeError, 'ERR_INVALID_RETURN_VALUE', `Expected instance of Promise to be returned from the "promiseFn" function but got ${describeReceived(resultPromise)}.`);
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
      return NO_EXCEPTION;
    }
    function expectsError(stackStartFn, actual, error, message) {
      if (typeof error === 'string') {
        if (arguments.length === 4) throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
        if (typeof actual === 'object' && actual !== null) {
          if (actual.message === error) {
            throw nodeError(_TypeError, 'ERR_AMBIGUOUS_ARGUMENT', `The "error/message" argument is ambiguous. The error message "${actual.message}" is identical to the message.`);
          }
        } else if (actual === error) {
          throw nodeError(_TypeError, 'ERR_AMBIGUOUS_ARGUMENT', `The "error/message" argument is ambiguous. The error "${actual}" is identical to the message.`);
        }
        message = error;
        error = undefined;
      } else if (error != null && typeof error !== 'object' && typeof error !== 'function') {
        throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
      }
      if (actual === NO_EXCEPTION) {
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
        if (isRegExp(expected)) return regExpExec(expected, _String(actual)) !== null;
        throw invalidArgType('expected', ['Function', 'RegExp'], expected);
      }
      if (expected.prototype !== undefined && actual instanceof expected) return true;
      if (isPrototypeOf(_Error, expected)) return false;
      return _apply(expected, {}, [actual]) === true;
    }
    function expectsNoError(stackStartFn, actual, error, message) {
      if (actual === NO_EXCEPTION) return;
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
          message += utilInspect(err);
        }
        throw new AssertionError({ actual: err, expected: null, operator: 'ifError', message, stackStartFn: ifError });
      }
    };
    function internalMatch(string, regexp, message, fn) {
      if (!isRegExp(regexp)) throw invalidArgType('regexp', 'RegExp', regexp);
      const match = fn === assert.match;
      if (typeof string !== 'string' || (regExpExec(regexp, string) !== null) !== match) {
        if (message instanceof _Error) throw message;
        const generatedMessage = !message;
        message = message || (typeof string !== 'string'
          ? `The "string" argument must be of type string. Received type ${typeof string} (${utilInspect(string)})`
          : (match ? 'The input did not match the regular expression ' : 'The input was expected to not match the regular expression ') +
            `${regExpToString(regexp)}. Input:\n\n${quoteString(string)}\n`);
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
    assert.strict = _assign(strict, assert, {
      equal: assert.strictEqual,
      deepEqual: assert.deepStrictEqual,
      notEqual: assert.notStrictEqual,
      notDeepEqual: assert.notDeepStrictEqual,
    });
    assert.strict.strict = assert.strict;
    _freeze(strict);
    return _freeze(assert);
  }

  // ---------------------------------------------------------------- crypto
  function cryptoModule() {
    const HASHES = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];
    // OpenSSL's names for the digests the host computes: SHA256, sha-256, RSA-SHA256, sha256WithRSAEncryption...
    function digestName(algorithm) {
      let name = algorithm.toLowerCase();
      if (name.startsWith('rsa-')) name = name.slice(4);
      else if (name.startsWith('ssl3-')) name = name.slice(5);
      if (name.endsWith('withrsaencryption')) name = name.slice(0, -'withrsaencryption'.length);
      if (/^sha-(1|256|384|512)$/.test(name)) name = 'sha' + name.slice(4);
      return HASHES.includes(name) ? name : null;
    }
    const supported = `Granary offers ${HASHES.join(', ')}`;
    function toBytes(data, encoding, name) {
      if (typeof data === 'string') return Buffer.from(data, encoding);
      if (_isView(data)) return new _Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView'], data);
    }
    function concat(chunks) {
      let total = 0;
      for (const c of chunks) total += c.length;
      const out = new _Uint8Array(total);
      let offset = 0;
      for (const c of chunks) { out.set(c, offset); offset += c.length; }
      return out;
    }
    const finalized = () => nodeError(_Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    const output = (base64, encoding) => {
      const bytes = Buffer.from(base64, 'base64');
      return encoding === undefined || encoding === 'buffer' ? bytes : bytes.toString(encoding);
    };

    const hashState = new WeakMap();
    class Hash {
      constructor(algorithm) {
        validateString(algorithm, 'algorithm');
        const name = digestName(algorithm);
        if (name === null) throw new _Error(`Digest method not supported: '${algorithm}' (${supported})`);
        hashState.set(this, { name, chunks: [], done: false });
      }
      update(data, encoding) {
        const s = hashState.get(this);
        if (s.done) throw finalized();
        s.chunks.push(toBytes(data, encoding, 'data'));
        return this;
      }
      digest(encoding) {
        const s = hashState.get(this);
        if (s.done) throw finalized();
        s.done = true;
        const data = concat(s.chunks);
        s.chunks = [];
        return output(host.hash(s.name, base64Encode(data)), encoding);
      }
      copy() {
        const s = hashState.get(this);
        if (s.done) throw finalized();
        const copy = new Hash(s.name);
        hashState.get(copy).chunks = s.chunks.slice();
        return copy;
      }
    }
    const hmacState = new WeakMap();
    class Hmac {
      constructor(algorithm, key) {
        validateString(algorithm, 'hmac');
        const name = digestName(algorithm);
        if (name === null) throw nodeError(_TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${algorithm}`);
        let keyBytes;
        if (typeof key === 'string') keyBytes = utf8Encode(key);
        else if (_isView(key)) keyBytes = new _Uint8Array(key.buffer, key.byteOffset, key.byteLength);
        else if (isAnyArrayBuffer(key)) keyBytes = new _Uint8Array(key);
        else throw invalidArgType('key', ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'KeyObject', 'CryptoKey'], key);
        hmacState.set(this, { name, key: base64Encode(keyBytes), chunks: [], done: false });
      }
      update(data, encoding) {
        const s = hmacState.get(this);
        if (s.done) throw finalized();
        s.chunks.push(toBytes(data, encoding, 'data'));
        return this;
      }
      // As Node's: a second digest() gives an empty result rather than an error.
      digest(encoding) {
        const s = hmacState.get(this);
        if (s.done) return output('', encoding);
        s.done = true;
        const data = concat(s.chunks);
        s.chunks = [];
        return output(host.hmac(s.name, s.key, base64Encode(data)), encoding);
      }
    }

    const MAX_SIZE = 2147483647;
    function randomBytesSync(size) {
      size = _Math.floor(size); // a fractional size counts whole bytes, as Buffer.alloc(1.5) does
      const out = Buffer.alloc(size);
      for (let offset = 0; offset < size; offset += 65536) {
        const n = _Math.min(65536, size - offset);
        out.set(hexToBytes(host.randomHex(n)), offset);
      }
      return out;
    }
    function randomBytes(size, callback) {
      if (typeof size !== 'number') throw invalidArgType('size', 'number', size);
      if (!(size >= 0 && size <= MAX_SIZE)) throw outOfRange('size', `>= 0 && <= ${MAX_SIZE}`, size);
      if (callback !== undefined) validateFunction(callback, 'callback');
      const buf = randomBytesSync(size);
      if (callback === undefined) return buf;
      nextTick(callback, null, buf);
      return undefined;
    }
    function randomFillSync(buf, offset = 0, size) {
      if (!_isView(buf) && !isAnyArrayBuffer(buf)) throw invalidArgType('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
      const bytes = _isView(buf) ? new _Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new _Uint8Array(buf);
      if (size === undefined) size = bytes.length - offset;
      if (offset < 0 || size < 0 || offset + size > bytes.length) throw outOfRange('offset + size', `<= ${bytes.length}`, offset + size);
      bytes.set(randomBytesSync(size), offset);
      return buf;
    }
    function randomInt(min, max, callback) {
      if (typeof max === 'undefined' || typeof max === 'function') { callback = max; max = min; min = 0; }
      if (!_isSafeInteger(min)) throw invalidArgType('min', 'a safe integer', min);
      if (!_isSafeInteger(max)) throw invalidArgType('max', 'a safe integer', max);
      if (max <= min) throw outOfRange('max', `greater than the value of "min" (${min})`, max);
      const range = max - min;
      if (range > 2 ** 48 - 1) throw outOfRange('max - min', `<= ${2 ** 48 - 1}`, range);
      const limit = 2 ** 48 - (2 ** 48 % range);
      let x;
      do {
        const b = randomBytesSync(6);
        x = ((b[0] * 256 + b[1]) * 256 + b[2]) * 2 ** 24 + ((b[3] << 16) | (b[4] << 8) | b[5]);
      } while (x >= limit);
      const n = min + (x % range);
      if (typeof callback === 'function') { nextTick(callback, null, n); return undefined; }
      return n;
    }
    function timingSafeEqual(buf1, buf2) {
      const view = (b, name) => {
        if (_isView(b)) return new _Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        if (isAnyArrayBuffer(b)) return new _Uint8Array(b);
        throw nodeError(_TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.${b === undefined ? ' Received undefined' : ''}`);
      };
      const a = view(buf1, 'buf1'), b = view(buf2, 'buf2');
      if (a.length !== b.length) throw nodeError(_RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
      return diff === 0;
    }

    return _freeze({
      createHash: (algorithm) => new Hash(algorithm),
      createHmac: (algorithm, key) => new Hmac(algorithm, key),
      getHashes: () => HASHES.slice(),
      randomBytes,
      pseudoRandomBytes: randomBytes,
      randomFillSync,
      randomInt,
      randomUUID: () => randomUUID(),
      getRandomValues: (array) => getRandomValues(array),
      timingSafeEqual,
    });
  }

  // One instance of each module per isolate, shared by require() and by the modules that use another.
  const factories = {
    buffer: () => _freeze({ Buffer }),
    path: pathModule,
    querystring: querystringModule,
    url: urlModule,
    util: utilModule,
    events: eventsModule,
    string_decoder: stringDecoderModule,
    assert: assertModule,
    crypto: cryptoModule,
  };
  const instances = new _Map();
  function use(name) {
    if (!instances.has(name)) instances.set(name, factories[name]());
    return instances.get(name);
  }
  const modules = {};
  for (const name of _keys(factories)) modules[name] = () => use(name);
  return _freeze(modules);
})();
