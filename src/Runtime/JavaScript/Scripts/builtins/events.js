// ---------------------------------------------------------------- events, after Node's lib/events.js
const builtinEvents = builtinOnce(() => {
  const { inspect, nodeError, invalidArgType, outOfRange, validateObject } = builtinInternals();
  const kCapture = _Symbol('kCapture');
  const kErrorMonitor = _Symbol('events.errorMonitor');
  const kRejection = _Symbol.for('nodejs.rejection');
  let defaultMaxListeners = 10;

  const checkListener = (listener) => { if (typeof listener !== 'function') throw invalidArgType('listener', 'Function', listener); };
  const validateMax = (n, name, range) => {
    if (typeof n !== 'number') throw invalidArgType(name, 'number', n);
    if (n < 0 || Number.isNaN(n)) throw outOfRange(name, range, n);
  };

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;
  EventEmitter.prototype[kCapture] = false;
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.usingDomains = false;
  EventEmitter.captureRejectionSymbol = kRejection;
  EventEmitter.errorMonitor = kErrorMonitor;
  _defineProperty(EventEmitter, 'captureRejections', {
    get() { return EventEmitter.prototype[kCapture]; },
    set(value) {
      if (typeof value !== 'boolean') throw invalidArgType('EventEmitter.captureRejections', 'boolean', value);
      EventEmitter.prototype[kCapture] = value;
    },
    enumerable: true,
  });
  _defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get() { return defaultMaxListeners; },
    set(arg) { validateMax(arg, 'defaultMaxListeners', 'a non-negative number'); defaultMaxListeners = arg; },
  });

  EventEmitter.init = function init(opts) {
    if (this._events === undefined || this._events === _Object.getPrototypeOf(this)._events) {
      this._events = _Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
    if (opts && opts.captureRejections) {
      if (typeof opts.captureRejections !== 'boolean') throw invalidArgType('options.captureRejections', 'boolean', opts.captureRejections);
      this[kCapture] = Boolean(opts.captureRejections);
    } else {
      this[kCapture] = EventEmitter.prototype[kCapture];
    }
  };

  function addCatch(that, promise, type, args) {
    if (!that[kCapture]) return;
    try {
      const then = promise.then;
      if (typeof then === 'function') {
        then.call(promise, undefined, (err) => processObject.nextTick(emitUnhandledRejectionOrErr, that, err, type, args));
      }
    } catch (err) {
      that.emit('error', err);
    }
  }
  function emitUnhandledRejectionOrErr(ee, err, type, args) {
    if (typeof ee[kRejection] === 'function') {
      ee[kRejection](err, type, ...args);
    } else {
      const prev = ee[kCapture];
      try {
        ee[kCapture] = false;
        ee.emit('error', err);
      } finally {
        ee[kCapture] = prev;
      }
    }
  }

  EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
    validateMax(n, 'setMaxListeners', '>= 0');
    this._maxListeners = n;
    return this;
  };
  const getMax = (that) => (that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners);
  EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
    return getMax(this);
  };

  EventEmitter.prototype.emit = function emit(type, ...args) {
    let doError = type === 'error';
    const events = this._events;
    if (events !== undefined) {
      if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
      doError = doError && events.error === undefined;
    } else if (!doError) {
      return false;
    }
    if (doError) {
      let er;
      if (args.length > 0) er = args[0];
      if (er instanceof _Error) throw er; // Unhandled 'error' event
      let stringifiedEr;
      try { stringifiedEr = inspect(er); } catch (e) { stringifiedEr = er; }
      const err = nodeError(_Error, 'ERR_UNHANDLED_ERROR', `Unhandled error. (${stringifiedEr})`);
      err.context = er;
      throw err; // Unhandled 'error' event
    }
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === 'function') {
      const result = Reflect.apply(handler, this, args);
      if (result !== undefined && result !== null) addCatch(this, result, type, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; ++i) {
        const result = Reflect.apply(listeners[i], this, args);
        if (result !== undefined && result !== null) addCatch(this, result, type, args);
      }
    }
    return true;
  };

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    let existing;
    if (events === undefined) {
      events = target._events = _Object.create(null);
      target._eventsCount = 0;
    } else {
      if (events.newListener !== undefined) {
        target.emit('newListener', type, listener.listener ? listener.listener : listener);
        events = target._events;
      }
      existing = events[type];
    }
    if (existing === undefined) {
      events[type] = listener;
      ++target._eventsCount;
    } else {
      if (typeof existing === 'function') existing = events[type] = prepend ? [listener, existing] : [existing, listener];
      else if (prepend) existing.unshift(listener);
      else existing.push(listener);
      const m = getMax(target);
      if (m > 0 && existing.length > m && !existing.warned) {
        existing.warned = true;
        consoleObject.warn(`MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ${existing.length} ${_String(type)} listeners ` +
          `added to ${inspect(target, { depth: -1 })}. MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`);
      }
    }
    return target;
  }
  EventEmitter.prototype.addListener = function addListener_(type, listener) {
    return addListener(this, type, listener, false);
  };
  _defineProperty(EventEmitter.prototype.addListener, 'name', { value: 'addListener' });
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function prependListener(type, listener) {
    return addListener(this, type, listener, true);
  };
  function onceWrapper() {
    if (!this.fired) {
      this.target.removeListener(this.type, this.wrapFn);
      this.fired = true;
      if (arguments.length === 0) return this.listener.call(this.target);
      return this.listener.apply(this.target, arguments);
    }
    return undefined;
  }
  function onceWrap(target, type, listener) {
    const state = { fired: false, wrapFn: undefined, target, type, listener };
    const wrapped = onceWrapper.bind(state);
    wrapped.listener = listener;
    state.wrapFn = wrapped;
    return wrapped;
  }
  EventEmitter.prototype.once = function once(type, listener) {
    checkListener(listener);
    this.on(type, onceWrap(this, type, listener));
    return this;
  };
  EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrap(this, type, listener));
    return this;
  };
  EventEmitter.prototype.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      this._eventsCount -= 1;
      if (this._eventsCount === 0) {
        this._events = _Object.create(null);
      } else {
        delete events[type];
        if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
      }
    } else if (typeof list !== 'function') {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { position = i; break; }
      }
      if (position < 0) return this;
      if (position === 0) list.shift();
      else list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;
  EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) return this;
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = _Object.create(null);
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) this._events = _Object.create(null);
        else delete events[type];
      }
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key === 'removeListener') continue;
        this.removeAllListeners(key);
      }
      this.removeAllListeners('removeListener');
      this._events = _Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === 'function') {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
    }
    return this;
  };
  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const evlistener = events[type];
    if (evlistener === undefined) return [];
    if (typeof evlistener === 'function') return unwrap ? [evlistener.listener || evlistener] : [evlistener];
    return unwrap ? evlistener.map((l) => l.listener || l) : evlistener.slice();
  }
  EventEmitter.prototype.listeners = function listeners(type) {
    return listenersOf(this, type, true);
  };
  EventEmitter.prototype.rawListeners = function rawListeners(type) {
    return listenersOf(this, type, false);
  };
  function listenerCount(type, listener) {
    const events = this._events;
    if (events !== undefined) {
      const evlistener = events[type];
      if (typeof evlistener === 'function') {
        if (listener != null) return listener === evlistener || listener === evlistener.listener ? 1 : 0;
        return 1;
      } else if (evlistener !== undefined) {
        if (listener != null) return evlistener.filter((l) => l === listener || l.listener === listener).length;
        return evlistener.length;
      }
    }
    return 0;
  }
  EventEmitter.prototype.listenerCount = listenerCount;
  EventEmitter.listenerCount = (emitter, type) =>
    (typeof emitter.listenerCount === 'function' ? emitter.listenerCount(type) : listenerCount.call(emitter, type));
  EventEmitter.prototype.eventNames = function eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };

  // Statics for EventEmitters and EventTargets alike.
  function addAgnostic(emitter, name, listener, flags) {
    if (typeof emitter.on === 'function') {
      if (flags && flags.once) emitter.once(name, listener);
      else emitter.on(name, listener);
    } else if (typeof emitter.addEventListener === 'function') {
      emitter.addEventListener(name, listener, flags);
    } else {
      throw invalidArgType('emitter', 'EventEmitter', emitter);
    }
  }
  function removeAgnostic(emitter, name, listener, flags) {
    if (typeof emitter.removeListener === 'function') emitter.removeListener(name, listener);
    else if (typeof emitter.removeEventListener === 'function') emitter.removeEventListener(name, listener, flags);
    else throw invalidArgType('emitter', 'EventEmitter', emitter);
  }
  function abortError(signal) {
    const e = new _Error('The operation was aborted');
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    if (signal && signal.reason !== undefined) e.cause = signal.reason;
    return e;
  }
  EventEmitter.once = function once(emitter, name, options = {}) {
    validateObject(options, 'options');
    const signal = options.signal;
    if (signal && signal.aborted) return _Promise.reject(abortError(signal));
    return new _Promise((resolve, reject) => {
      const errorListener = (err) => {
        removeAgnostic(emitter, name, resolver);
        if (signal) removeAgnostic(signal, 'abort', abortListener);
        reject(err);
      };
      const resolver = (...args) => {
        if (typeof emitter.removeListener === 'function') emitter.removeListener('error', errorListener);
        if (signal) removeAgnostic(signal, 'abort', abortListener);
        resolve(args);
      };
      const abortListener = () => {
        removeAgnostic(emitter, name, resolver);
        removeAgnostic(emitter, 'error', errorListener);
        reject(abortError(signal));
      };
      addAgnostic(emitter, name, resolver, { once: true });
      if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', errorListener);
      if (signal) addAgnostic(signal, 'abort', abortListener, { once: true });
    });
  };
  const AsyncIteratorPrototype = _Object.getPrototypeOf(_Object.getPrototypeOf(async function* () {}).prototype);
  EventEmitter.on = function on(emitter, event, options = {}) {
    validateObject(options, 'options');
    const signal = options.signal;
    if (signal && signal.aborted) throw abortError(signal);
    const unconsumedEvents = [];
    const unconsumedPromises = [];
    let error = null;
    let finished = false;
    const closeHandler = () => {
      removeAgnostic(emitter, event, eventHandler);
      if (event !== 'error' && typeof emitter.removeListener === 'function') emitter.removeListener('error', errorHandler);
      if (signal) removeAgnostic(signal, 'abort', abortListener);
      finished = true;
      for (const promise of unconsumedPromises) promise.resolve({ value: undefined, done: true });
      unconsumedPromises.length = 0;
    };
    const iterator = _Object.setPrototypeOf({
      next() {
        if (unconsumedEvents.length) return _Promise.resolve({ value: unconsumedEvents.shift(), done: false });
        if (error) {
          const p = _Promise.reject(error);
          error = null;
          return p;
        }
        if (finished) return _Promise.resolve({ value: undefined, done: true });
        return new _Promise((resolve, reject) => unconsumedPromises.push({ resolve, reject }));
      },
      return() {
        closeHandler();
        return _Promise.resolve({ value: undefined, done: true });
      },
      throw(err) {
        if (!err || !(err instanceof _Error)) throw invalidArgType('EventEmitter.AsyncIterator', 'Error', err);
        error = err;
        closeHandler();
        return _Promise.resolve({ value: undefined, done: true });
      },
      [_Symbol.asyncIterator]() { return this; },
    }, AsyncIteratorPrototype);
    function eventHandler(...args) {
      const promise = unconsumedPromises.shift();
      if (promise) promise.resolve({ value: args, done: false });
      else unconsumedEvents.push(args);
    }
    function errorHandler(err) {
      const promise = unconsumedPromises.shift();
      if (promise) promise.reject(err);
      else error = err;
      closeHandler();
    }
    function abortListener() {
      errorHandler(abortError(signal));
    }
    addAgnostic(emitter, event, eventHandler);
    if (event !== 'error' && typeof emitter.on === 'function') emitter.on('error', errorHandler);
    if (signal) addAgnostic(signal, 'abort', abortListener, { once: true });
    return iterator;
  };
  const kResistStopPropagation = _Symbol('kResistStopPropagation');
  EventEmitter.addAbortListener = function addAbortListener(signal, listener) {
    if (signal === undefined || signal === null || typeof signal !== 'object' || !('aborted' in signal)) throw invalidArgType('signal', 'AbortSignal', signal);
    if (typeof listener !== 'function') throw invalidArgType('listener', 'Function', listener);
    let removeEventListener;
    if (signal.aborted) {
      queueMicrotask(() => listener());
    } else {
      signal.addEventListener('abort', listener, { __proto__: null, once: true, [kResistStopPropagation]: true });
      removeEventListener = () => { signal.removeEventListener('abort', listener); };
    }
    return { __proto__: null, [_Symbol.for('nodejs.dispose')]() { if (removeEventListener) removeEventListener(); } };
  };
  // EventTargets (32-fetch.js) keep their listeners in `_listeners`; their maximum lives here, as Node keeps it on them.
  const eventTargetMax = new WeakMap();
  EventEmitter.getEventListeners = function getEventListeners(emitter, type) {
    if (typeof emitter.listeners === 'function') return emitter.listeners(type);
    if (emitter instanceof EventTarget) return (emitter._listeners.get(_String(type)) || []).map((l) => l.listener);
    throw invalidArgType('emitter', ['EventEmitter', 'EventTarget'], emitter);
  };
  EventEmitter.getMaxListeners = function getMaxListeners(emitterOrTarget) {
    if (typeof emitterOrTarget?.getMaxListeners === 'function') return getMax(emitterOrTarget);
    if (emitterOrTarget instanceof EventTarget) return eventTargetMax.has(emitterOrTarget) ? eventTargetMax.get(emitterOrTarget) : defaultMaxListeners;
    throw invalidArgType('emitter', ['EventEmitter', 'EventTarget'], emitterOrTarget);
  };
  EventEmitter.setMaxListeners = function setMaxListeners(n = defaultMaxListeners, ...eventTargets) {
    validateMax(n, 'setMaxListeners', '>= 0');
    if (eventTargets.length === 0) defaultMaxListeners = n;
    for (const target of eventTargets) {
      if (target instanceof EventTarget) eventTargetMax.set(target, n);
      else if (typeof target.setMaxListeners === 'function') target.setMaxListeners(n);
      else throw invalidArgType('eventTargets', ['EventEmitter', 'EventTarget'], target);
    }
  };
  EventEmitter.kMaxEventTargetListeners = _Symbol('events.maxEventTargetListeners');
  EventEmitter.kMaxEventTargetListenersWarned = _Symbol('events.maxEventTargetListenersWarned');
  // Node's EventEmitterAsyncResource ties an emitter to async_hooks, which the isolate has not: here it is an emitter.
  class EventEmitterAsyncResource extends EventEmitter {
    constructor(options = undefined) {
      super(options);
      this.triggerAsyncId = 0;
    }
    emitDestroy() {}
    get asyncId() { return 0; }
    get asyncResource() { return this; }
  }
  EventEmitter.EventEmitterAsyncResource = EventEmitterAsyncResource;
  return EventEmitter;
});
