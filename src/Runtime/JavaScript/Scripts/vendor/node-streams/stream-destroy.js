// ---------------------------------------------------------------- stream: destroy, end-of-stream: Node 20.20's lib/ (MIT, Scripts/NOTICE.md;
// its comments left out: read them there). Not part of the bootstrap: the host compiles this file (OnDemandScripts) on the
// first require of a module in it, and each define(name, factory) gives builtins/stream.js one module.
define('internal/streams/destroy', (function (module, exports, require, primordials, process) {
  const {
    aggregateTwoErrors,
    codes: {
      ERR_MULTIPLE_CALLBACK,
    },
    AbortError,
  } = require('internal/errors');
  const {
    Symbol,
  } = primordials;
  const {
    kIsDestroyed,
    isDestroyed,
    isFinished,
    isServerRequest,
    kState,
    kErrorEmitted,
    kEmitClose,
    kClosed,
    kCloseEmitted,
    kConstructed,
    kDestroyed,
    kAutoDestroy,
    kErrored,
  } = require('internal/streams/utils');
  const kDestroy = Symbol('kDestroy');
  const kConstruct = Symbol('kConstruct');
  function checkError(err, w, r) {
    if (err) {
      err.stack; // eslint-disable-line no-unused-expressions
      if (w && !w.errored) {
        w.errored = err;
      }
      if (r && !r.errored) {
        r.errored = err;
      }
    }
  }
  function destroy(err, cb) {
    const r = this._readableState;
    const w = this._writableState;
    const s = w || r;
    if (
      (w && (w[kState] & kDestroyed) !== 0) ||
      (r && (r[kState] & kDestroyed) !== 0)
    ) {
      if (typeof cb === 'function') {
        cb();
      }
      return this;
    }
    checkError(err, w, r);
    if (w) {
      w[kState] |= kDestroyed;
    }
    if (r) {
      r[kState] |= kDestroyed;
    }
    if ((s[kState] & kConstructed) === 0) {
      this.once(kDestroy, function(er) {
        _destroy(this, aggregateTwoErrors(er, err), cb);
      });
    } else {
      _destroy(this, err, cb);
    }
    return this;
  }
  function _destroy(self, err, cb) {
    let called = false;
    function onDestroy(err) {
      if (called) {
        return;
      }
      called = true;
      const r = self._readableState;
      const w = self._writableState;
      checkError(err, w, r);
      if (w) {
        w[kState] |= kClosed;
      }
      if (r) {
        r[kState] |= kClosed;
      }
      if (typeof cb === 'function') {
        cb(err);
      }
      if (err) {
        process.nextTick(emitErrorCloseNT, self, err);
      } else {
        process.nextTick(emitCloseNT, self);
      }
    }
    try {
      self._destroy(err || null, onDestroy);
    } catch (err) {
      onDestroy(err);
    }
  }
  function emitErrorCloseNT(self, err) {
    emitErrorNT(self, err);
    emitCloseNT(self);
  }
  function emitCloseNT(self) {
    const r = self._readableState;
    const w = self._writableState;
    if (w) {
      w[kState] |= kCloseEmitted;
    }
    if (r) {
      r[kState] |= kCloseEmitted;
    }
    if (
      (w && (w[kState] & kEmitClose) !== 0) ||
      (r && (r[kState] & kEmitClose) !== 0)
    ) {
      self.emit('close');
    }
  }
  function emitErrorNT(self, err) {
    const r = self._readableState;
    const w = self._writableState;
    if (
      (w && (w[kState] & kErrorEmitted) !== 0) ||
      (r && (r[kState] & kErrorEmitted) !== 0)
    ) {
      return;
    }
    if (w) {
      w[kState] |= kErrorEmitted;
    }
    if (r) {
      r[kState] |= kErrorEmitted;
    }
    self.emit('error', err);
  }
  function undestroy() {
    const r = this._readableState;
    const w = this._writableState;
    if (r) {
      r.constructed = true;
      r.closed = false;
      r.closeEmitted = false;
      r.destroyed = false;
      r.errored = null;
      r.errorEmitted = false;
      r.reading = false;
      r.ended = r.readable === false;
      r.endEmitted = r.readable === false;
    }
    if (w) {
      w.constructed = true;
      w.destroyed = false;
      w.closed = false;
      w.closeEmitted = false;
      w.errored = null;
      w.errorEmitted = false;
      w.finalCalled = false;
      w.prefinished = false;
      w.ended = w.writable === false;
      w.ending = w.writable === false;
      w.finished = w.writable === false;
    }
  }
  function errorOrDestroy(stream, err, sync) {
    const r = stream._readableState;
    const w = stream._writableState;
    if (
      (w && (w[kState] ? (w[kState] & kDestroyed) !== 0 : w.destroyed)) ||
      (r && (r[kState] ? (r[kState] & kDestroyed) !== 0 : r.destroyed))
    ) {
      return this;
    }
    if (
      (r && (r[kState] & kAutoDestroy) !== 0) ||
      (w && (w[kState] & kAutoDestroy) !== 0)
    ) {
      stream.destroy(err);
    } else if (err) {
      err.stack; // eslint-disable-line no-unused-expressions
      if (w && (w[kState] & kErrored) === 0) {
        w.errored = err;
      }
      if (r && (r[kState] & kErrored) === 0) {
        r.errored = err;
      }
      if (sync) {
        process.nextTick(emitErrorNT, stream, err);
      } else {
        emitErrorNT(stream, err);
      }
    }
  }
  function construct(stream, cb) {
    if (typeof stream._construct !== 'function') {
      return;
    }
    const r = stream._readableState;
    const w = stream._writableState;
    if (r) {
      r[kState] &= ~kConstructed;
    }
    if (w) {
      w[kState] &= ~kConstructed;
    }
    stream.once(kConstruct, cb);
    if (stream.listenerCount(kConstruct) > 1) {
      return;
    }
    process.nextTick(constructNT, stream);
  }
  function constructNT(stream) {
    let called = false;
    function onConstruct(err) {
      if (called) {
        errorOrDestroy(stream, err ?? new ERR_MULTIPLE_CALLBACK());
        return;
      }
      called = true;
      const r = stream._readableState;
      const w = stream._writableState;
      const s = w || r;
      if (r) {
        r[kState] |= kConstructed;
      }
      if (w) {
        w[kState] |= kConstructed;
      }
      if (s.destroyed) {
        stream.emit(kDestroy, err);
      } else if (err) {
        errorOrDestroy(stream, err, true);
      } else {
        stream.emit(kConstruct);
      }
    }
    try {
      stream._construct((err) => {
        process.nextTick(onConstruct, err);
      });
    } catch (err) {
      process.nextTick(onConstruct, err);
    }
  }
  function isRequest(stream) {
    return stream?.setHeader && typeof stream.abort === 'function';
  }
  function emitCloseLegacy(stream) {
    stream.emit('close');
  }
  function emitErrorCloseLegacy(stream, err) {
    stream.emit('error', err);
    process.nextTick(emitCloseLegacy, stream);
  }
  function destroyer(stream, err) {
    if (!stream || isDestroyed(stream)) {
      return;
    }
    if (!err && !isFinished(stream)) {
      err = new AbortError();
    }
    if (isServerRequest(stream)) {
      stream.socket = null;
      stream.destroy(err);
    } else if (isRequest(stream)) {
      stream.abort();
    } else if (isRequest(stream.req)) {
      stream.req.abort();
    } else if (typeof stream.destroy === 'function') {
      stream.destroy(err);
    } else if (typeof stream.close === 'function') {
      stream.close();
    } else if (err) {
      process.nextTick(emitErrorCloseLegacy, stream, err);
    } else {
      process.nextTick(emitCloseLegacy, stream);
    }
    if (!stream.destroyed) {
      stream[kIsDestroyed] = true;
    }
  }
  module.exports = {
    construct,
    destroyer,
    destroy,
    undestroy,
    errorOrDestroy,
  };
}));
define('internal/streams/end-of-stream', (function (module, exports, require, primordials, process) {
  const {
    AbortError,
    codes,
  } = require('internal/errors');
  const {
    ERR_INVALID_ARG_TYPE,
    ERR_STREAM_PREMATURE_CLOSE,
  } = codes;
  const {
    kEmptyObject,
    once,
    SymbolDispose,
  } = require('internal/util');
  const {
    validateAbortSignal,
    validateFunction,
    validateObject,
    validateBoolean,
  } = require('internal/validators');
  const {
    Promise,
    PromisePrototypeThen,
  } = primordials;
  const {
    isClosed,
    isReadable,
    isReadableNodeStream,
    isReadableStream,
    isReadableFinished,
    isReadableErrored,
    isWritable,
    isWritableNodeStream,
    isWritableStream,
    isWritableFinished,
    isWritableErrored,
    isNodeStream,
    willEmitClose: _willEmitClose,
    kIsClosedPromise,
  } = require('internal/streams/utils');
  let addAbortListener;
  function isRequest(stream) {
    return stream.setHeader && typeof stream.abort === 'function';
  }
  const nop = () => {};
  function eos(stream, options, callback) {
    if (arguments.length === 2) {
      callback = options;
      options = kEmptyObject;
    } else if (options == null) {
      options = kEmptyObject;
    } else {
      validateObject(options, 'options');
    }
    validateFunction(callback, 'callback');
    validateAbortSignal(options.signal, 'options.signal');
    callback = once(callback);
    if (isReadableStream(stream) || isWritableStream(stream)) {
      return eosWeb(stream, options, callback);
    }
    if (!isNodeStream(stream)) {
      throw new ERR_INVALID_ARG_TYPE('stream', ['ReadableStream', 'WritableStream', 'Stream'], stream);
    }
    const readable = options.readable ?? isReadableNodeStream(stream);
    const writable = options.writable ?? isWritableNodeStream(stream);
    const wState = stream._writableState;
    const rState = stream._readableState;
    const onlegacyfinish = () => {
      if (!stream.writable) {
        onfinish();
      }
    };
    let willEmitClose = (
      _willEmitClose(stream) &&
      isReadableNodeStream(stream) === readable &&
      isWritableNodeStream(stream) === writable
    );
    let writableFinished = isWritableFinished(stream, false);
    const onfinish = () => {
      writableFinished = true;
      if (stream.destroyed) {
        willEmitClose = false;
      }
      if (willEmitClose && (!stream.readable || readable)) {
        return;
      }
      if (!readable || readableFinished) {
        callback.call(stream);
      }
    };
    let readableFinished = isReadableFinished(stream, false);
    const onend = () => {
      readableFinished = true;
      if (stream.destroyed) {
        willEmitClose = false;
      }
      if (willEmitClose && (!stream.writable || writable)) {
        return;
      }
      if (!writable || writableFinished) {
        callback.call(stream);
      }
    };
    const onerror = (err) => {
      callback.call(stream, err);
    };
    let closed = isClosed(stream);
    const onclose = () => {
      closed = true;
      const errored = isWritableErrored(stream) || isReadableErrored(stream);
      if (errored && typeof errored !== 'boolean') {
        return callback.call(stream, errored);
      }
      if (readable && !readableFinished && isReadableNodeStream(stream, true)) {
        if (!isReadableFinished(stream, false))
          return callback.call(stream,
                               new ERR_STREAM_PREMATURE_CLOSE());
      }
      if (writable && !writableFinished) {
        if (!isWritableFinished(stream, false))
          return callback.call(stream,
                               new ERR_STREAM_PREMATURE_CLOSE());
      }
      callback.call(stream);
    };
    const onclosed = () => {
      closed = true;
      const errored = isWritableErrored(stream) || isReadableErrored(stream);
      if (errored && typeof errored !== 'boolean') {
        return callback.call(stream, errored);
      }
      callback.call(stream);
    };
    const onrequest = () => {
      stream.req.on('finish', onfinish);
    };
    if (isRequest(stream)) {
      stream.on('complete', onfinish);
      if (!willEmitClose) {
        stream.on('abort', onclose);
      }
      if (stream.req) {
        onrequest();
      } else {
        stream.on('request', onrequest);
      }
    } else if (writable && !wState) {
      stream.on('end', onlegacyfinish);
      stream.on('close', onlegacyfinish);
    }
    if (!willEmitClose && typeof stream.aborted === 'boolean') {
      stream.on('aborted', onclose);
    }
    stream.on('end', onend);
    stream.on('finish', onfinish);
    if (options.error !== false) {
      stream.on('error', onerror);
    }
    stream.on('close', onclose);
    if (closed) {
      process.nextTick(onclose);
    } else if (wState?.errorEmitted || rState?.errorEmitted) {
      if (!willEmitClose) {
        process.nextTick(onclosed);
      }
    } else if (
      !readable &&
      (!willEmitClose || isReadable(stream)) &&
      (writableFinished || isWritable(stream) === false) &&
      (wState == null || wState.pendingcb === undefined || wState.pendingcb === 0)
    ) {
      process.nextTick(onclosed);
    } else if (
      !writable &&
      (!willEmitClose || isWritable(stream)) &&
      (readableFinished || isReadable(stream) === false)
    ) {
      process.nextTick(onclosed);
    } else if ((rState && stream.req && stream.aborted)) {
      process.nextTick(onclosed);
    }
    const cleanup = () => {
      callback = nop;
      stream.removeListener('aborted', onclose);
      stream.removeListener('complete', onfinish);
      stream.removeListener('abort', onclose);
      stream.removeListener('request', onrequest);
      if (stream.req) stream.req.removeListener('finish', onfinish);
      stream.removeListener('end', onlegacyfinish);
      stream.removeListener('close', onlegacyfinish);
      stream.removeListener('finish', onfinish);
      stream.removeListener('end', onend);
      stream.removeListener('error', onerror);
      stream.removeListener('close', onclose);
    };
    if (options.signal && !closed) {
      const abort = () => {
        const endCallback = callback;
        cleanup();
        endCallback.call(
          stream,
          new AbortError(undefined, { cause: options.signal.reason }));
      };
      if (options.signal.aborted) {
        process.nextTick(abort);
      } else {
        addAbortListener ??= require('internal/events/abort_listener').addAbortListener;
        const disposable = addAbortListener(options.signal, abort);
        const originalCallback = callback;
        callback = once((...args) => {
          disposable[SymbolDispose]();
          originalCallback.apply(stream, args);
        });
      }
    }
    return cleanup;
  }
  function eosWeb(stream, options, callback) {
    let isAborted = false;
    let abort = nop;
    if (options.signal) {
      abort = () => {
        isAborted = true;
        callback.call(stream, new AbortError(undefined, { cause: options.signal.reason }));
      };
      if (options.signal.aborted) {
        process.nextTick(abort);
      } else {
        addAbortListener ??= require('internal/events/abort_listener').addAbortListener;
        const disposable = addAbortListener(options.signal, abort);
        const originalCallback = callback;
        callback = once((...args) => {
          disposable[SymbolDispose]();
          originalCallback.apply(stream, args);
        });
      }
    }
    const resolverFn = (...args) => {
      if (!isAborted) {
        process.nextTick(() => callback.apply(stream, args));
      }
    };
    PromisePrototypeThen(
      stream[kIsClosedPromise].promise,
      resolverFn,
      resolverFn,
    );
    return nop;
  }
  function finished(stream, opts) {
    let autoCleanup = false;
    if (opts === null) {
      opts = kEmptyObject;
    }
    if (opts?.cleanup) {
      validateBoolean(opts.cleanup, 'cleanup');
      autoCleanup = opts.cleanup;
    }
    return new Promise((resolve, reject) => {
      const cleanup = eos(stream, opts, (err) => {
        if (autoCleanup) {
          cleanup();
        }
        if (err) {
          reject(err);
        } else {
          resolve();
        }
      });
    });
  }
  module.exports = eos;
  module.exports.finished = finished;
}));
