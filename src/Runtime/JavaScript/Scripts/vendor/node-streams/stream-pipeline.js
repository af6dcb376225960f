// ---------------------------------------------------------------- stream: pipeline, compose, stream/promises, stream: Node 20.20's lib/ (MIT, Scripts/NOTICE.md;
// its comments left out: read them there). Not part of the bootstrap: the host compiles this file (OnDemandScripts) on the
// first require of a module in it, and each define(name, factory) gives builtins/stream.js one module.
define('internal/streams/pipeline', (function (module, exports, require, primordials, process) {
  const {
    ArrayIsArray,
    Promise,
    SymbolAsyncIterator,
  } = primordials;
  const eos = require('internal/streams/end-of-stream');
  const { SymbolDispose, once } = require('internal/util');
  const destroyImpl = require('internal/streams/destroy');
  const Duplex = require('internal/streams/duplex');
  const {
    aggregateTwoErrors,
    codes: {
      ERR_INVALID_ARG_TYPE,
      ERR_INVALID_RETURN_VALUE,
      ERR_MISSING_ARGS,
      ERR_STREAM_DESTROYED,
      ERR_STREAM_PREMATURE_CLOSE,
    },
    AbortError,
  } = require('internal/errors');
  const {
    validateFunction,
    validateAbortSignal,
  } = require('internal/validators');
  const {
    isIterable,
    isReadable,
    isReadableNodeStream,
    isNodeStream,
    isTransformStream,
    isWebStream,
    isReadableStream,
    isReadableFinished,
  } = require('internal/streams/utils');
  const { AbortController } = require('internal/abort_controller');
  let PassThrough;
  let Readable;
  let addAbortListener;
  function destroyer(stream, reading, writing) {
    let finished = false;
    stream.on('close', () => {
      finished = true;
    });
    const cleanup = eos(stream, { readable: reading, writable: writing }, (err) => {
      finished = !err;
    });
    return {
      destroy: (err) => {
        if (finished) return;
        finished = true;
        destroyImpl.destroyer(stream, err || new ERR_STREAM_DESTROYED('pipe'));
      },
      cleanup,
    };
  }
  function popCallback(streams) {
    validateFunction(streams[streams.length - 1], 'streams[stream.length - 1]');
    return streams.pop();
  }
  function makeAsyncIterable(val) {
    if (isIterable(val)) {
      return val;
    } else if (isReadableNodeStream(val)) {
      return fromReadable(val);
    }
    throw new ERR_INVALID_ARG_TYPE(
      'val', ['Readable', 'Iterable', 'AsyncIterable'], val);
  }
  async function* fromReadable(val) {
    if (!Readable) {
      Readable = require('internal/streams/readable');
    }
    yield* Readable.prototype[SymbolAsyncIterator].call(val);
  }
  async function pumpToNode(iterable, writable, finish, { end }) {
    let error;
    let onresolve = null;
    const resume = (err) => {
      if (err) {
        error = err;
      }
      if (onresolve) {
        const callback = onresolve;
        onresolve = null;
        callback();
      }
    };
    const wait = () => new Promise((resolve, reject) => {
      if (error) {
        reject(error);
      } else {
        onresolve = () => {
          if (error) {
            reject(error);
          } else {
            resolve();
          }
        };
      }
    });
    writable.on('drain', resume);
    const cleanup = eos(writable, { readable: false }, resume);
    try {
      if (writable.writableNeedDrain) {
        await wait();
      }
      for await (const chunk of iterable) {
        if (!writable.write(chunk)) {
          await wait();
        }
      }
      if (end) {
        writable.end();
        await wait();
      }
      finish();
    } catch (err) {
      finish(error !== err ? aggregateTwoErrors(error, err) : err);
    } finally {
      cleanup();
      writable.off('drain', resume);
    }
  }
  async function pumpToWeb(readable, writable, finish, { end }) {
    if (isTransformStream(writable)) {
      writable = writable.writable;
    }
    const writer = writable.getWriter();
    try {
      for await (const chunk of readable) {
        await writer.ready;
        writer.write(chunk).catch(() => {});
      }
      await writer.ready;
      if (end) {
        await writer.close();
      }
      finish();
    } catch (err) {
      try {
        await writer.abort(err);
        finish(err);
      } catch (err) {
        finish(err);
      }
    }
  }
  function pipeline(...streams) {
    return pipelineImpl(streams, once(popCallback(streams)));
  }
  function pipelineImpl(streams, callback, opts) {
    if (streams.length === 1 && ArrayIsArray(streams[0])) {
      streams = streams[0];
    }
    if (streams.length < 2) {
      throw new ERR_MISSING_ARGS('streams');
    }
    const ac = new AbortController();
    const signal = ac.signal;
    const outerSignal = opts?.signal;
    const lastStreamCleanup = [];
    validateAbortSignal(outerSignal, 'options.signal');
    function abort() {
      finishImpl(new AbortError(undefined, { cause: outerSignal?.reason }));
    }
    addAbortListener ??= require('internal/events/abort_listener').addAbortListener;
    let disposable;
    if (outerSignal) {
      disposable = addAbortListener(outerSignal, abort);
    }
    let error;
    let value;
    const destroys = [];
    let finishCount = 0;
    function finish(err) {
      finishImpl(err, --finishCount === 0);
    }
    function finishImpl(err, final) {
      if (err && (!error || error.code === 'ERR_STREAM_PREMATURE_CLOSE')) {
        error = err;
      }
      if (!error && !final) {
        return;
      }
      while (destroys.length) {
        destroys.shift()(error);
      }
      disposable?.[SymbolDispose]();
      ac.abort();
      if (final) {
        if (!error) {
          lastStreamCleanup.forEach((fn) => fn());
        }
        process.nextTick(callback, error, value);
      }
    }
    let ret;
    for (let i = 0; i < streams.length; i++) {
      const stream = streams[i];
      const reading = i < streams.length - 1;
      const writing = i > 0;
      const end = reading || opts?.end !== false;
      const isLastStream = i === streams.length - 1;
      if (isNodeStream(stream)) {
        if (end) {
          const { destroy, cleanup } = destroyer(stream, reading, writing);
          destroys.push(destroy);
          if (isReadable(stream) && isLastStream) {
            lastStreamCleanup.push(cleanup);
          }
        }
        function onError(err) {
          if (
            err &&
            err.name !== 'AbortError' &&
            err.code !== 'ERR_STREAM_PREMATURE_CLOSE'
          ) {
            finish(err);
          }
        }
        stream.on('error', onError);
        if (isReadable(stream) && isLastStream) {
          lastStreamCleanup.push(() => {
            stream.removeListener('error', onError);
          });
        }
      }
      if (i === 0) {
        if (typeof stream === 'function') {
          ret = stream({ signal });
          if (!isIterable(ret)) {
            throw new ERR_INVALID_RETURN_VALUE(
              'Iterable, AsyncIterable or Stream', 'source', ret);
          }
        } else if (isIterable(stream) || isReadableNodeStream(stream) || isTransformStream(stream)) {
          ret = stream;
        } else {
          ret = Duplex.from(stream);
        }
      } else if (typeof stream === 'function') {
        if (isTransformStream(ret)) {
          ret = makeAsyncIterable(ret?.readable);
        } else {
          ret = makeAsyncIterable(ret);
        }
        ret = stream(ret, { signal });
        if (reading) {
          if (!isIterable(ret, true)) {
            throw new ERR_INVALID_RETURN_VALUE(
              'AsyncIterable', `transform[${i - 1}]`, ret);
          }
        } else {
          if (!PassThrough) {
            PassThrough = require('internal/streams/passthrough');
          }
          const pt = new PassThrough({
            objectMode: true,
          });
          const then = ret?.then;
          if (typeof then === 'function') {
            finishCount++;
            then.call(ret,
                      (val) => {
                        value = val;
                        if (val != null) {
                          pt.write(val);
                        }
                        if (end) {
                          pt.end();
                        }
                        process.nextTick(finish);
                      }, (err) => {
                        pt.destroy(err);
                        process.nextTick(finish, err);
                      },
            );
          } else if (isIterable(ret, true)) {
            finishCount++;
            pumpToNode(ret, pt, finish, { end });
          } else if (isReadableStream(ret) || isTransformStream(ret)) {
            const toRead = ret.readable || ret;
            finishCount++;
            pumpToNode(toRead, pt, finish, { end });
          } else {
            throw new ERR_INVALID_RETURN_VALUE(
              'AsyncIterable or Promise', 'destination', ret);
          }
          ret = pt;
          const { destroy, cleanup } = destroyer(ret, false, true);
          destroys.push(destroy);
          if (isLastStream) {
            lastStreamCleanup.push(cleanup);
          }
        }
      } else if (isNodeStream(stream)) {
        if (isReadableNodeStream(ret)) {
          finishCount += 2;
          const cleanup = pipe(ret, stream, finish, { end });
          if (isReadable(stream) && isLastStream) {
            lastStreamCleanup.push(cleanup);
          }
        } else if (isTransformStream(ret) || isReadableStream(ret)) {
          const toRead = ret.readable || ret;
          finishCount++;
          pumpToNode(toRead, stream, finish, { end });
        } else if (isIterable(ret)) {
          finishCount++;
          pumpToNode(ret, stream, finish, { end });
        } else {
          throw new ERR_INVALID_ARG_TYPE(
            'val', ['Readable', 'Iterable', 'AsyncIterable', 'ReadableStream', 'TransformStream'], ret);
        }
        ret = stream;
      } else if (isWebStream(stream)) {
        if (isReadableNodeStream(ret)) {
          finishCount++;
          pumpToWeb(makeAsyncIterable(ret), stream, finish, { end });
        } else if (isReadableStream(ret) || isIterable(ret)) {
          finishCount++;
          pumpToWeb(ret, stream, finish, { end });
        } else if (isTransformStream(ret)) {
          finishCount++;
          pumpToWeb(ret.readable, stream, finish, { end });
        } else {
          throw new ERR_INVALID_ARG_TYPE(
            'val', ['Readable', 'Iterable', 'AsyncIterable', 'ReadableStream', 'TransformStream'], ret);
        }
        ret = stream;
      } else {
        ret = Duplex.from(stream);
      }
    }
    if (signal?.aborted || outerSignal?.aborted) {
      process.nextTick(abort);
    }
    return ret;
  }
  function pipe(src, dst, finish, { end }) {
    let ended = false;
    dst.on('close', () => {
      if (!ended) {
        finish(new ERR_STREAM_PREMATURE_CLOSE());
      }
    });
    src.pipe(dst, { end: false });
    if (end) {
      function endFn() {
        ended = true;
        dst.end();
      }
      if (isReadableFinished(src)) {
        process.nextTick(endFn);
      } else {
        src.once('end', endFn);
      }
    } else {
      finish();
    }
    eos(src, { readable: true, writable: false }, (err) => {
      const rState = src._readableState;
      if (
        err &&
        err.code === 'ERR_STREAM_PREMATURE_CLOSE' &&
        (rState && rState.ended && !rState.errored && !rState.errorEmitted)
      ) {
        src
          .once('end', finish)
          .once('error', finish);
      } else {
        finish(err);
      }
    });
    return eos(dst, { readable: false, writable: true }, finish);
  }
  module.exports = { pipelineImpl, pipeline };
}));
define('internal/streams/compose', (function (module, exports, require, primordials, process) {
  const {
    ArrayPrototypeSlice,
  } = primordials;
  const { pipeline } = require('internal/streams/pipeline');
  const Duplex = require('internal/streams/duplex');
  const { destroyer } = require('internal/streams/destroy');
  const {
    isNodeStream,
    isReadable,
    isWritable,
    isWebStream,
    isTransformStream,
    isWritableStream,
    isReadableStream,
  } = require('internal/streams/utils');
  const {
    AbortError,
    codes: {
      ERR_INVALID_ARG_VALUE,
      ERR_MISSING_ARGS,
    },
  } = require('internal/errors');
  const eos = require('internal/streams/end-of-stream');
  module.exports = function compose(...streams) {
    if (streams.length === 0) {
      throw new ERR_MISSING_ARGS('streams');
    }
    if (streams.length === 1) {
      return Duplex.from(streams[0]);
    }
    const orgStreams = ArrayPrototypeSlice(streams);
    if (typeof streams[0] === 'function') {
      streams[0] = Duplex.from(streams[0]);
    }
    if (typeof streams[streams.length - 1] === 'function') {
      const idx = streams.length - 1;
      streams[idx] = Duplex.from(streams[idx]);
    }
    for (let n = 0; n < streams.length; ++n) {
      if (!isNodeStream(streams[n]) && !isWebStream(streams[n])) {
        continue;
      }
      if (
        n < streams.length - 1 &&
        !(
          isReadable(streams[n]) ||
          isReadableStream(streams[n]) ||
          isTransformStream(streams[n])
        )
      ) {
        throw new ERR_INVALID_ARG_VALUE(
          `streams[${n}]`,
          orgStreams[n],
          'must be readable',
        );
      }
      if (
        n > 0 &&
        !(
          isWritable(streams[n]) ||
          isWritableStream(streams[n]) ||
          isTransformStream(streams[n])
        )
      ) {
        throw new ERR_INVALID_ARG_VALUE(
          `streams[${n}]`,
          orgStreams[n],
          'must be writable',
        );
      }
    }
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
      } else if (!readable && !writable) {
        d.destroy();
      }
    }
    const head = streams[0];
    const tail = pipeline(streams, onfinished);
    const writable = !!(
      isWritable(head) ||
      isWritableStream(head) ||
      isTransformStream(head)
    );
    const readable = !!(
      isReadable(tail) ||
      isReadableStream(tail) ||
      isTransformStream(tail)
    );
    d = new Duplex({
      writableObjectMode: !!head?.writableObjectMode,
      readableObjectMode: !!tail?.readableObjectMode,
      writable,
      readable,
    });
    if (writable) {
      if (isNodeStream(head)) {
        d._write = function(chunk, encoding, callback) {
          if (head.write(chunk, encoding)) {
            callback();
          } else {
            ondrain = callback;
          }
        };
        d._final = function(callback) {
          head.end();
          onfinish = callback;
        };
        head.on('drain', function() {
          if (ondrain) {
            const cb = ondrain;
            ondrain = null;
            cb();
          }
        });
      } else if (isWebStream(head)) {
        const writable = isTransformStream(head) ? head.writable : head;
        const writer = writable.getWriter();
        d._write = async function(chunk, encoding, callback) {
          try {
            await writer.ready;
            writer.write(chunk).catch(() => {});
            callback();
          } catch (err) {
            callback(err);
          }
        };
        d._final = async function(callback) {
          try {
            await writer.ready;
            writer.close().catch(() => {});
            onfinish = callback;
          } catch (err) {
            callback(err);
          }
        };
      }
      const toRead = isTransformStream(tail) ? tail.readable : tail;
      eos(toRead, () => {
        if (onfinish) {
          const cb = onfinish;
          onfinish = null;
          cb();
        }
      });
    }
    if (readable) {
      if (isNodeStream(tail)) {
        tail.on('readable', function() {
          if (onreadable) {
            const cb = onreadable;
            onreadable = null;
            cb();
          }
        });
        tail.on('end', function() {
          d.push(null);
        });
        d._read = function() {
          while (true) {
            const buf = tail.read();
            if (buf === null) {
              onreadable = d._read;
              return;
            }
            if (!d.push(buf)) {
              return;
            }
          }
        };
      } else if (isWebStream(tail)) {
        const readable = isTransformStream(tail) ? tail.readable : tail;
        const reader = readable.getReader();
        d._read = async function() {
          while (true) {
            try {
              const { value, done } = await reader.read();
              if (!d.push(value)) {
                return;
              }
              if (done) {
                d.push(null);
                return;
              }
            } catch {
              return;
            }
          }
        };
      }
    }
    d._destroy = function(err, callback) {
      if (!err && onclose !== null) {
        err = new AbortError();
      }
      onreadable = null;
      ondrain = null;
      onfinish = null;
      if (isNodeStream(tail)) {
        destroyer(tail, err);
      }
      if (onclose === null) {
        callback(err);
      } else {
        onclose = callback;
      }
    };
    return d;
  };
}));
define('stream/promises', (function (module, exports, require, primordials, process) {
  const {
    ArrayPrototypePop,
    Promise,
  } = primordials;
  const {
    isIterable,
    isNodeStream,
    isWebStream,
  } = require('internal/streams/utils');
  const { pipelineImpl: pl } = require('internal/streams/pipeline');
  const { finished } = require('internal/streams/end-of-stream');
  require('stream');
  function pipeline(...streams) {
    return new Promise((resolve, reject) => {
      let signal;
      let end;
      const lastArg = streams[streams.length - 1];
      if (lastArg && typeof lastArg === 'object' &&
          !isNodeStream(lastArg) && !isIterable(lastArg) && !isWebStream(lastArg)) {
        const options = ArrayPrototypePop(streams);
        signal = options.signal;
        end = options.end;
      }
      pl(streams, (err, value) => {
        if (err) {
          reject(err);
        } else {
          resolve(value);
        }
      }, { signal, end });
    });
  }
  module.exports = {
    finished,
    pipeline,
  };
}));
define('stream', (function (module, exports, require, primordials, process) {
  const {
    ObjectDefineProperty,
    ObjectKeys,
    ReflectApply,
  } = primordials;
  const {
    promisify: { custom: customPromisify },
  } = require('internal/util');
  const {
    streamReturningOperators,
    promiseReturningOperators,
  } = require('internal/streams/operators');
  const {
    codes: {
      ERR_ILLEGAL_CONSTRUCTOR,
    },
  } = require('internal/errors');
  const compose = require('internal/streams/compose');
  const { setDefaultHighWaterMark, getDefaultHighWaterMark } = require('internal/streams/state');
  const { pipeline } = require('internal/streams/pipeline');
  const { destroyer } = require('internal/streams/destroy');
  const eos = require('internal/streams/end-of-stream');
  const internalBuffer = require('internal/buffer');
  const promises = require('stream/promises');
  const utils = require('internal/streams/utils');
  const { isArrayBufferView, isUint8Array } = require('internal/util/types');
  const Stream = module.exports = require('internal/streams/legacy').Stream;
  Stream.isDestroyed = utils.isDestroyed;
  Stream.isDisturbed = utils.isDisturbed;
  Stream.isErrored = utils.isErrored;
  Stream.isReadable = utils.isReadable;
  Stream.isWritable = utils.isWritable;
  Stream.Readable = require('internal/streams/readable');
  const streamKeys = ObjectKeys(streamReturningOperators);
  for (let i = 0; i < streamKeys.length; i++) {
    const key = streamKeys[i];
    const op = streamReturningOperators[key];
    function fn(...args) {
      if (new.target) {
        throw new ERR_ILLEGAL_CONSTRUCTOR();
      }
      return Stream.Readable.from(ReflectApply(op, this, args));
    }
    ObjectDefineProperty(fn, 'name', { __proto__: null, value: op.name });
    ObjectDefineProperty(fn, 'length', { __proto__: null, value: op.length });
    ObjectDefineProperty(Stream.Readable.prototype, key, {
      __proto__: null,
      value: fn,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  const promiseKeys = ObjectKeys(promiseReturningOperators);
  for (let i = 0; i < promiseKeys.length; i++) {
    const key = promiseKeys[i];
    const op = promiseReturningOperators[key];
    function fn(...args) {
      if (new.target) {
        throw new ERR_ILLEGAL_CONSTRUCTOR();
      }
      return ReflectApply(op, this, args);
    }
    ObjectDefineProperty(fn, 'name', { __proto__: null, value: op.name });
    ObjectDefineProperty(fn, 'length', { __proto__: null, value: op.length });
    ObjectDefineProperty(Stream.Readable.prototype, key, {
      __proto__: null,
      value: fn,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  Stream.Writable = require('internal/streams/writable');
  Stream.Duplex = require('internal/streams/duplex');
  Stream.Transform = require('internal/streams/transform');
  Stream.PassThrough = require('internal/streams/passthrough');
  Stream.duplexPair = require('internal/streams/duplexpair');
  Stream.pipeline = pipeline;
  const { addAbortSignal } = require('internal/streams/add-abort-signal');
  Stream.addAbortSignal = addAbortSignal;
  Stream.finished = eos;
  Stream.destroy = destroyer;
  Stream.compose = compose;
  Stream.setDefaultHighWaterMark = setDefaultHighWaterMark;
  Stream.getDefaultHighWaterMark = getDefaultHighWaterMark;
  ObjectDefineProperty(Stream, 'promises', {
    __proto__: null,
    configurable: true,
    enumerable: true,
    get() {
      return promises;
    },
  });
  ObjectDefineProperty(pipeline, customPromisify, {
    __proto__: null,
    enumerable: true,
    get() {
      return promises.pipeline;
    },
  });
  ObjectDefineProperty(eos, customPromisify, {
    __proto__: null,
    enumerable: true,
    get() {
      return promises.finished;
    },
  });
  Stream.Stream = Stream;
  Stream._isArrayBufferView = isArrayBufferView;
  Stream._isUint8Array = isUint8Array;
  Stream._uint8ArrayToBuffer = function _uint8ArrayToBuffer(chunk) {
    return new internalBuffer.FastBuffer(chunk.buffer,
                                         chunk.byteOffset,
                                         chunk.byteLength);
  };
}));
