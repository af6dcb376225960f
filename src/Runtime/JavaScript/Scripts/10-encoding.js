// Granary isolate bootstrap, part 2: text encodings, base64 and a Node-compatible Buffer.

function utf8Encode(str) {
  str = _String(str);
  const out = [];
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new _Uint8Array(out);
}

function utf8Decode(bytes, fatal) {
  let out = '';
  const chunk = [];
  const flush = () => { out += _String.fromCharCode.apply(null, chunk); chunk.length = 0; };
  const bad = () => { if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8'); chunk.push(0xfffd); };
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let cp = -1, need = 0, min = 0;
    if (b < 0x80) { chunk.push(b); i++; if (chunk.length > 8192) flush(); continue; }
    else if (b >= 0xc2 && b <= 0xdf) { cp = b & 0x1f; need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { cp = b & 0x0f; need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { cp = b & 0x07; need = 3; min = 0x10000; }
    else { bad(); i++; continue; }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || (c & 0xc0) !== 0x80) break;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { bad(); i += Math.max(1, j); continue; }
    i += need + 1;
    if (cp >= 0x10000) { cp -= 0x10000; chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
    else chunk.push(cp);
    if (chunk.length > 8192) flush();
  }
  flush();
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = new _Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
B64_LOOKUP['-'.charCodeAt(0)] = 62;
B64_LOOKUP['_'.charCodeAt(0)] = 63;

function base64Encode(bytes, url) {
  let out = '';
  const alphabet = url ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_' : B64;
  let i = 0;
  const parts = [];
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
    if (out.length > 16384) { parts.push(out); out = ''; }
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += alphabet[(n >> 6) & 63]; else if (!url) out += '=';
    if (!url) out += '=';
  }
  parts.push(out);
  return parts.join('');
}

function base64Decode(str) {
  const clean = _String(str).replace(/[\s=]+/g, '');
  const out = new _Uint8Array(Math.floor(clean.length * 3 / 4));
  let n = 0, bits = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 256 ? B64_LOOKUP[c] : 255;
    if (v === 255) continue;
    n = (n << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (n >> bits) & 0xff; }
  }
  return out.subarray(0, o);
}

class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(input = '') { return utf8Encode(input); }
  encodeInto(input, dest) {
    const bytes = utf8Encode(input);
    const n = Math.min(bytes.length, dest.length);
    dest.set(bytes.subarray(0, n));
    return { read: input.length, written: n };
  }
}
class TextDecoder {
  constructor(label = 'utf-8', options = {}) {
    const l = _String(label).toLowerCase();
    if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8') throw new RangeError(`The "${label}" encoding is not supported`);
    this._fatal = !!options.fatal;
    this._ignoreBOM = !!options.ignoreBOM;
  }
  get encoding() { return 'utf-8'; }
  get fatal() { return this._fatal; }
  get ignoreBOM() { return this._ignoreBOM; }
  decode(input) {
    if (input === undefined) return '';
    let bytes = input instanceof ArrayBuffer ? new _Uint8Array(input)
      : ArrayBuffer.isView(input) ? new _Uint8Array(input.buffer, input.byteOffset, input.byteLength) : null;
    if (!bytes) throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
    if (!this._ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return utf8Decode(bytes, this._fatal);
  }
}
defineGlobal('TextEncoder', TextEncoder);
defineGlobal('TextDecoder', TextDecoder);
defineGlobal('btoa', (s) => {
  s = _String(s);
  const bytes = new _Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new _Error('InvalidCharacterError: Invalid character');
    bytes[i] = c;
  }
  return base64Encode(bytes);
});
defineGlobal('atob', (s) => {
  const bytes = base64Decode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += _String.fromCharCode(bytes[i]);
  return out;
});

// Node's Buffer: a Uint8Array with Node's encodings (utf8, hex, base64, base64url, latin1/binary, ascii,
// utf16le/ucs2), from/alloc/concat/compare, and its reading, writing and searching methods (11-buffer.js).
class Buffer extends _Uint8Array {
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return Buffer._wrap(encodeString(value, encodingOrOffset));
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
      const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset) || 0;
      if (offset > value.byteLength) throw new RangeError('"offset" is outside of buffer bounds');
      return new Buffer(value, offset, length === undefined ? value.byteLength - offset : length);
    }
    if (ArrayBuffer.isView(value)) { const b = new Buffer(value.byteLength); b.set(new _Uint8Array(value.buffer, value.byteOffset, value.byteLength)); return b; }
    if (value && value.type === 'Buffer' && _Array.isArray(value.data)) return Buffer.from(value.data);
    if (value !== null && typeof value === 'object') {
      const primitive = typeof value[Symbol.toPrimitive] === 'function' ? value[Symbol.toPrimitive]('string') : value.valueOf();
      if (primitive !== value && primitive !== null && primitive !== undefined && (typeof primitive === 'string' || typeof primitive === 'object')) {
        return Buffer.from(primitive, encodingOrOffset, length);
      }
      if (typeof value.length === 'number' || _Array.isArray(value)) {
        const n = value.length > 0 ? Math.floor(value.length) : 0;
        const b = new Buffer(n);
        for (let i = 0; i < n; i++) b[i] = value[i] & 0xff;
        return b;
      }
    }
    const e = new TypeError('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.' +
      ` Received ${value === null ? 'null' : typeof value === 'object' ? 'an instance of ' + ((value.constructor && value.constructor.name) || 'Object') : `type ${typeof value} (${_String(value)})`}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  static _wrap(u8) { return new Buffer(u8.buffer, u8.byteOffset, u8.byteLength); }
  static alloc(size, fill, encoding) {
    checkSize(size);
    const b = new Buffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, encoding);
    return b;
  }
  static allocUnsafe(size) { checkSize(size); return new Buffer(size); }
  static allocUnsafeSlow(size) { checkSize(size); return new Buffer(size); }
  static isBuffer(b) { return b instanceof Buffer; }
  static isEncoding(e) { return typeof e === 'string' && e.length !== 0 && ENCODINGS.has(normalizeEncoding(e)); }
  static byteLength(s, enc) {
    if (typeof s !== 'string') {
      if (ArrayBuffer.isView(s) || s instanceof ArrayBuffer) return s.byteLength;
      throw new TypeError(`The "string" argument must be of type string or an instance of Buffer or ArrayBuffer. Received ${s === null ? 'null' : typeof s}`);
    }
    const e = normalizeEncoding(enc);
    if (e === 'utf8') return utf8ByteLength(s);
    if (e === 'utf16le') return s.length * 2;
    if (e === 'latin1' || e === 'ascii') return s.length;
    if (e === 'hex') return s.length >>> 1;
    if (e === 'base64' || e === 'base64url') {
      let n = s.length;
      if (s.charCodeAt(n - 1) === 0x3d) n--;
      if (n > 1 && s.charCodeAt(n - 1) === 0x3d) n--;
      return (n * 3) >>> 2;
    }
    return encodeString(s, e).length;
  }
  static concat(list, total) {
    if (!_Array.isArray(list)) throw new TypeError('The "list" argument must be an instance of Array.');
    if (total === undefined) total = list.reduce((n, b) => n + b.length, 0);
    const out = Buffer.alloc(total);
    let o = 0;
    for (const b of list) {
      if (!(b instanceof _Uint8Array)) throw new TypeError('The "list" argument must contain only Buffer or Uint8Array instances.');
      if (o >= total) break;
      out.set(b.subarray(0, total - o), o);
      o += b.length;
    }
    return out;
  }
  static compare(a, b) { return compareBytes(a, 0, a.length, b, 0, b.length); }
  toString(encoding, start = 0, end = this.length) {
    start = Math.max(0, start | 0);
    end = Math.min(this.length, end === undefined ? this.length : end | 0);
    if (end <= start) return '';
    return decodeBytes(this.subarray(start, end), encoding);
  }
  toLocaleString(encoding, start, end) { return this.toString(encoding, start, end); }
  toJSON() { return { type: 'Buffer', data: _Array.from(this) }; }
  equals(other) {
    if (!(other instanceof _Uint8Array)) throw new TypeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array.');
    return this === other || compareBytes(this, 0, this.length, other, 0, other.length) === 0;
  }
  compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
    if (!(target instanceof _Uint8Array)) throw new TypeError('The "target" argument must be an instance of Buffer or Uint8Array.');
    return compareBytes(this, sourceStart, sourceEnd, target, targetStart, targetEnd);
  }
  slice(start, end) { return this.subarray(start, end); }
  write(string, offset, length, encoding) {
    // write(string[, offset[, length]][, encoding]), as Node reads its arguments.
    if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
    else if (typeof length === 'string') { encoding = length; length = undefined; }
    offset = offset === undefined ? 0 : offset >>> 0;
    if (offset > this.length) throw new RangeError('The value of "offset" is out of range.');
    const bytes = encodeString(_String(string), encoding);
    let n = Math.min(bytes.length, this.length - offset, length === undefined ? Infinity : length >>> 0);
    // A multi-byte UTF-8 character is written whole or not at all.
    if (normalizeEncoding(encoding) === 'utf8' && n < bytes.length) while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
    this.set(bytes.subarray(0, n), offset);
    return n;
  }
  copy(target, targetStart = 0, start = 0, end = this.length) {
    const src = this.subarray(start, end);
    const n = Math.min(src.length, target.length - targetStart);
    if (n <= 0) return 0;
    target.set(src.subarray(0, n), targetStart);
    return n;
  }
}
const ENCODINGS = new Set(['utf8', 'hex', 'base64', 'base64url', 'latin1', 'ascii', 'utf16le']);
function checkSize(size) {
  if (typeof size !== 'number') throw new TypeError(`The "size" argument must be of type number. Received type ${typeof size}`);
  if (!(size >= 0 && size <= 2 ** 32)) throw new RangeError(`The value of "size" is out of range. It must be >= 0 && <= 4294967296. Received ${size}`);
}
function utf8ByteLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
function encodeString(value, encoding) {
  const enc = normalizeEncoding(encoding);
  let bytes;
  if (enc === 'hex') {
    const n = Math.floor(value.length / 2);
    bytes = new _Uint8Array(n);
    for (let i = 0; i < n; i++) { const b = parseInt(value.substr(i * 2, 2), 16); if (isNaN(b)) { bytes = bytes.subarray(0, i); break; } bytes[i] = b; }
  } else if (enc === 'base64' || enc === 'base64url') bytes = base64Decode(value);
  else if (enc === 'latin1' || enc === 'ascii') { bytes = new _Uint8Array(value.length); for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) & 0xff; }
  else if (enc === 'utf16le') { bytes = new _Uint8Array(value.length * 2); for (let i = 0; i < value.length; i++) { const c = value.charCodeAt(i); bytes[i * 2] = c & 0xff; bytes[i * 2 + 1] = c >> 8; } }
  else if (enc === 'utf8') bytes = utf8Encode(value);
  else throw unknownEncoding(encoding);
  return bytes;
}
function decodeBytes(bytes, encoding) {
  const enc = normalizeEncoding(encoding);
  if (enc === 'utf8') return utf8Decode(bytes, false);
  if (enc === 'hex') { let s = ''; for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]]; return s; }
  if (enc === 'base64') return base64Encode(bytes);
  if (enc === 'base64url') return base64Encode(bytes, true);
  if (enc === 'latin1' || enc === 'ascii') {
    const mask = enc === 'ascii' ? 0x7f : 0xff;
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) {
      const chunk = bytes.subarray(i, i + 4096);
      s += _String.fromCharCode.apply(null, mask === 0xff ? chunk : _Array.from(chunk, (b) => b & mask));
    }
    return s;
  }
  if (enc === 'utf16le') { let s = ''; for (let i = 0; i + 1 < bytes.length; i += 2) s += _String.fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s; }
  throw unknownEncoding(encoding);
}
const HEX = _Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function unknownEncoding(encoding) {
  const e = new TypeError(`Unknown encoding: ${encoding}`);
  e.code = 'ERR_UNKNOWN_ENCODING';
  return e;
}
function compareBytes(a, aStart, aEnd, b, bStart, bEnd) {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return a[aStart + i] < b[bStart + i] ? -1 : 1;
  const la = aEnd - aStart, lb = bEnd - bStart;
  return la === lb ? 0 : la < lb ? -1 : 1;
}
function normalizeEncoding(e) {
  if (e === undefined || e === null || e === '') return 'utf8';
  const l = _String(e).toLowerCase();
  switch (l) {
    case 'utf-8': return 'utf8';
    case 'binary': return 'latin1';
    case 'ucs2': case 'ucs-2': case 'utf-16le': return 'utf16le';
    default: return l;
  }
}
defineGlobal('Buffer', Buffer);
