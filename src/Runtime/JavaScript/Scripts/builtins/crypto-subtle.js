// ---------------------------------------------------------------- crypto: PBKDF2 and the part of Web Crypto's subtle that database drivers use
// pbkdf2/pbkdf2Sync and crypto.webcrypto.subtle's digest, HMAC (importKey raw, sign, verify) and PBKDF2 (importKey raw,
// deriveBits), computed by the host: enough for PostgreSQL's SCRAM-SHA-256 login in pg and for mysql2's auth plugins.
const builtinCryptoSubtle = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  const bytesOf = (data, name) => {
    if (typeof data === 'string') return Buffer.from(data);
    if (data instanceof ArrayBuffer) return new _Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new _Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data && typeof data.export === 'function' && data.type === 'secret') return data.export();
    throw invalidArgType(name, ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], data);
  };
  const bufferOf = (b64) => Buffer._wrap(base64Decode(b64));
  const digestName = (digest) => _String(digest).toLowerCase().replace(/^sha-/, 'sha');
  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    if (typeof digest !== 'string') throw invalidArgType('digest', 'string', digest);
    if (!Number.isInteger(iterations) || iterations < 1) throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "iterations" is out of range. It must be >= 1 && <= 2147483647. Received ${iterations}`);
    if (!Number.isInteger(keylen) || keylen < 0) throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "keylen" is out of range. It must be >= 0 && <= 2147483647. Received ${keylen}`);
    const name = digestName(digest);
    if (!['sha1', 'sha256', 'sha384', 'sha512'].includes(name)) throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${digest}`);
    return bufferOf(host.pbkdf2(name, base64Encode(bytesOf(password, 'password')), base64Encode(bytesOf(salt, 'salt')), iterations, keylen));
  }
  function pbkdf2(password, salt, iterations, keylen, digest, callback) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    let key;
    try { key = pbkdf2Sync(password, salt, iterations, keylen, digest); } catch (e) { nextTick(callback, e); return; }
    nextTick(callback, null, key);
  }

  // ---- Web Crypto: a CryptoKey holds its raw bytes; every result is an ArrayBuffer, as the standard says.
  const kBytes = _Symbol('keyBytes');
  class CryptoKey {
    constructor(bytes, algorithm, extractable, usages) {
      this[kBytes] = bytes;
      this.type = 'secret';
      this.algorithm = algorithm;
      this.extractable = extractable;
      this.usages = usages;
    }
    get [_Symbol.toStringTag]() { return 'CryptoKey'; }
  }
  const algorithmOf = (algorithm) => (typeof algorithm === 'string' ? { name: algorithm } : algorithm || {});
  const hashOf = (hash) => digestName(typeof hash === 'string' ? hash : hash && hash.name);
  const notSupported = (what) => _Promise.reject(new DOMException(`${what} is not supported by Granary's isolate runtime (it offers digest, HMAC and PBKDF2); deploy with "isolation": "process" for all of Web Crypto`, 'NotSupportedError'));
  const arrayBufferOf = (buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const subtle = {
    async digest(algorithm, data) {
      const name = hashOf(algorithmOf(algorithm).name);
      if (!['sha1', 'sha256', 'sha384', 'sha512'].includes(name)) return notSupported(`digest ${algorithmOf(algorithm).name}`);
      return arrayBufferOf(bufferOf(host.hash(name, base64Encode(bytesOf(data, 'data')))));
    },
    async importKey(format, keyData, algorithm, extractable, usages) {
      const a = algorithmOf(algorithm);
      const name = _String(a.name).toUpperCase();
      if (format !== 'raw' || (name !== 'HMAC' && name !== 'PBKDF2')) return notSupported(`importKey('${format}', ${a.name})`);
      const bytes = _Uint8Array.from(bytesOf(keyData, 'keyData'));
      const keyAlgorithm = name === 'HMAC' ? { name, hash: { name: _String(typeof a.hash === 'string' ? a.hash : a.hash && a.hash.name).toUpperCase() }, length: bytes.length * 8 } : { name };
      return new CryptoKey(bytes, keyAlgorithm, !!extractable, [...(usages || [])]);
    },
    async exportKey(format, key) {
      if (format !== 'raw' || !key.extractable) return notSupported(`exportKey('${format}')`);
      return arrayBufferOf(Buffer.from(key[kBytes]));
    },
    async sign(algorithm, key, data) {
      if (_String(algorithmOf(algorithm).name).toUpperCase() !== 'HMAC' || !(key instanceof CryptoKey) || key.algorithm.name !== 'HMAC') return notSupported(`sign with ${algorithmOf(algorithm).name}`);
      return arrayBufferOf(bufferOf(host.hmac(hashOf(key.algorithm.hash), base64Encode(key[kBytes]), base64Encode(bytesOf(data, 'data')))));
    },
    async verify(algorithm, key, signature, data) {
      const expected = new _Uint8Array(await subtle.sign(algorithm, key, data));
      const given = bytesOf(signature, 'signature');
      if (expected.length !== given.length) return false;
      let diff = 0;
      for (let i = 0; i < given.length; i++) diff |= expected[i] ^ given[i];
      return diff === 0;
    },
    async deriveBits(algorithm, key, length) {
      const a = algorithmOf(algorithm);
      if (_String(a.name).toUpperCase() !== 'PBKDF2' || !(key instanceof CryptoKey) || key.algorithm.name !== 'PBKDF2') return notSupported(`deriveBits with ${a.name}`);
      return arrayBufferOf(pbkdf2Sync(key[kBytes], bytesOf(a.salt, 'salt'), a.iterations, length / 8, hashOf(a.hash)));
    },
  };
  for (const name of ['encrypt', 'decrypt', 'deriveKey', 'generateKey', 'wrapKey', 'unwrapKey']) subtle[name] = async () => notSupported(name);
  return { pbkdf2, pbkdf2Sync, subtle: _freeze(subtle), CryptoKey };
});
