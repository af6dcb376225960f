// Granary isolate bootstrap: deep equality (assert.deepEqual / deepStrictEqual, util.isDeepStrictEqual), after Node's
// lib/internal/util/comparisons.js; made on first use from the shared internals.
const builtinDeepEqual = builtinOnce(() => {
  const { getProto, getSymbols, hasOwn, isEnumerable, isArrayIndex, isError, tagOf, types, typedArrayName } = builtinInternals();
  const {
    isAnyArrayBuffer, isBigIntObject, isBooleanObject, isBoxedPrimitive, isDate, isMap, isNumberObject, isRegExp, isSet,
    isStringObject, isSymbolObject,
  } = types;
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

  return { isDeepEqual, isDeepStrictEqual };
});
