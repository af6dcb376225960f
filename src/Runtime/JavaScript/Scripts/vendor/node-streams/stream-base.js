// ---------------------------------------------------------------- stream: utils, state, legacy, add-abort-signal: Node 20.20's lib/ (MIT, Scripts/NOTICE.md;
// its comments left out: read them there). Not part of the bootstrap: the host compiles this file (OnDemandScripts) on the
// first require of a module in it, and each define(name, factory) gives builtins/stream.js one module.
define('internal/streams/utils', (function (module, exports, require, primordials, process) {
  const {
    SymbolAsyncIterator,
    SymbolIterator,
    SymbolFor,
    Symbol,
  } = primordials;
  const kIsDestroyed = SymbolFor('nodejs.stream.destroyed');
  const kIsErrored = SymbolFor('nodejs.stream.errored');
  const kIsReadable = SymbolFor('nodejs.stream.readable');
  const kIsWritable = SymbolFor('nodejs.stream.writable');
  const kIsDisturbed = SymbolFor('nodejs.stream.disturbed');
  const kOnConstructed = Symbol('kOnConstructed');
  const kIsClosedPromise = SymbolFor('nodejs.webstream.isClosedPromise');
  const kControllerErrorFunction = SymbolFor('nodejs.webstream.controllerErrorFunction');
  const kState = Symbol('kState');
  const kObjectMode = 1 << 0;
  const kErrorEmitted = 1 << 1;
  const kAutoDestroy = 1 << 2;
  const kEmitClose = 1 << 3;
  const kDestroyed = 1 << 4;
  const kClosed = 1 << 5;
  const kCloseEmitted = 1 << 6;
  const kErrored = 1 << 7;
  const kConstructed = 1 << 8;
  function isReadableNodeStream(obj, strict = false) {
    return !!(
      obj &&
      typeof obj.pipe === 'function' &&
      typeof obj.on === 'function' &&
      (
        !strict ||
        (typeof obj.pause === 'function' && typeof obj.resume === 'function')
      ) &&
      (!obj._writableState || obj._readableState?.readable !== false) &&
      (!obj._writableState || obj._readableState)
    );
  }
  function isWritableNodeStream(obj) {
    return !!(
      obj &&
      typeof obj.write === 'function' &&
      typeof obj.on === 'function' &&
      (!obj._readableState || obj._writableState?.writable !== false)
    );
  }
  function isDuplexNodeStream(obj) {
    return !!(
      obj &&
      (typeof obj.pipe === 'function' && obj._readableState) &&
      typeof obj.on === 'function' &&
      typeof obj.write === 'function'
    );
  }
  function isNodeStream(obj) {
    return (
      obj &&
      (
        obj._readableState ||
        obj._writableState ||
        (typeof obj.write === 'function' && typeof obj.on === 'function') ||
        (typeof obj.pipe === 'function' && typeof obj.on === 'function')
      )
    );
  }
  function isReadableStream(obj) {
    return !!(
      obj &&
      !isNodeStream(obj) &&
      typeof obj.pipeThrough === 'function' &&
      typeof obj.getReader === 'function' &&
      typeof obj.cancel === 'function'
    );
  }
  function isWritableStream(obj) {
    return !!(
      obj &&
      !isNodeStream(obj) &&
      typeof obj.getWriter === 'function' &&
      typeof obj.abort === 'function'
    );
  }
  function isTransformStream(obj) {
    return !!(
      obj &&
      !isNodeStream(obj) &&
      typeof obj.readable === 'object' &&
      typeof obj.writable === 'object'
    );
  }
  function isWebStream(obj) {
    return isReadableStream(obj) || isWritableStream(obj) || isTransformStream(obj);
  }
  function isIterable(obj, isAsync) {
    if (obj == null) return false;
    if (isAsync === true) return typeof obj[SymbolAsyncIterator] === 'function';
    if (isAsync === false) return typeof obj[SymbolIterator] === 'function';
    return typeof obj[SymbolAsyncIterator] === 'function' ||
      typeof obj[SymbolIterator] === 'function';
  }
  function isDestroyed(stream) {
    if (!isNodeStream(stream)) return null;
    const wState = stream._writableState;
    const rState = stream._readableState;
    const state = wState || rState;
    return !!(stream.destroyed || stream[kIsDestroyed] || state?.destroyed);
  }
  function isWritableEnded(stream) {
    if (!isWritableNodeStream(stream)) return null;
    if (stream.writableEnded === true) return true;
    const wState = stream._writableState;
    if (wState?.errored) return false;
    if (typeof wState?.ended !== 'boolean') return null;
    return wState.ended;
  }
  function isWritableFinished(stream, strict) {
    if (!isWritableNodeStream(stream)) return null;
    if (stream.writableFinished === true) return true;
    const wState = stream._writableState;
    if (wState?.errored) return false;
    if (typeof wState?.finished !== 'boolean') return null;
    return !!(
      wState.finished ||
      (strict === false && wState.ended === true && wState.length === 0)
    );
  }
  function isReadableEnded(stream) {
    if (!isReadableNodeStream(stream)) return null;
    if (stream.readableEnded === true) return true;
    const rState = stream._readableState;
    if (!rState || rState.errored) return false;
    if (typeof rState?.ended !== 'boolean') return null;
    return rState.ended;
  }
  function isReadableFinished(stream, strict) {
    if (!isReadableNodeStream(stream)) return null;
    const rState = stream._readableState;
    if (rState?.errored) return false;
    if (typeof rState?.endEmitted !== 'boolean') return null;
    return !!(
      rState.endEmitted ||
      (strict === false && rState.ended === true && rState.length === 0)
    );
  }
  function isReadable(stream) {
    if (stream && stream[kIsReadable] != null) return stream[kIsReadable];
    if (typeof stream?.readable !== 'boolean') return null;
    if (isDestroyed(stream)) return false;
    return isReadableNodeStream(stream) &&
      stream.readable &&
      !isReadableFinished(stream);
  }
  function isWritable(stream) {
    if (stream && stream[kIsWritable] != null) return stream[kIsWritable];
    if (typeof stream?.writable !== 'boolean') return null;
    if (isDestroyed(stream)) return false;
    return isWritableNodeStream(stream) &&
      stream.writable &&
      !isWritableEnded(stream);
  }
  function isFinished(stream, opts) {
    if (!isNodeStream(stream)) {
      return null;
    }
    if (isDestroyed(stream)) {
      return true;
    }
    if (opts?.readable !== false && isReadable(stream)) {
      return false;
    }
    if (opts?.writable !== false && isWritable(stream)) {
      return false;
    }
    return true;
  }
  function isWritableErrored(stream) {
    if (!isNodeStream(stream)) {
      return null;
    }
    if (stream.writableErrored) {
      return stream.writableErrored;
    }
    return stream._writableState?.errored ?? null;
  }
  function isReadableErrored(stream) {
    if (!isNodeStream(stream)) {
      return null;
    }
    if (stream.readableErrored) {
      return stream.readableErrored;
    }
    return stream._readableState?.errored ?? null;
  }
  function isClosed(stream) {
    if (!isNodeStream(stream)) {
      return null;
    }
    if (typeof stream.closed === 'boolean') {
      return stream.closed;
    }
    const wState = stream._writableState;
    const rState = stream._readableState;
    if (
      typeof wState?.closed === 'boolean' ||
      typeof rState?.closed === 'boolean'
    ) {
      return wState?.closed || rState?.closed;
    }
    if (typeof stream._closed === 'boolean' && isOutgoingMessage(stream)) {
      return stream._closed;
    }
    return null;
  }
  function isOutgoingMessage(stream) {
    return (
      typeof stream._closed === 'boolean' &&
      typeof stream._defaultKeepAlive === 'boolean' &&
      typeof stream._removedConnection === 'boolean' &&
      typeof stream._removedContLen === 'boolean'
    );
  }
  function isServerResponse(stream) {
    return (
      typeof stream._sent100 === 'boolean' &&
      isOutgoingMessage(stream)
    );
  }
  function isServerRequest(stream) {
    return (
      typeof stream._consuming === 'boolean' &&
      typeof stream._dumped === 'boolean' &&
      stream.req?.upgradeOrConnect === undefined
    );
  }
  function willEmitClose(stream) {
    if (!isNodeStream(stream)) return null;
    const wState = stream._writableState;
    const rState = stream._readableState;
    const state = wState || rState;
    return (!state && isServerResponse(stream)) || !!(
      state &&
      state.autoDestroy &&
      state.emitClose &&
      state.closed === false
    );
  }
  function isDisturbed(stream) {
    return !!(stream && (
      stream[kIsDisturbed] ??
      (stream.readableDidRead || stream.readableAborted)
    ));
  }
  function isErrored(stream) {
    return !!(stream && (
      stream[kIsErrored] ??
      stream.readableErrored ??
      stream.writableErrored ??
      stream._readableState?.errorEmitted ??
      stream._writableState?.errorEmitted ??
      stream._readableState?.errored ??
      stream._writableState?.errored
    ));
  }
  module.exports = {
    kOnConstructed,
    isDestroyed,
    kIsDestroyed,
    isDisturbed,
    kIsDisturbed,
    isErrored,
    kIsErrored,
    isReadable,
    kIsReadable,
    kIsClosedPromise,
    kControllerErrorFunction,
    kIsWritable,
    isClosed,
    isDuplexNodeStream,
    isFinished,
    isIterable,
    isReadableNodeStream,
    isReadableStream,
    isReadableEnded,
    isReadableFinished,
    isReadableErrored,
    isNodeStream,
    isWebStream,
    isWritable,
    isWritableNodeStream,
    isWritableStream,
    isWritableEnded,
    isWritableFinished,
    isWritableErrored,
    isServerRequest,
    isServerResponse,
    willEmitClose,
    isTransformStream,
    kState,
    kObjectMode,
    kErrorEmitted,
    kAutoDestroy,
    kEmitClose,
    kDestroyed,
    kClosed,
    kCloseEmitted,
    kErrored,
    kConstructed,
  };
}));
define('internal/streams/state', (function (module, exports, require, primordials, process) {
  const {
    MathFloor,
    NumberIsInteger,
  } = primordials;
  const { validateInteger } = require('internal/validators');
  const { ERR_INVALID_ARG_VALUE } = require('internal/errors').codes;
  let defaultHighWaterMarkBytes = 16 * 1024;
  let defaultHighWaterMarkObjectMode = 16;
  function highWaterMarkFrom(options, isDuplex, duplexKey) {
    return options.highWaterMark != null ? options.highWaterMark :
      isDuplex ? options[duplexKey] : null;
  }
  function getDefaultHighWaterMark(objectMode) {
    return objectMode ? defaultHighWaterMarkObjectMode : defaultHighWaterMarkBytes;
  }
  function setDefaultHighWaterMark(objectMode, value) {
    validateInteger(value, 'value', 0);
    if (objectMode) {
      defaultHighWaterMarkObjectMode = value;
    } else {
      defaultHighWaterMarkBytes = value;
    }
  }
  function getHighWaterMark(state, options, duplexKey, isDuplex) {
    const hwm = highWaterMarkFrom(options, isDuplex, duplexKey);
    if (hwm != null) {
      if (!NumberIsInteger(hwm) || hwm < 0) {
        const name = isDuplex ? `options.${duplexKey}` : 'options.highWaterMark';
        throw new ERR_INVALID_ARG_VALUE(name, hwm);
      }
      return MathFloor(hwm);
    }
    return getDefaultHighWaterMark(state.objectMode);
  }
  module.exports = {
    getHighWaterMark,
    getDefaultHighWaterMark,
    setDefaultHighWaterMark,
  };
}));
define('internal/streams/legacy', (function (module, exports, require, primordials, process) {
  const {
    ArrayIsArray,
    ObjectSetPrototypeOf,
    ReflectOwnKeys,
  } = primordials;
  const EE = require('events');
  function Stream(opts) {
    EE.call(this, opts);
  }
  ObjectSetPrototypeOf(Stream.prototype, EE.prototype);
  ObjectSetPrototypeOf(Stream, EE);
  Stream.prototype.pipe = function(dest, options) {
    const source = this;
    function ondata(chunk) {
      if (dest.writable && dest.write(chunk) === false && source.pause) {
        source.pause();
      }
    }
    source.on('data', ondata);
    function ondrain() {
      if (source.readable && source.resume) {
        source.resume();
      }
    }
    dest.on('drain', ondrain);
    if (!dest._isStdio && (!options || options.end !== false)) {
      source.on('end', onend);
      source.on('close', onclose);
    }
    let didOnEnd = false;
    function onend() {
      if (didOnEnd) return;
      didOnEnd = true;
      dest.end();
    }
    function onclose() {
      if (didOnEnd) return;
      didOnEnd = true;
      if (typeof dest.destroy === 'function') dest.destroy();
    }
    function onerror(er) {
      cleanup();
      if (EE.listenerCount(this, 'error') === 0) {
        this.emit('error', er);
      }
    }
    prependListener(source, 'error', onerror);
    prependListener(dest, 'error', onerror);
    function cleanup() {
      source.removeListener('data', ondata);
      dest.removeListener('drain', ondrain);
      source.removeListener('end', onend);
      source.removeListener('close', onclose);
      source.removeListener('error', onerror);
      dest.removeListener('error', onerror);
      source.removeListener('end', cleanup);
      source.removeListener('close', cleanup);
      dest.removeListener('close', cleanup);
    }
    source.on('end', cleanup);
    source.on('close', cleanup);
    dest.on('close', cleanup);
    dest.emit('pipe', source);
    return dest;
  };
  Stream.prototype.eventNames = function eventNames() {
    const names = [];
    for (const key of ReflectOwnKeys(this._events)) {
      if (typeof this._events[key] === 'function' || (ArrayIsArray(this._events[key]) && this._events[key].length > 0)) {
        names.push(key);
      }
    }
    return names;
  };
  function prependListener(emitter, event, fn) {
    if (typeof emitter.prependListener === 'function')
      return emitter.prependListener(event, fn);
    if (!emitter._events || !emitter._events[event])
      emitter.on(event, fn);
    else if (ArrayIsArray(emitter._events[event]))
      emitter._events[event].unshift(fn);
    else
      emitter._events[event] = [fn, emitter._events[event]];
  }
  module.exports = { Stream, prependListener };
}));
define('internal/streams/add-abort-signal', (function (module, exports, require, primordials, process) {
  const {
    SymbolDispose,
  } = require('internal/util');
  const {
    AbortError,
    codes,
  } = require('internal/errors');
  const {
    isNodeStream,
    isWebStream,
    kControllerErrorFunction,
  } = require('internal/streams/utils');
  const eos = require('internal/streams/end-of-stream');
  const { ERR_INVALID_ARG_TYPE } = codes;
  let addAbortListener;
  const validateAbortSignal = (signal, name) => {
    if (typeof signal !== 'object' ||
         !('aborted' in signal)) {
      throw new ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal);
    }
  };
  module.exports.addAbortSignal = function addAbortSignal(signal, stream) {
    validateAbortSignal(signal, 'signal');
    if (!isNodeStream(stream) && !isWebStream(stream)) {
      throw new ERR_INVALID_ARG_TYPE('stream', ['ReadableStream', 'WritableStream', 'Stream'], stream);
    }
    return module.exports.addAbortSignalNoValidate(signal, stream);
  };
  module.exports.addAbortSignalNoValidate = function(signal, stream) {
    if (typeof signal !== 'object' || !('aborted' in signal)) {
      return stream;
    }
    const onAbort = isNodeStream(stream) ?
      () => {
        stream.destroy(new AbortError(undefined, { cause: signal.reason }));
      } :
      () => {
        stream[kControllerErrorFunction](new AbortError(undefined, { cause: signal.reason }));
      };
    if (signal.aborted) {
      onAbort();
    } else {
      addAbortListener ??= require('internal/events/abort_listener').addAbortListener;
      const disposable = addAbortListener(signal, onAbort);
      eos(stream, disposable[SymbolDispose]);
    }
    return stream;
  };
}));
