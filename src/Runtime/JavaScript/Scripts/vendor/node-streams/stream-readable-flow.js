// ---------------------------------------------------------------- stream: readable (flowing mode, pipe, wrap, async iteration, properties, from): Node 20.20's lib/ (MIT, Scripts/NOTICE.md;
// its comments left out: read them there). Not part of the bootstrap: the host compiles this file (OnDemandScripts) on the
// first require of a module in it, and each define(name, factory) gives builtins/stream.js one module.
define('internal/streams/readable-flow', (function (module, exports, require, primordials, process) {
  module.exports = function installReadableFlow(Readable, ReadableState, emitReadable, bits) {
  const {
    ArrayPrototypeIndexOf,
    NumberIsInteger,
    NumberIsNaN,
    NumberParseInt,
    ObjectDefineProperties,
    ObjectKeys,
    ObjectSetPrototypeOf,
    Promise,
    SafeSet,
    Symbol,
    SymbolAsyncIterator,
    SymbolSpecies,
    TypedArrayPrototypeSet,
  } = primordials;
  const EE = require('events');
  const { Stream, prependListener } = require('internal/streams/legacy');
  const { Buffer } = require('buffer');
  const {
    SymbolAsyncDispose,
  } = require('internal/util');
  const {
    addAbortSignal,
  } = require('internal/streams/add-abort-signal');
  const eos = require('internal/streams/end-of-stream');
  let debug = require('internal/util/debuglog').debuglog('stream', (fn) => {
    debug = fn;
  });
  const destroyImpl = require('internal/streams/destroy');
  const {
    getHighWaterMark,
    getDefaultHighWaterMark,
  } = require('internal/streams/state');
  const {
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
    kOnConstructed,
  } = require('internal/streams/utils');
  const {
    aggregateTwoErrors,
    codes: {
      ERR_INVALID_ARG_TYPE,
      ERR_METHOD_NOT_IMPLEMENTED,
      ERR_OUT_OF_RANGE,
      ERR_STREAM_PUSH_AFTER_EOF,
      ERR_STREAM_UNSHIFT_AFTER_END_EVENT,
      ERR_UNKNOWN_ENCODING,
    },
    AbortError,
  } = require('internal/errors');
  const { validateObject } = require('internal/validators');
  const FastBuffer = Buffer[SymbolSpecies];
  const { StringDecoder } = require('string_decoder');
  const from = require('internal/streams/from');
  const nop = () => {};
  const { errorOrDestroy } = destroyImpl;
  const { kEnded, kEndEmitted, kReading, kSync, kNeedReadable, kEmittedReadable, kReadableListening, kResumeScheduled, kMultiAwaitDrain, kReadingMore, kDataEmitted, kDefaultUTF8Encoding, kDecoder, kEncoding, kHasFlowing, kFlowing, kHasPaused, kPaused, kDataListening } = bits;
  Readable.prototype.pipe = function(dest, pipeOpts) {
    const src = this;
    const state = this._readableState;
    if (state.pipes.length === 1) {
      if ((state[kState] & kMultiAwaitDrain) === 0) {
        state[kState] |= kMultiAwaitDrain;
        state.awaitDrainWriters = new SafeSet(
          state.awaitDrainWriters ? [state.awaitDrainWriters] : [],
        );
      }
    }
    state.pipes.push(dest);
    debug('pipe count=%d opts=%j', state.pipes.length, pipeOpts);
    const doEnd = (!pipeOpts || pipeOpts.end !== false) &&
                dest !== process.stdout &&
                dest !== process.stderr;
    const endFn = doEnd ? onend : unpipe;
    if ((state[kState] & kEndEmitted) !== 0)
      process.nextTick(endFn);
    else
      src.once('end', endFn);
    dest.on('unpipe', onunpipe);
    function onunpipe(readable, unpipeInfo) {
      debug('onunpipe');
      if (readable === src) {
        if (unpipeInfo && unpipeInfo.hasUnpiped === false) {
          unpipeInfo.hasUnpiped = true;
          cleanup();
        }
      }
    }
    function onend() {
      debug('onend');
      dest.end();
    }
    let ondrain;
    let cleanedUp = false;
    function cleanup() {
      debug('cleanup');
      dest.removeListener('close', onclose);
      dest.removeListener('finish', onfinish);
      if (ondrain) {
        dest.removeListener('drain', ondrain);
      }
      dest.removeListener('error', onerror);
      dest.removeListener('unpipe', onunpipe);
      src.removeListener('end', onend);
      src.removeListener('end', unpipe);
      src.removeListener('data', ondata);
      cleanedUp = true;
      if (ondrain && state.awaitDrainWriters &&
          (!dest._writableState || dest._writableState.needDrain))
        ondrain();
    }
    function pause() {
      if (!cleanedUp) {
        if (state.pipes.length === 1 && state.pipes[0] === dest) {
          debug('false write response, pause', 0);
          state.awaitDrainWriters = dest;
          state[kState] &= ~kMultiAwaitDrain;
        } else if (state.pipes.length > 1 && state.pipes.includes(dest)) {
          debug('false write response, pause', state.awaitDrainWriters.size);
          state.awaitDrainWriters.add(dest);
        }
        src.pause();
      }
      if (!ondrain) {
        ondrain = pipeOnDrain(src, dest);
        dest.on('drain', ondrain);
      }
    }
    src.on('data', ondata);
    function ondata(chunk) {
      debug('ondata');
      const ret = dest.write(chunk);
      debug('dest.write', ret);
      if (ret === false) {
        pause();
      }
    }
    function onerror(er) {
      debug('onerror', er);
      unpipe();
      dest.removeListener('error', onerror);
      if (dest.listenerCount('error') === 0) {
        const s = dest._writableState || dest._readableState;
        if (s && !s.errorEmitted) {
          errorOrDestroy(dest, er);
        } else {
          dest.emit('error', er);
        }
      }
    }
    prependListener(dest, 'error', onerror);
    function onclose() {
      dest.removeListener('finish', onfinish);
      unpipe();
    }
    dest.once('close', onclose);
    function onfinish() {
      debug('onfinish');
      dest.removeListener('close', onclose);
      unpipe();
    }
    dest.once('finish', onfinish);
    function unpipe() {
      debug('unpipe');
      src.unpipe(dest);
    }
    dest.emit('pipe', src);
    if (dest.writableNeedDrain === true) {
      pause();
    } else if ((state[kState] & kFlowing) === 0) {
      debug('pipe resume');
      src.resume();
    }
    return dest;
  };
  function pipeOnDrain(src, dest) {
    return function pipeOnDrainFunctionResult() {
      const state = src._readableState;
      if (state.awaitDrainWriters === dest) {
        debug('pipeOnDrain', 1);
        state.awaitDrainWriters = null;
      } else if ((state[kState] & kMultiAwaitDrain) !== 0) {
        debug('pipeOnDrain', state.awaitDrainWriters.size);
        state.awaitDrainWriters.delete(dest);
      }
      if ((!state.awaitDrainWriters || state.awaitDrainWriters.size === 0) &&
        (state[kState] & kDataListening) !== 0) {
        src.resume();
      }
    };
  }
  Readable.prototype.unpipe = function(dest) {
    const state = this._readableState;
    const unpipeInfo = { hasUnpiped: false };
    if (state.pipes.length === 0)
      return this;
    if (!dest) {
      const dests = state.pipes;
      state.pipes = [];
      this.pause();
      for (let i = 0; i < dests.length; i++)
        dests[i].emit('unpipe', this, { hasUnpiped: false });
      return this;
    }
    const index = ArrayPrototypeIndexOf(state.pipes, dest);
    if (index === -1)
      return this;
    state.pipes.splice(index, 1);
    if (state.pipes.length === 0)
      this.pause();
    dest.emit('unpipe', this, unpipeInfo);
    return this;
  };
  Readable.prototype.on = function(ev, fn) {
    const res = Stream.prototype.on.call(this, ev, fn);
    const state = this._readableState;
    if (ev === 'data') {
      state[kState] |= kDataListening;
      state[kState] |= this.listenerCount('readable') > 0 ? kReadableListening : 0;
      if ((state[kState] & (kHasFlowing | kFlowing)) !== kHasFlowing) {
        this.resume();
      }
    } else if (ev === 'readable') {
      if ((state[kState] & (kEndEmitted | kReadableListening)) === 0) {
        state[kState] |= kReadableListening | kNeedReadable | kHasFlowing;
        state[kState] &= ~(kFlowing | kEmittedReadable);
        debug('on readable');
        if (state.length) {
          emitReadable(this);
        } else if ((state[kState] & kReading) === 0) {
          process.nextTick(nReadingNextTick, this);
        }
      }
    }
    return res;
  };
  Readable.prototype.addListener = Readable.prototype.on;
  Readable.prototype.removeListener = function(ev, fn) {
    const state = this._readableState;
    const res = Stream.prototype.removeListener.call(this,
                                                     ev, fn);
    if (ev === 'readable') {
      process.nextTick(updateReadableListening, this);
    } else if (ev === 'data' && this.listenerCount('data') === 0) {
      state[kState] &= ~kDataListening;
    }
    return res;
  };
  Readable.prototype.off = Readable.prototype.removeListener;
  Readable.prototype.removeAllListeners = function(ev) {
    const res = Stream.prototype.removeAllListeners.apply(this,
                                                          arguments);
    if (ev === 'readable' || ev === undefined) {
      process.nextTick(updateReadableListening, this);
    }
    return res;
  };
  function updateReadableListening(self) {
    const state = self._readableState;
    if (self.listenerCount('readable') > 0) {
      state[kState] |= kReadableListening;
    } else {
      state[kState] &= ~kReadableListening;
    }
    if ((state[kState] & (kHasPaused | kPaused | kResumeScheduled)) === (kHasPaused | kResumeScheduled)) {
      state[kState] |= kHasFlowing | kFlowing;
    } else if ((state[kState] & kDataListening) !== 0) {
      self.resume();
    } else if ((state[kState] & kReadableListening) === 0) {
      state[kState] &= ~(kHasFlowing | kFlowing);
    }
  }
  function nReadingNextTick(self) {
    debug('readable nexttick read 0');
    self.read(0);
  }
  Readable.prototype.wrap = function(stream) {
    let paused = false;
    stream.on('data', (chunk) => {
      if (!this.push(chunk) && stream.pause) {
        paused = true;
        stream.pause();
      }
    });
    stream.on('end', () => {
      this.push(null);
    });
    stream.on('error', (err) => {
      errorOrDestroy(this, err);
    });
    stream.on('close', () => {
      this.destroy();
    });
    stream.on('destroy', () => {
      this.destroy();
    });
    this._read = () => {
      if (paused && stream.resume) {
        paused = false;
        stream.resume();
      }
    };
    const streamKeys = ObjectKeys(stream);
    for (let j = 1; j < streamKeys.length; j++) {
      const i = streamKeys[j];
      if (this[i] === undefined && typeof stream[i] === 'function') {
        this[i] = stream[i].bind(stream);
      }
    }
    return this;
  };
  Readable.prototype[SymbolAsyncIterator] = function() {
    return streamToAsyncIterator(this);
  };
  Readable.prototype.iterator = function(options) {
    if (options !== undefined) {
      validateObject(options, 'options');
    }
    return streamToAsyncIterator(this, options);
  };
  function streamToAsyncIterator(stream, options) {
    if (typeof stream.read !== 'function') {
      stream = Readable.wrap(stream, { objectMode: true });
    }
    const iter = createAsyncIterator(stream, options);
    iter.stream = stream;
    return iter;
  }
  async function* createAsyncIterator(stream, options) {
    let callback = nop;
    function next(resolve) {
      if (this === stream) {
        callback();
        callback = nop;
      } else {
        callback = resolve;
      }
    }
    stream.on('readable', next);
    let error;
    const cleanup = eos(stream, { writable: false }, (err) => {
      error = err ? aggregateTwoErrors(error, err) : null;
      callback();
      callback = nop;
    });
    try {
      while (true) {
        const chunk = stream.destroyed ? null : stream.read();
        if (chunk !== null) {
          yield chunk;
        } else if (error) {
          throw error;
        } else if (error === null) {
          return;
        } else {
          await new Promise(next);
        }
      }
    } catch (err) {
      error = aggregateTwoErrors(error, err);
      throw error;
    } finally {
      if (
        (error || options?.destroyOnReturn !== false) &&
        (error === undefined || stream._readableState.autoDestroy)
      ) {
        destroyImpl.destroyer(stream, null);
      } else {
        stream.off('readable', next);
        cleanup();
      }
    }
  }
  ObjectDefineProperties(Readable.prototype, {
    readable: {
      __proto__: null,
      get() {
        const r = this._readableState;
        return !!r && r.readable !== false && !r.destroyed && !r.errorEmitted &&
          !r.endEmitted;
      },
      set(val) {
        if (this._readableState) {
          this._readableState.readable = !!val;
        }
      },
    },
    readableDidRead: {
      __proto__: null,
      enumerable: false,
      get: function() {
        return this._readableState.dataEmitted;
      },
    },
    readableAborted: {
      __proto__: null,
      enumerable: false,
      get: function() {
        return !!(
          this._readableState.readable !== false &&
          (this._readableState.destroyed || this._readableState.errored) &&
          !this._readableState.endEmitted
        );
      },
    },
    readableHighWaterMark: {
      __proto__: null,
      enumerable: false,
      get: function() {
        return this._readableState.highWaterMark;
      },
    },
    readableBuffer: {
      __proto__: null,
      enumerable: false,
      get: function() {
        return this._readableState && this._readableState.buffer;
      },
    },
    readableFlowing: {
      __proto__: null,
      enumerable: false,
      get: function() {
        return this._readableState.flowing;
      },
      set: function(state) {
        if (this._readableState) {
          this._readableState.flowing = state;
        }
      },
    },
    readableLength: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState.length;
      },
    },
    readableObjectMode: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState ? this._readableState.objectMode : false;
      },
    },
    readableEncoding: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState ? this._readableState.encoding : null;
      },
    },
    errored: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState ? this._readableState.errored : null;
      },
    },
    closed: {
      __proto__: null,
      get() {
        return this._readableState ? this._readableState.closed : false;
      },
    },
    destroyed: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState ? this._readableState.destroyed : false;
      },
      set(value) {
        if (!this._readableState) {
          return;
        }
        this._readableState.destroyed = value;
      },
    },
    readableEnded: {
      __proto__: null,
      enumerable: false,
      get() {
        return this._readableState ? this._readableState.endEmitted : false;
      },
    },
  });
  ObjectDefineProperties(ReadableState.prototype, {
    pipesCount: {
      __proto__: null,
      get() {
        return this.pipes.length;
      },
    },
    paused: {
      __proto__: null,
      get() {
        return (this[kState] & kPaused) !== 0;
      },
      set(value) {
        this[kState] |= kHasPaused;
        if (value) {
          this[kState] |= kPaused;
        } else {
          this[kState] &= ~kPaused;
        }
      },
    },
  });
  Readable.from = function(iterable, opts) {
    return from(Readable, iterable, opts);
  };
  let webStreamsAdapters;
  function lazyWebStreams() {
    if (webStreamsAdapters === undefined)
      webStreamsAdapters = require('internal/webstreams/adapters');
    return webStreamsAdapters;
  }
  Readable.fromWeb = function(readableStream, options) {
    return lazyWebStreams().newStreamReadableFromReadableStream(
      readableStream,
      options);
  };
  Readable.toWeb = function(streamReadable, options) {
    return lazyWebStreams().newReadableStreamFromStreamReadable(
      streamReadable,
      options);
  };
  Readable.wrap = function(src, options) {
    return new Readable({
      objectMode: src.readableObjectMode ?? src.objectMode ?? true,
      ...options,
      destroy(err, callback) {
        destroyImpl.destroyer(src, err);
        callback(err);
      },
    }).wrap(src);
  };
  };
}));
