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
