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
  // Secret keys, for HMAC (jsonwebtoken's HS256 makes one of every secret). Asymmetric keys and signatures are not
  // computed in the isolate: asking for one says so and where to get it.
  class KeyObject {
    #type;
    #key;
    constructor(type, key) {
      if (type !== 'secret') throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'type' is invalid. Received '${type}'`);
      this.#type = type;
      this.#key = key;
    }
    get type() { return this.#type; }
    get symmetricKeySize() { return this.#key.length; }
    get asymmetricKeyType() { return undefined; }
    get asymmetricKeyDetails() { return undefined; }
    export(options) {
      if (options && options.format === 'jwk') return { kty: 'oct', k: base64Encode(this.#key, true) };
      return Buffer.from(this.#key);
    }
    equals(other) {
      if (!(other instanceof KeyObject)) throw invalidArgType('otherKeyObject', 'KeyObject', other);
      const theirs = other.export();
      return theirs.length === this.#key.length && timingSafeEqual(theirs, this.#key);
    }
  }
  function createSecretKey(key, encoding) {
    if (typeof key === 'string') key = Buffer.from(key, encoding);
    else if (key instanceof ArrayBuffer) key = new _Uint8Array(key);
    else if (!ArrayBuffer.isView(key)) throw invalidArgType('key', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'string'], key);
    return new KeyObject('secret', _Uint8Array.from(new _Uint8Array(key.buffer, key.byteOffset, key.byteLength)));
  }
  const asymmetricUnavailable = (name) => () => {
    throw nodeError(_Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `crypto.${name}: Granary's isolate runtime has no RSA, EC or Ed25519 keys. ` +
      'Sign with an HMAC secret (HS256), or deploy the function with "isolation": "process" to have all of Node\'s crypto.');
  };
  const webcrypto = globalThis.crypto;
  const crypto = {
    KeyObject,
    createSecretKey,
    createPrivateKey: asymmetricUnavailable('createPrivateKey'),
    createPublicKey: asymmetricUnavailable('createPublicKey'),
    createSign: asymmetricUnavailable('createSign'),
    createVerify: asymmetricUnavailable('createVerify'),
    sign: asymmetricUnavailable('sign'),
    verify: asymmetricUnavailable('verify'),
    generateKeyPair: asymmetricUnavailable('generateKeyPair'),
    generateKeyPairSync: asymmetricUnavailable('generateKeyPairSync'),
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
  const { pbkdf2, pbkdf2Sync, subtle } = builtinCryptoSubtle();
  crypto.pbkdf2 = pbkdf2;
  crypto.pbkdf2Sync = pbkdf2Sync;
  crypto.subtle = webcrypto && webcrypto.subtle ? webcrypto.subtle : subtle;
  crypto.webcrypto = _freeze({
    getRandomValues: (array) => getRandomValues(array),
    randomUUID: () => randomUUID(),
    subtle: crypto.subtle,
  });
  return _freeze(crypto);
});
