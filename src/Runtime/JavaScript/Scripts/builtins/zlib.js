// ---------------------------------------------------------------- zlib: gzip, deflate, raw deflate and brotli on .NET's compression
// The host holds one codec per zlib object (Io/ZlibOperations.cs): a chunk goes in, the host says how many bytes came
// out, and they are copied straight into a Buffer of that length. Sync, callback and promisified forms are one write
// with the finish flush; the stream forms are Transforms (require('stream')) writing chunk by chunk.
const builtinZlib = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  const Z_NO_FLUSH = 0, Z_PARTIAL_FLUSH = 1, Z_SYNC_FLUSH = 2, Z_FULL_FLUSH = 3, Z_FINISH = 4;
  const constants = _freeze({
    Z_NO_FLUSH, Z_PARTIAL_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH, Z_BLOCK: 5,
    Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
    Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4865,
    DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
    Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
    Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
    BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
    BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
    BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
    BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22,
    BROTLI_PARAM_LGBLOCK: 3, BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24,
    BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4, BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6, BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8,
    BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3,
    BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0, BROTLI_DECODER_PARAM_LARGE_WINDOW: 1,
  });
  const codes = _freeze({ Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    '0': 'Z_OK', '1': 'Z_STREAM_END', '2': 'Z_NEED_DICT', '-1': 'Z_ERRNO', '-2': 'Z_STREAM_ERROR', '-3': 'Z_DATA_ERROR', '-4': 'Z_MEM_ERROR', '-5': 'Z_BUF_ERROR', '-6': 'Z_VERSION_ERROR' });

  const toBytes = (data, name) => {
    if (typeof data === 'string') return Buffer.from(data);
    if (data instanceof ArrayBuffer) return new _Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new _Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], data);
  };
  const hostError = (handle) => {
    const info = _JSON.parse(host.zlibError(handle));
    if (info.code === 'ERR_BUFFER_TOO_LARGE') return nodeError(RangeError, info.code, info.message);
    const e = new _Error(info.message);
    if (info.errno !== undefined) e.errno = info.errno;
    e.code = info.code;
    return e;
  };
  // One host write: returns the output as a Buffer, or throws the codec's error.
  const hostWrite = (handle, bytes, flush) => {
    const n = host.zlibWrite(handle, bytes, flush);
    if (n < 0) throw hostError(handle);
    const out = Buffer.allocUnsafe(n);
    if (n > 0) host.zlibTake(handle, out);
    return out;
  };
  const brotliParam = (opts, key, fallback) => (opts && opts.params && opts.params[key] !== undefined ? opts.params[key] : fallback);
  const open = (mode, opts) => {
    const o = opts || {};
    const brotli = mode.startsWith('Brotli');
    const level = brotli ? brotliParam(o, constants.BROTLI_PARAM_QUALITY, constants.BROTLI_DEFAULT_QUALITY) : (o.level === undefined ? -1 : o.level);
    if (!brotli && (typeof level !== 'number' || level < -1 || level > 9 || !Number.isInteger(level))) {
      throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "options.level" is out of range. It must be >= -1 and <= 9. Received ${level}`);
    }
    const window = brotli ? brotliParam(o, constants.BROTLI_PARAM_LGWIN, 0) : 0;
    const max = o.maxOutputLength === undefined ? 0 : o.maxOutputLength;
    return host.zlibOpen(mode, level, o.strategy || 0, window, max);
  };
  const processSync = (mode, data, opts) => {
    const bytes = toBytes(data, 'buffer');
    const handle = open(mode, opts);
    try {
      return hostWrite(handle, bytes, Z_FINISH);
    } finally {
      host.zlibClose(handle);
    }
  };
  const later = (fn) => (typeof setImmediate === 'function' ? setImmediate(fn) : setTimeout(fn, 0));
  const processAsync = (mode, data, opts, callback) => {
    if (typeof opts === 'function') { callback = opts; opts = {}; }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    const bytes = toBytes(data, 'buffer');
    later(() => {
      let out;
      try { out = processSync(mode, bytes, opts); } catch (e) { callback(e); return; }
      callback(null, out);
    });
  };

  const MODES = ['Deflate', 'Inflate', 'Gzip', 'Gunzip', 'DeflateRaw', 'InflateRaw', 'Unzip', 'BrotliCompress', 'BrotliDecompress'];
  const zlib = { constants, codes };
  for (const mode of MODES) {
    const lower = mode[0].toLowerCase() + mode.slice(1);
    zlib[`${lower}Sync`] = (data, opts) => processSync(mode, data, opts);
    zlib[lower] = (data, opts, callback) => processAsync(mode, data, opts, callback);
  }
  for (const [name, value] of _Object.entries(constants)) if (name.startsWith('Z_')) zlib[name] = value;

  // The stream classes extend stream.Transform, made on first use.
  let classes = null;
  const streamClasses = () => {
    if (classes) return classes;
    const stream = _Object.prototype.hasOwnProperty.call(builtinModules, 'stream') ? builtinModules.stream() : null;
    if (!stream || typeof stream.Transform !== 'function') {
      throw moduleError("zlib's stream forms (createGzip, ...) need require('stream'), which this Granary build lacks; use the sync, callback or promise forms", 'ERR_MODULE_NOT_AVAILABLE');
    }
    class ZlibBase extends stream.Transform {
      constructor(mode, opts) {
        super(opts);
        this._mode = mode;
        this._handle = open(mode, opts);
        this._finishFlushFlag = opts && opts.finishFlush !== undefined ? opts.finishFlush : Z_FINISH;
        this.bytesWritten = 0;
        this._closed = false;
      }
      get _closedHandle() { return this._closed; }
      _push(bytes, flush) {
        const out = hostWrite(this._handle, bytes, flush);
        if (out.length > 0) this.push(out);
      }
      _transform(chunk, encoding, callback) {
        let bytes;
        try {
          bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : toBytes(chunk, 'chunk');
          this.bytesWritten += bytes.length;
          this._push(bytes, Z_NO_FLUSH);
        } catch (e) {
          callback(e);
          return;
        }
        callback();
      }
      _flush(callback) {
        try {
          this._push(new _Uint8Array(0), Z_FINISH);
        } catch (e) {
          callback(e);
          return;
        }
        this._release();
        callback();
      }
      _destroy(err, callback) {
        this._release();
        callback(err);
      }
      _release() {
        if (this._closed) return;
        this._closed = true;
        host.zlibClose(this._handle);
      }
      // Pushes out what the codec holds (Z_SYNC_FLUSH by default, as Node's zlib.flush() does with Z_FULL_FLUSH).
      flush(kind, callback) {
        if (typeof kind === 'function') { callback = kind; kind = Z_FULL_FLUSH; }
        if (kind === undefined) kind = Z_FULL_FLUSH;
        try {
          if (!this._closed) this._push(new _Uint8Array(0), kind === Z_FINISH ? Z_FULL_FLUSH : kind);
        } catch (e) {
          this.destroy(e);
          return;
        }
        if (typeof callback === 'function') later(callback);
      }
      params(level, strategy, callback) { if (typeof callback === 'function') later(callback); }
      reset() {}
      close(callback) {
        if (typeof callback === 'function') this.once('close', callback);
        this.destroy();
      }
    }
    classes = {};
    for (const mode of MODES) {
      const Class = { [mode]: class extends ZlibBase {
        constructor(opts) { super(mode, opts); }
      } }[mode];
      classes[mode] = Class;
    }
    return classes;
  };
  for (const mode of MODES) {
    _defineProperty(zlib, mode, { enumerable: true, get: () => streamClasses()[mode] });
    zlib[`create${mode}`] = (opts) => new (streamClasses()[mode])(opts);
  }
  return _freeze(zlib);
});
