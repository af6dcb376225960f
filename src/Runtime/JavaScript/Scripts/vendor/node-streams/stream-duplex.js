// ---------------------------------------------------------------- stream: duplex, duplexify, transform, passthrough, from, duplexpair: Node 20.20's lib/ (MIT, Scripts/NOTICE.md;
// its comments left out: read them there). Not part of the bootstrap: the host compiles this file (OnDemandScripts) on the
// first require of a module in it, and each define(name, factory) gives builtins/stream.js one module.
define('internal/streams/duplex', (function (module, exports, require, primordials, process) {
  const {
    ObjectDefineProperties,
    ObjectGetOwnPropertyDescriptor,
    ObjectKeys,
    ObjectSetPrototypeOf,
  } = primordials;
  module.exports = Duplex;
  const Stream = require('internal/streams/legacy').Stream;
  const Readable = require('internal/streams/readable');
  const Writable = require('internal/streams/writable');
  const {
    addAbortSignal,
  } = require('internal/streams/add-abort-signal');
  const destroyImpl = require('internal/streams/destroy');
  const { kOnConstructed } = require('internal/streams/utils');
  ObjectSetPrototypeOf(Duplex.prototype, Readable.prototype);
  ObjectSetPrototypeOf(Duplex, Readable);
  {
    const keys = ObjectKeys(Writable.prototype);
    for (let i = 0; i < keys.length; i++) {
      const method = keys[i];
      if (!Duplex.prototype[method])
        Duplex.prototype[method] = Writable.prototype[method];
    }
  }
  Duplex.prototype.destroy = Writable.prototype.destroy;
  function Duplex(options) {
    if (!(this instanceof Duplex))
      return new Duplex(options);
    this._events ??= {
      close: undefined,
      error: undefined,
      prefinish: undefined,
      finish: undefined,
      drain: undefined,
      data: undefined,
      end: undefined,
      readable: undefined,
    };
    this._readableState = new Readable.ReadableState(options, this, true);
    this._writableState = new Writable.WritableState(options, this, true);
    if (options) {
      this.allowHalfOpen = options.allowHalfOpen !== false;
      if (options.readable === false) {
        this._readableState.readable = false;
        this._readableState.ended = true;
        this._readableState.endEmitted = true;
      }
      if (options.writable === false) {
        this._writableState.writable = false;
        this._writableState.ending = true;
        this._writableState.ended = true;
        this._writableState.finished = true;
      }
      if (typeof options.read === 'function')
        this._read = options.read;
      if (typeof options.write === 'function')
        this._write = options.write;
      if (typeof options.writev === 'function')
        this._writev = options.writev;
      if (typeof options.destroy === 'function')
        this._destroy = options.destroy;
      if (typeof options.final === 'function')
        this._final = options.final;
      if (typeof options.construct === 'function')
        this._construct = options.construct;
      if (options.signal)
        addAbortSignal(options.signal, this);
    } else {
      this.allowHalfOpen = true;
    }
    Stream.call(this, options);
    if (this._construct != null) {
      destroyImpl.construct(this, () => {
        this._readableState[kOnConstructed](this);
        this._writableState[kOnConstructed](this);
      });
    }
  }
  ObjectDefineProperties(Duplex.prototype, {
    writable:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writable') },
    writableHighWaterMark:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableHighWaterMark') },
    writableObjectMode:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableObjectMode') },
    writableBuffer:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableBuffer') },
    writableLength:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableLength') },
    writableFinished:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableFinished') },
    writableCorked:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableCorked') },
    writableEnded:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableEnded') },
    writableNeedDrain:
      { __proto__: null, ...ObjectGetOwnPropertyDescriptor(Writable.prototype, 'writableNeedDrain') },
    destroyed: {
      __proto__: null,
      get() {
        if (this._readableState === undefined ||
          this._writableState === undefined) {
          return false;
        }
        return this._readableState.destroyed && this._writableState.destroyed;
      },
      set(value) {
        if (this._readableState && this._writableState) {
          this._readableState.destroyed = value;
          this._writableState.destroyed = value;
        }
      },
    },
  });
  let webStreamsAdapters;
  function lazyWebStreams() {
    if (webStreamsAdapters === undefined)
      webStreamsAdapters = require('internal/webstreams/adapters');
    return webStreamsAdapters;
  }
  Duplex.fromWeb = function(pair, options) {
    return lazyWebStreams().newStreamDuplexFromReadableWritablePair(
      pair,
      options);
  };
  Duplex.toWeb = function(duplex) {
    return lazyWebStreams().newReadableWritablePairFromDuplex(duplex);
  };
  let duplexify;
  Duplex.from = function(body) {
    if (!duplexify) {
      duplexify = require('internal/streams/duplexify');
    }
    return duplexify(body, 'body');
  };
}));
define('internal/streams/duplexify', (function (module, exports, require, primordials, process) {
  const {
    isReadable,
    isWritable,
    isIterable,
    isNodeStream,
    isReadableNodeStream,
    isWritableNodeStream,
    isDuplexNodeStream,
    isReadableStream,
    isWritableStream,
  } = require('internal/streams/utils');
  const eos = require('internal/streams/end-of-stream');
  const {
    AbortError,
    codes: {
      ERR_INVALID_ARG_TYPE,
      ERR_INVALID_RETURN_VALUE,
    },
  } = require('internal/errors');
  const { destroyer } = require('internal/streams/destroy');
  const Duplex = require('internal/streams/duplex');
  const Readable = require('internal/streams/readable');
  const Writable = require('internal/streams/writable');
  const { createDeferredPromise } = require('internal/util');
  const from = require('internal/streams/from');
  const {
    isBlob,
  } = require('internal/blob');
  const { AbortController } = require('internal/abort_controller');
  const {
    FunctionPrototypeCall,
  } = primordials;
  class Duplexify extends Duplex {
    constructor(options) {
      super(options);
      if (options?.readable === false) {
        this._readableState.readable = false;
        this._readableState.ended = true;
        this._readableState.endEmitted = true;
      }
      if (options?.writable === false) {
        this._writableState.writable = false;
        this._writableState.ending = true;
        this._writableState.ended = true;
        this._writableState.finished = true;
      }
    }
  }
  module.exports = function duplexify(body, name) {
    if (isDuplexNodeStream(body)) {
      return body;
    }
    if (isReadableNodeStream(body)) {
      return _duplexify({ readable: body });
    }
    if (isWritableNodeStream(body)) {
      return _duplexify({ writable: body });
    }
    if (isNodeStream(body)) {
      return _duplexify({ writable: false, readable: false });
    }
    if (isReadableStream(body)) {
      return _duplexify({ readable: Readable.fromWeb(body) });
    }
    if (isWritableStream(body)) {
      return _duplexify({ writable: Writable.fromWeb(body) });
    }
    if (typeof body === 'function') {
      const { value, write, final, destroy } = fromAsyncGen(body);
      if (isDuplexNodeStream(value)) {
        return value;
      }
      if (isIterable(value)) {
        return from(Duplexify, value, {
          objectMode: true,
          write,
          final,
          destroy,
        });
      }
      const then = value?.then;
      if (typeof then === 'function') {
        let d;
        const promise = FunctionPrototypeCall(
          then,
          value,
          (val) => {
            if (val != null) {
              throw new ERR_INVALID_RETURN_VALUE('nully', 'body', val);
            }
          },
          (err) => {
            destroyer(d, err);
          },
        );
        return d = new Duplexify({
          objectMode: true,
          readable: false,
          write,
          final(cb) {
            final(async () => {
              try {
                await promise;
                process.nextTick(cb, null);
              } catch (err) {
                process.nextTick(cb, err);
              }
            });
          },
          destroy,
        });
      }
      throw new ERR_INVALID_RETURN_VALUE(
        'Iterable, AsyncIterable or AsyncFunction', name, value);
    }
    if (isBlob(body)) {
      return duplexify(body.arrayBuffer());
    }
    if (isIterable(body)) {
      return from(Duplexify, body, {
        objectMode: true,
        writable: false,
      });
    }
    if (
      isReadableStream(body?.readable) &&
      isWritableStream(body?.writable)
    ) {
      return Duplexify.fromWeb(body);
    }
    if (
      typeof body?.writable === 'object' ||
      typeof body?.readable === 'object'
    ) {
      const readable = body?.readable ?
        isReadableNodeStream(body?.readable) ? body?.readable :
          duplexify(body.readable) :
        undefined;
      const writable = body?.writable ?
        isWritableNodeStream(body?.writable) ? body?.writable :
          duplexify(body.writable) :
        undefined;
      return _duplexify({ readable, writable });
    }
    const then = body?.then;
    if (typeof then === 'function') {
      let d;
      FunctionPrototypeCall(
        then,
        body,
        (val) => {
          if (val != null) {
            d.push(val);
          }
          d.push(null);
        },
        (err) => {
          destroyer(d, err);
        },
      );
      return d = new Duplexify({
        objectMode: true,
        writable: false,
        read() {},
      });
    }
    throw new ERR_INVALID_ARG_TYPE(
      name,
      ['Blob', 'ReadableStream', 'WritableStream', 'Stream', 'Iterable',
       'AsyncIterable', 'Function', '{ readable, writable } pair', 'Promise'],
      body);
  };
  function fromAsyncGen(fn) {
    let { promise, resolve } = createDeferredPromise();
    const ac = new AbortController();
    const signal = ac.signal;
    const value = fn(async function*() {
      while (true) {
        const _promise = promise;
        promise = null;
        const { chunk, done, cb } = await _promise;
        process.nextTick(cb);
        if (done) return;
        if (signal.aborted)
          throw new AbortError(undefined, { cause: signal.reason });
        ({ promise, resolve } = createDeferredPromise());
        yield chunk;
      }
    }(), { signal });
    return {
      value,
      write(chunk, encoding, cb) {
        const _resolve = resolve;
        resolve = null;
        _resolve({ chunk, done: false, cb });
      },
      final(cb) {
        const _resolve = resolve;
        resolve = null;
        _resolve({ done: true, cb });
      },
      destroy(err, cb) {
        ac.abort();
        cb(err);
      },
    };
  }
  function _duplexify(pair) {
    const r = pair.readable && typeof pair.readable.read !== 'function' ?
      Readable.wrap(pair.readable) : pair.readable;
    const w = pair.writable;
    let readable = !!isReadable(r);
    let writable = !!isWritable(w);
    let ondrain;
    let onfinish;
    let onreadable;
    let onclose;
    let d;
    function onfinished(err) {
      const cb = onclose;
      onclose = null;
      if (cb) {
        cb(err);
      } else if (err) {
        d.destroy(err);
      }
    }
    d = new Duplexify({
      readableObjectMode: !!r?.readableObjectMode,
      writableObjectMode: !!w?.writableObjectMode,
      readable,
      writable,
    });
    if (writable) {
      eos(w, (err) => {
        writable = false;
        if (err) {
          destroyer(r, err);
        }
        onfinished(err);
      });
      d._write = function(chunk, encoding, callback) {
        if (w.write(chunk, encoding)) {
          callback();
        } else {
          ondrain = callback;
        }
      };
      d._final = function(callback) {
        w.end();
        onfinish = callback;
      };
      w.on('drain', function() {
        if (ondrain) {
          const cb = ondrain;
          ondrain = null;
          cb();
        }
      });
      w.on('finish', function() {
        if (onfinish) {
          const cb = onfinish;
          onfinish = null;
          cb();
        }
      });
    }
    if (readable) {
      eos(r, (err) => {
        readable = false;
        if (err) {
          destroyer(r, err);
        }
        onfinished(err);
      });
      r.on('readable', function() {
        if (onreadable) {
          const cb = onreadable;
          onreadable = null;
          cb();
        }
      });
      r.on('end', function() {
        d.push(null);
      });
      d._read = function() {
        while (true) {
          const buf = r.read();
          if (buf === null) {
            onreadable = d._read;
            return;
          }
          if (!d.push(buf)) {
            return;
          }
        }
      };
    }
    d._destroy = function(err, callback) {
      if (!err && onclose !== null) {
        err = new AbortError();
      }
      onreadable = null;
      ondrain = null;
      onfinish = null;
      if (onclose === null) {
        callback(err);
      } else {
        onclose = callback;
        destroyer(w, err);
        destroyer(r, err);
      }
    };
    return d;
  }
}));
define('internal/streams/transform', (function (module, exports, require, primordials, process) {
  const {
    ObjectSetPrototypeOf,
    Symbol,
  } = primordials;
  module.exports = Transform;
  const {
    ERR_METHOD_NOT_IMPLEMENTED,
  } = require('internal/errors').codes;
  const Duplex = require('internal/streams/duplex');
  const { getHighWaterMark } = require('internal/streams/state');
  ObjectSetPrototypeOf(Transform.prototype, Duplex.prototype);
  ObjectSetPrototypeOf(Transform, Duplex);
  const kCallback = Symbol('kCallback');
  function Transform(options) {
    if (!(this instanceof Transform))
      return new Transform(options);
    const readableHighWaterMark = options ? getHighWaterMark(this, options, 'readableHighWaterMark', true) : null;
    if (readableHighWaterMark === 0) {
      options = {
        ...options,
        highWaterMark: null,
        readableHighWaterMark,
        writableHighWaterMark: options.writableHighWaterMark || 0,
      };
    }
    Duplex.call(this, options);
    this._readableState.sync = false;
    this[kCallback] = null;
    if (options) {
      if (typeof options.transform === 'function')
        this._transform = options.transform;
      if (typeof options.flush === 'function')
        this._flush = options.flush;
    }
    this.on('prefinish', prefinish);
  }
  function final(cb) {
    if (typeof this._flush === 'function' && !this.destroyed) {
      this._flush((er, data) => {
        if (er) {
          if (cb) {
            cb(er);
          } else {
            this.destroy(er);
          }
          return;
        }
        if (data != null) {
          this.push(data);
        }
        this.push(null);
        if (cb) {
          cb();
        }
      });
    } else {
      this.push(null);
      if (cb) {
        cb();
      }
    }
  }
  function prefinish() {
    if (this._final !== final) {
      final.call(this);
    }
  }
  Transform.prototype._final = final;
  Transform.prototype._transform = function(chunk, encoding, callback) {
    throw new ERR_METHOD_NOT_IMPLEMENTED('_transform()');
  };
  Transform.prototype._write = function(chunk, encoding, callback) {
    const rState = this._readableState;
    const wState = this._writableState;
    const length = rState.length;
    this._transform(chunk, encoding, (err, val) => {
      if (err) {
        callback(err);
        return;
      }
      if (val != null) {
        this.push(val);
      }
      if (rState.ended) {
        process.nextTick(callback);
      } else if (
        wState.ended ||
        length === rState.length ||
        rState.length < rState.highWaterMark
      ) {
        callback();
      } else {
        this[kCallback] = callback;
      }
    });
  };
  Transform.prototype._read = function() {
    if (this[kCallback]) {
      const callback = this[kCallback];
      this[kCallback] = null;
      callback();
    }
  };
}));
define('internal/streams/passthrough', (function (module, exports, require, primordials, process) {
  const {
    ObjectSetPrototypeOf,
  } = primordials;
  module.exports = PassThrough;
  const Transform = require('internal/streams/transform');
  ObjectSetPrototypeOf(PassThrough.prototype, Transform.prototype);
  ObjectSetPrototypeOf(PassThrough, Transform);
  function PassThrough(options) {
    if (!(this instanceof PassThrough))
      return new PassThrough(options);
    Transform.call(this, options);
  }
  PassThrough.prototype._transform = function(chunk, encoding, cb) {
    cb(null, chunk);
  };
}));
define('internal/streams/from', (function (module, exports, require, primordials, process) {
  const {
    PromisePrototypeThen,
    SymbolAsyncIterator,
    SymbolIterator,
  } = primordials;
  const { Buffer } = require('buffer');
  const {
    ERR_INVALID_ARG_TYPE,
    ERR_STREAM_NULL_VALUES,
  } = require('internal/errors').codes;
  function from(Readable, iterable, opts) {
    let iterator;
    if (typeof iterable === 'string' || iterable instanceof Buffer) {
      return new Readable({
        objectMode: true,
        ...opts,
        read() {
          this.push(iterable);
          this.push(null);
        },
      });
    }
    let isAsync;
    if (iterable && iterable[SymbolAsyncIterator]) {
      isAsync = true;
      iterator = iterable[SymbolAsyncIterator]();
    } else if (iterable && iterable[SymbolIterator]) {
      isAsync = false;
      iterator = iterable[SymbolIterator]();
    } else {
      throw new ERR_INVALID_ARG_TYPE('iterable', ['Iterable'], iterable);
    }
    const readable = new Readable({
      objectMode: true,
      highWaterMark: 1,
      ...opts,
    });
    let reading = false;
    let isAsyncValues = false;
    readable._read = function() {
      if (!reading) {
        reading = true;
        if (isAsync) {
          nextAsync();
        } else if (isAsyncValues) {
          nextSyncWithAsyncValues();
        } else {
          nextSyncWithSyncValues();
        }
      }
    };
    readable._destroy = function(error, cb) {
      PromisePrototypeThen(
        close(error),
        () => process.nextTick(cb, error),
        (e) => process.nextTick(cb, e || error),
      );
    };
    async function close(error) {
      const hadError = (error !== undefined) && (error !== null);
      const hasThrow = typeof iterator.throw === 'function';
      if (hadError && hasThrow) {
        const { value, done } = await iterator.throw(error);
        await value;
        if (done) {
          return;
        }
      }
      if (typeof iterator.return === 'function') {
        const { value } = await iterator.return();
        await value;
      }
    }
    function nextSyncWithSyncValues() {
      for (;;) {
        try {
          const { value, done } = iterator.next();
          if (done) {
            readable.push(null);
            return;
          }
          if (value &&
            typeof value.then === 'function') {
            return changeToAsyncValues(value);
          }
          if (value === null) {
            reading = false;
            throw new ERR_STREAM_NULL_VALUES();
          }
          if (readable.push(value)) {
            continue;
          }
          reading = false;
        } catch (err) {
          readable.destroy(err);
        }
        break;
      }
    }
    async function changeToAsyncValues(value) {
      isAsyncValues = true;
      try {
        const res = await value;
        if (res === null) {
          reading = false;
          throw new ERR_STREAM_NULL_VALUES();
        }
        if (readable.push(res)) {
          nextSyncWithAsyncValues();
          return;
        }
        reading = false;
      } catch (err) {
        readable.destroy(err);
      }
    }
    async function nextSyncWithAsyncValues() {
      for (;;) {
        try {
          const { value, done } = iterator.next();
          if (done) {
            readable.push(null);
            return;
          }
          const res = (value &&
            typeof value.then === 'function') ?
            await value :
            value;
          if (res === null) {
            reading = false;
            throw new ERR_STREAM_NULL_VALUES();
          }
          if (readable.push(res)) {
            continue;
          }
          reading = false;
        } catch (err) {
          readable.destroy(err);
        }
        break;
      }
    }
    async function nextAsync() {
      for (;;) {
        try {
          const { value, done } = await iterator.next();
          if (done) {
            readable.push(null);
            return;
          }
          if (value === null) {
            reading = false;
            throw new ERR_STREAM_NULL_VALUES();
          }
          if (readable.push(value)) {
            continue;
          }
          reading = false;
        } catch (err) {
          readable.destroy(err);
        }
        break;
      }
    }
    return readable;
  }
  module.exports = from;
}));
define('internal/streams/duplexpair', (function (module, exports, require, primordials, process) {
  const {
    Symbol,
  } = primordials;
  const { Duplex } = require('stream');
  const assert = require('internal/assert');
  const kCallback = Symbol('Callback');
  const kInitOtherSide = Symbol('InitOtherSide');
  class DuplexSide extends Duplex {
    #otherSide = null;
    constructor(options) {
      super(options);
      this[kCallback] = null;
      this.#otherSide = null;
    }
    [kInitOtherSide](otherSide) {
      if (this.#otherSide === null) {
        this.#otherSide = otherSide;
      } else {
        assert(this.#otherSide === null);
      }
    }
    _read() {
      const callback = this[kCallback];
      if (callback) {
        this[kCallback] = null;
        callback();
      }
    }
    _write(chunk, encoding, callback) {
      assert(this.#otherSide !== null);
      assert(this.#otherSide[kCallback] === null);
      if (chunk.length === 0) {
        process.nextTick(callback);
      } else {
        this.#otherSide.push(chunk);
        this.#otherSide[kCallback] = callback;
      }
    }
    _final(callback) {
      this.#otherSide.on('end', callback);
      this.#otherSide.push(null);
    }
  }
  function duplexPair(options) {
    const side0 = new DuplexSide(options);
    const side1 = new DuplexSide(options);
    side0[kInitOtherSide](side1);
    side1[kInitOtherSide](side0);
    return [ side0, side1 ];
  }
  module.exports = duplexPair;
}));
