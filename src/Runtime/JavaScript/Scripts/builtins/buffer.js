// ---------------------------------------------------------------- buffer
const builtinBuffer = builtinOnce(() => {
  const kMaxLength = 2 ** 32;
  const mod = {
    Buffer,
    constants: _freeze({ MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 536870888 }),
    kMaxLength,
    kStringMaxLength: 536870888,
    INSPECT_MAX_BYTES: 50,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
  };
  if (typeof globalThis.Blob === 'function') mod.Blob = globalThis.Blob;
  if (typeof globalThis.File === 'function') mod.File = globalThis.File;
  return _freeze(mod);
});
