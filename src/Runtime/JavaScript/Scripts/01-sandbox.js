// Granary isolate bootstrap, part 2: memory that V8 allocates outside the isolate's ArrayBuffer allocator, and so
// outside memoryLimitMb, is not available to functions. Runs before any user code, and keeps no reference to what
// it replaces where user code could find it.
//
// Measured with ClearScript 7.5 (V8RuntimeConstraints.MaxArrayBufferAllocation = memoryLimitMb): a
// WebAssembly.Memory, a resizable ArrayBuffer and a growable SharedArrayBuffer reserve and commit their pages through
// V8's page allocator, not through the embedder's allocator, so a 128 MiB function could take 1.3 GiB (wasm) and
// 2 GiB (resizable buffers) of the process's memory. Fixed-length ArrayBuffers and SharedArrayBuffers are counted.

const WASM_UNAVAILABLE = "WebAssembly is not available in Granary's isolates: its memory cannot be bounded by memoryLimitMb";
const RESIZABLE_UNAVAILABLE = "Resizable ArrayBuffers are not available in Granary's isolates: their memory cannot be bounded by memoryLimitMb";

(function sealWebAssembly() {
  const original = globalThis.WebAssembly;
  const names = original ? _Object.getOwnPropertyNames(original) : [];
  const unavailable = _Object.create(null);
  for (const name of names) {
    // Each member throws, whether called or constructed: code that feature-tests WebAssembly finds it, and learns why
    // it cannot use it from the first call.
    const member = function () { throw new _Error(WASM_UNAVAILABLE); };
    _defineProperty(member, 'name', { value: name });
    _defineProperty(unavailable, name, { value: member, enumerable: false });
  }
  _defineProperty(unavailable, _Symbol.toStringTag, { value: 'WebAssembly' });
  _freeze(unavailable);
  // Neither writable nor configurable: deleting or replacing it cannot bring the original back (nothing else refers
  // to it), and every later look finds the same object.
  _defineProperty(globalThis, 'WebAssembly', { value: unavailable, writable: false, configurable: false, enumerable: false });
})();

// A resizable buffer is made only by its constructor (new ArrayBuffer(n, { maxByteLength })) or by transferring a
// resizable one, so guarding the constructors is enough. The guard is a proxy: instanceof, subclassing, species and
// static members behave as before, and the original constructor is never handed out (the prototypes' `constructor`
// points at the guard too).
const _construct = Reflect.construct;
function guardResizable(name) {
  const original = globalThis[name];
  if (typeof original !== 'function') return;
  const guarded = new Proxy(original, {
    construct(target, args, newTarget) {
      const options = args[1];
      // Read once, and the options are not passed on: a getter cannot answer differently when V8 reads it.
      if (options !== null && typeof options === 'object' && options.maxByteLength !== undefined) throw new RangeError(RESIZABLE_UNAVAILABLE);
      return _construct(target, [args[0]], newTarget === guarded ? target : newTarget);
    },
  });
  _defineProperty(original.prototype, 'constructor', { value: guarded, writable: true, configurable: true, enumerable: false });
  defineGlobal(name, guarded);
}
guardResizable('ArrayBuffer');
guardResizable('SharedArrayBuffer');
