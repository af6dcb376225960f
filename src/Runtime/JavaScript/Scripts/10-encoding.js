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
    const v = B64_LOOKUP[clean.charCodeAt(i)];
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

// A Buffer that covers what functions commonly do with Node's: from/alloc/concat, toString with
// utf8/hex/base64/base64url/latin1, toJSON ({type:'Buffer', data}), equals, slice and the Uint8Array API.
class Buffer extends _Uint8Array {
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      const enc = normalizeEncoding(encodingOrOffset);
      let bytes;
      if (enc === 'hex') {
        const n = Math.floor(value.length / 2);
        bytes = new _Uint8Array(n);
        for (let i = 0; i < n; i++) { const b = parseInt(value.substr(i * 2, 2), 16); if (isNaN(b)) { bytes = bytes.subarray(0, i); break; } bytes[i] = b; }
      } else if (enc === 'base64' || enc === 'base64url') bytes = base64Decode(value);
      else if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') { bytes = new _Uint8Array(value.length); for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) & 0xff; }
      else bytes = utf8Encode(value);
      return Buffer._wrap(bytes);
    }
    if (value instanceof ArrayBuffer) return new Buffer(value, encodingOrOffset || 0, length === undefined ? value.byteLength - (encodingOrOffset || 0) : length);
    if (ArrayBuffer.isView(value)) { const b = new Buffer(value.byteLength); b.set(new _Uint8Array(value.buffer, value.byteOffset, value.byteLength)); return b; }
    if (_Array.isArray(value)) { const b = new Buffer(value.length); for (let i = 0; i < value.length; i++) b[i] = value[i] & 0xff; return b; }
    if (value && value.type === 'Buffer' && _Array.isArray(value.data)) return Buffer.from(value.data);
    throw new TypeError('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.');
  }
  static _wrap(u8) { return new Buffer(u8.buffer, u8.byteOffset, u8.byteLength); }
  static alloc(size, fill) { const b = new Buffer(size); if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill); return b; }
  static allocUnsafe(size) { return new Buffer(size); }
  static isBuffer(b) { return b instanceof Buffer; }
  static isEncoding(e) { return ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii'].includes(_String(e).toLowerCase()); }
  static byteLength(s, enc) { return typeof s === 'string' ? Buffer.from(s, enc).length : s.byteLength; }
  static concat(list, total) {
    if (total === undefined) total = list.reduce((n, b) => n + b.length, 0);
    const out = Buffer.alloc(total);
    let o = 0;
    for (const b of list) { if (o >= total) break; out.set(b.subarray(0, total - o), o); o += b.length; }
    return out;
  }
  static compare(a, b) { return a.compare(b); }
  toString(encoding, start = 0, end = this.length) {
    const bytes = this.subarray(start, end);
    const enc = normalizeEncoding(encoding);
    if (enc === 'hex') return _Array.from(bytes, x => x.toString(16).padStart(2, '0')).join('');
    if (enc === 'base64') return base64Encode(bytes);
    if (enc === 'base64url') return base64Encode(bytes, true);
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') { let s = ''; for (let i = 0; i < bytes.length; i++) s += _String.fromCharCode(bytes[i]); return s; }
    return utf8Decode(bytes, false);
  }
  toJSON() { return { type: 'Buffer', data: _Array.from(this) }; }
  equals(other) { return this.compare(other) === 0; }
  compare(other) {
    const n = Math.min(this.length, other.length);
    for (let i = 0; i < n; i++) if (this[i] !== other[i]) return this[i] < other[i] ? -1 : 1;
    return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
  }
  slice(start, end) { return this.subarray(start, end); }
  write(string, offset = 0, length, encoding) {
    const bytes = Buffer.from(string, encoding);
    const n = Math.min(bytes.length, this.length - offset, length === undefined ? Infinity : length);
    this.set(bytes.subarray(0, n), offset);
    return n;
  }
  copy(target, targetStart = 0, start = 0, end = this.length) {
    const src = this.subarray(start, end);
    const n = Math.min(src.length, target.length - targetStart);
    target.set(src.subarray(0, n), targetStart);
    return n;
  }
  readUInt8(o = 0) { return this[o]; }
  readUInt16BE(o = 0) { return (this[o] << 8) | this[o + 1]; }
  readUInt32BE(o = 0) { return ((this[o] << 24) >>> 0) + ((this[o + 1] << 16) | (this[o + 2] << 8) | this[o + 3]); }
  readInt32BE(o = 0) { return (this[o] << 24) | (this[o + 1] << 16) | (this[o + 2] << 8) | this[o + 3]; }
  writeUInt8(v, o = 0) { this[o] = v; return o + 1; }
}
function normalizeEncoding(e) {
  if (e === undefined || e === null) return 'utf8';
  const l = _String(e).toLowerCase();
  return l === 'utf-8' ? 'utf8' : l;
}
defineGlobal('Buffer', Buffer);
