// Granary isolate bootstrap: the Node built-in modules implemented for V8 (require('<name>') when allowed).
// Each entry is a factory, called once per isolate on first require.
const builtinModules = {
  buffer: () => _freeze({ Buffer }),
};
