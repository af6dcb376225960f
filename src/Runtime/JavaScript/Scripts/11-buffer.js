// Granary isolate bootstrap, part 2b: Buffer's reading, writing, filling and searching methods, as Node's (database
// drivers build and parse their wire protocols with them). Offsets are checked as Node checks them.

function bufferView(buf) {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
function bufferRangeError(name, range, value) {
  const e = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${_String(value)}`);
  e.code = 'ERR_OUT_OF_RANGE';
  return e;
}
function checkOffset(buf, offset, size) {
  if (offset === undefined) offset = 0;
  if (typeof offset !== 'number') {
    const e = new TypeError(`The "offset" argument must be of type number. Received type ${typeof offset}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) {
    if (buf.length - size < 0) {
      const e = new RangeError('Attempt to access memory outside buffer bounds');
      e.code = 'ERR_BUFFER_OUT_OF_BOUNDS';
      throw e;
    }
    throw bufferRangeError('offset', Number.isInteger(offset) ? `>= 0 and <= ${buf.length - size}` : 'an integer', offset);
  }
  return offset;
}
function checkInt(value, min, max) {
  if (typeof value !== 'bigint' && typeof value !== 'number') value = Number(value);
  if (value > max || value < min) {
    const range = typeof min === 'bigint' ? `>= ${min}n and <= ${max}n` : `>= ${min} and <= ${max}`;
    throw bufferRangeError('value', range, typeof value === 'bigint' ? `${value}n` : value);
  }
  return value;
}

// [U]Int8/16/32, BigInt64, Float and Double, both byte orders, through a DataView over the buffer's own bytes.
const bufferNumberTypes = [
  ['Int8', 1, 'getInt8', 'setInt8', -0x80, 0x7f],
  ['UInt8', 1, 'getUint8', 'setUint8', 0, 0xff],
  ['Int16', 2, 'getInt16', 'setInt16', -0x8000, 0x7fff],
  ['UInt16', 2, 'getUint16', 'setUint16', 0, 0xffff],
  ['Int32', 4, 'getInt32', 'setInt32', -0x80000000, 0x7fffffff],
  ['UInt32', 4, 'getUint32', 'setUint32', 0, 0xffffffff],
  ['BigInt64', 8, 'getBigInt64', 'setBigInt64', -(2n ** 63n), 2n ** 63n - 1n],
  ['BigUInt64', 8, 'getBigUint64', 'setBigUint64', 0n, 2n ** 64n - 1n],
  ['Float', 4, 'getFloat32', 'setFloat32'],
  ['Double', 8, 'getFloat64', 'setFloat64'],
];
for (const [type, size, get, set, min, max] of bufferNumberTypes) {
  for (const [suffix, little] of size === 1 ? [['', false]] : [['LE', true], ['BE', false]]) {
    const read = function (offset) {
      offset = checkOffset(this, offset, size);
      return bufferView(this)[get](offset, little);
    };
    const write = function (value, offset) {
      offset = checkOffset(this, offset, size);
      if (min !== undefined) {
        // As Node's, which fails on mixing them when it splits the value.
        if (typeof min === 'bigint' && typeof value !== 'bigint') throw new TypeError('Cannot mix BigInt and other types, use explicit conversions');
        value = checkInt(value, min, max);
      }
      bufferView(this)[set](offset, typeof min === 'bigint' ? value : +value, little);
      return offset + size;
    };
    const names = [type + suffix];
    // Node spells the unsigned ones both UInt and Uint.
    if (type.includes('UInt')) names.push(type.replace('UInt', 'Uint') + suffix);
    for (const name of names) {
      _defineProperty(Buffer.prototype, `read${name}`, { value: read, writable: true, configurable: true });
      _defineProperty(Buffer.prototype, `write${name}`, { value: write, writable: true, configurable: true });
    }
  }
}

// Variable-length integers (1 to 6 bytes).
function checkByteLength(byteLength) {
  if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > 6) throw bufferRangeError('byteLength', '>= 1 and <= 6', byteLength);
}
const bufferVariable = {
  readUIntLE(offset, byteLength) {
    checkByteLength(byteLength);
    offset = checkOffset(this, offset, byteLength);
    let value = 0;
    for (let i = byteLength - 1; i >= 0; i--) value = value * 256 + this[offset + i];
    return value;
  },
  readUIntBE(offset, byteLength) {
    checkByteLength(byteLength);
    offset = checkOffset(this, offset, byteLength);
    let value = 0;
    for (let i = 0; i < byteLength; i++) value = value * 256 + this[offset + i];
    return value;
  },
  readIntLE(offset, byteLength) {
    const value = this.readUIntLE(offset, byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    return value >= limit ? value - limit * 2 : value;
  },
  readIntBE(offset, byteLength) {
    const value = this.readUIntBE(offset, byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    return value >= limit ? value - limit * 2 : value;
  },
  writeUIntLE(value, offset, byteLength) {
    checkByteLength(byteLength);
    offset = checkOffset(this, offset, byteLength);
    value = checkInt(value, 0, 2 ** (8 * byteLength) - 1);
    for (let i = 0; i < byteLength; i++) { this[offset + i] = value % 256; value = Math.floor(value / 256); }
    return offset + byteLength;
  },
  writeUIntBE(value, offset, byteLength) {
    checkByteLength(byteLength);
    offset = checkOffset(this, offset, byteLength);
    value = checkInt(value, 0, 2 ** (8 * byteLength) - 1);
    for (let i = byteLength - 1; i >= 0; i--) { this[offset + i] = value % 256; value = Math.floor(value / 256); }
    return offset + byteLength;
  },
  writeIntLE(value, offset, byteLength) {
    checkByteLength(byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    value = checkInt(value, -limit, limit - 1);
    return this.writeUIntLE(value < 0 ? value + limit * 2 : value, offset, byteLength);
  },
  writeIntBE(value, offset, byteLength) {
    checkByteLength(byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    value = checkInt(value, -limit, limit - 1);
    return this.writeUIntBE(value < 0 ? value + limit * 2 : value, offset, byteLength);
  },
};
bufferVariable.readUintLE = bufferVariable.readUIntLE;
bufferVariable.readUintBE = bufferVariable.readUIntBE;
bufferVariable.writeUintLE = bufferVariable.writeUIntLE;
bufferVariable.writeUintBE = bufferVariable.writeUIntBE;

// What a fill or a search value means as bytes: a string in an encoding, bytes, or one byte.
function bufferPattern(value, encoding) {
  if (typeof value === 'string') return encodeString(value, encoding);
  if (value instanceof _Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new _Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}
function bufferIndexOf(buf, value, byteOffset, encoding, last) {
  if (typeof byteOffset === 'string') { encoding = byteOffset; byteOffset = undefined; }
  let from = byteOffset === undefined || byteOffset === null || Number.isNaN(+byteOffset) ? (last ? buf.length : 0) : Math.trunc(+byteOffset);
  if (from < 0) from += buf.length;
  if (typeof value === 'number') {
    const byte = value & 0xff;
    if (last) { for (let i = Math.min(from, buf.length - 1); i >= 0; i--) if (buf[i] === byte) return i; return -1; }
    for (let i = Math.max(from, 0); i < buf.length; i++) if (buf[i] === byte) return i;
    return -1;
  }
  const pattern = bufferPattern(value, encoding);
  if (pattern === null) {
    const e = new TypeError('The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array.');
    e.code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  if (pattern.length === 0) return last ? Math.min(Math.max(from, 0), buf.length) : Math.min(Math.max(from, 0), buf.length);
  const matches = (i) => { for (let j = 0; j < pattern.length; j++) if (buf[i + j] !== pattern[j]) return false; return true; };
  if (last) { for (let i = Math.min(from, buf.length - pattern.length); i >= 0; i--) if (matches(i)) return i; return -1; }
  for (let i = Math.max(from, 0); i <= buf.length - pattern.length; i++) if (matches(i)) return i;
  return -1;
}

const bufferMethods = {
  ...bufferVariable,
  indexOf(value, byteOffset, encoding) { return bufferIndexOf(this, value, byteOffset, encoding, false); },
  lastIndexOf(value, byteOffset, encoding) { return bufferIndexOf(this, value, byteOffset, encoding, true); },
  includes(value, byteOffset, encoding) { return bufferIndexOf(this, value, byteOffset, encoding, false) !== -1; },
  fill(value, offset, end, encoding) {
    // fill(value[, offset[, end]][, encoding])
    if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
    else if (typeof end === 'string') { encoding = end; end = this.length; }
    offset = offset === undefined ? 0 : offset >>> 0;
    end = end === undefined ? this.length : Math.min(end >>> 0, this.length);
    if (offset >= end) return this;
    if (typeof value === 'number' || typeof value === 'boolean') {
      _Uint8Array.prototype.fill.call(this, +value & 0xff, offset, end);
      return this;
    }
    const pattern = bufferPattern(value, encoding);
    if (pattern === null) {
      _Uint8Array.prototype.fill.call(this, 0, offset, end);
      return this;
    }
    if (pattern.length === 0) {
      if (typeof value === 'string' && value.length > 0) throw bufferRangeError('value', 'a valid string in its encoding', value);
      _Uint8Array.prototype.fill.call(this, 0, offset, end);
      return this;
    }
    for (let i = offset, j = 0; i < end; i++, j = (j + 1) % pattern.length) this[i] = pattern[j];
    return this;
  },
  swap16() { return bufferSwap(this, 2); },
  swap32() { return bufferSwap(this, 4); },
  swap64() { return bufferSwap(this, 8); },
};
function bufferSwap(buf, size) {
  if (buf.length % size !== 0) {
    const e = new RangeError(`Buffer size must be a multiple of ${size * 8}-bits`);
    e.code = 'ERR_INVALID_BUFFER_SIZE';
    throw e;
  }
  for (let i = 0; i < buf.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
  }
  return buf;
}
// The encoding-named slice and write methods Node's Buffer has (some parsers call them directly).
for (const [name, encoding] of [['utf8', 'utf8'], ['latin1', 'latin1'], ['ascii', 'ascii'], ['hex', 'hex'], ['base64', 'base64'],
  ['base64url', 'base64url'], ['ucs2', 'utf16le']]) {
  bufferMethods[`${name}Slice`] = function (start, end) { return this.toString(encoding, start, end); };
  bufferMethods[`${name}Write`] = function (string, offset, length) { return this.write(string, offset, length, encoding); };
}
for (const name of _keys(bufferMethods)) {
  _defineProperty(Buffer.prototype, name, { value: bufferMethods[name], writable: true, configurable: true });
}
Buffer.poolSize = 8192;
// Node's Buffer statics and prototype methods are enumerable: safer-buffer (mysql2, iconv-lite) copies the statics
// with for-in, and mysql2 sizes its packets with a mock whose methods it finds with for-in over Buffer.prototype.
for (const target of [Buffer, Buffer.prototype]) {
  for (const name of _Object.getOwnPropertyNames(target)) {
    if (name === 'length' || name === 'name' || name === 'prototype' || name === 'constructor' || name.startsWith('_')) continue;
    const descriptor = _Object.getOwnPropertyDescriptor(target, name);
    if (!descriptor.enumerable && descriptor.configurable) _defineProperty(target, name, _Object.assign(descriptor, { enumerable: true }));
  }
}
