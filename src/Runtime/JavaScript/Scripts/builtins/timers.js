// ---------------------------------------------------------------- timers, timers/promises, after Node's lib/timers/promises.js
// The timers are the isolate's own (00-globals.js): they run on its event loop and stop when the invocation ends.
const builtinTimers = builtinOnce(() => _freeze({
  ...timerGlobals,
  promises: builtinTimersPromises(),
}));
const builtinTimersPromises = builtinOnce(() => {
  const { invalidArgType, validateObject, AbortError } = builtinInternals();
  const validateOptions = (options) => {
    validateObject(options, 'options');
    const { signal, ref } = options;
    if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) throw invalidArgType('options.signal', 'AbortSignal', signal);
    if (ref !== undefined && typeof ref !== 'boolean') throw invalidArgType('options.ref', 'boolean', ref);
    return options;
  };
  // Starts a timer settling a promise; an abort of `signal` clears it and rejects with Node's AbortError.
  function timerPromise(start, clear, value, options) {
    try {
      validateOptions(options);
    } catch (err) {
      return _Promise.reject(err);
    }
    const { signal, ref = true } = options;
    if (signal && signal.aborted) return _Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    let onCancel;
    const promise = new _Promise((resolve, reject) => {
      const timer = start(() => resolve(value));
      if (!ref) timer.unref();
      if (signal) {
        onCancel = () => {
          clear(timer);
          reject(new AbortError(undefined, { cause: signal.reason }));
        };
        signal.addEventListener('abort', onCancel, { once: true });
      }
    });
    return onCancel === undefined ? promise : promise.finally(() => signal.removeEventListener('abort', onCancel));
  }
  function setTimeout(delay, value, options = {}) {
    if (delay !== undefined && typeof delay !== 'number') return _Promise.reject(invalidArgType('delay', 'number', delay));
    return timerPromise((done) => timerGlobals.setTimeout(done, delay), timerGlobals.clearTimeout, value, options);
  }
  function setImmediate(value, options = {}) {
    return timerPromise((done) => timerGlobals.setImmediate(done), timerGlobals.clearImmediate, value, options);
  }
  async function* setInterval(delay, value, options = {}) {
    validateOptions(options);
    if (delay !== undefined && typeof delay !== 'number') throw invalidArgType('delay', 'number', delay);
    const { signal, ref = true } = options;
    if (signal && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
    let onCancel;
    let interval;
    try {
      let notYielded = 0;
      let callback;
      interval = timerGlobals.setInterval(() => {
        notYielded++;
        if (callback) {
          callback();
          callback = undefined;
        }
      }, delay);
      if (!ref) interval.unref();
      if (signal) {
        onCancel = () => {
          timerGlobals.clearInterval(interval);
          if (callback) {
            callback(_Promise.reject(new AbortError(undefined, { cause: signal.reason })));
            callback = undefined;
          }
        };
        signal.addEventListener('abort', onCancel, { once: true });
      }
      while (!(signal && signal.aborted)) {
        if (notYielded === 0) await new _Promise((resolve) => { callback = resolve; });
        for (; notYielded > 0; notYielded--) yield value;
      }
      throw new AbortError(undefined, { cause: signal && signal.reason });
    } finally {
      timerGlobals.clearInterval(interval);
      if (signal) signal.removeEventListener('abort', onCancel);
    }
  }
  const scheduler = _freeze({
    wait: (delay, options) => setTimeout(delay, undefined, options),
    yield: () => setImmediate(),
  });
  return _freeze({ setTimeout, setImmediate, setInterval, scheduler });
});
