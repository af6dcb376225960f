// ---------------------------------------------------------------- module: createRequire, builtinModules, isBuiltin
// require('module') gives what packages use of Node's: a require for another file's directory (createRequire, as
// ESM-aware packages call it with import.meta.url or __filename), and the list of built-in module names.
const builtinModule = builtinOnce(() => {
  const { invalidArgType, nodeError } = builtinInternals();
  const builtinNames = _freeze([...NODE_BUILTINS].sort());
  const isBuiltin = (name) => {
    const s = _String(name);
    return NODE_BUILTINS.has(s.startsWith('node:') ? s.slice(5) : s);
  };
  function createRequire(filename) {
    let path = filename instanceof URL ? filename.href : filename;
    if (typeof path !== 'string') throw invalidArgType('filename', ['string', 'URL'], filename);
    if (path.startsWith('file://')) path = decodeURIComponent(new URL(path).pathname);
    if (!path.startsWith('/')) {
      throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE',
        `The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received ${builtinInternals().inspect(filename)}`);
    }
    // A directory is given with its trailing slash, as Node reads it; the function's own directory resolves as its require does.
    const directory = path.endsWith('/') ? path.slice(0, -1) || '/' : path.slice(0, path.lastIndexOf('/')) || '/';
    const from = directory === '/function' ? undefined : directory;
    const require = (request) => requireFrom(request, from);
    require.resolve = (request) => resolveFrom(request, from);
    require.cache = packageRequireCache;
    return require;
  }
  function Module(id = '', parent = undefined) {
    this.id = id;
    this.path = id.slice(0, id.lastIndexOf('/')) || '.';
    this.exports = {};
    this.filename = null;
    this.loaded = false;
    this.children = [];
    this.paths = [];
    this.parent = parent;
  }
  _Object.assign(Module, {
    Module,
    builtinModules: builtinNames,
    createRequire,
    isBuiltin,
    _cache: packageRequireCache,
    _extensions: _Object.create(null),
    _pathCache: _Object.create(null),
    globalPaths: [],
    syncBuiltinESMExports() {},
    wrap: (script) => `(function (exports, require, module, __filename, __dirname) { ${script}\n});`,
    wrapper: ['(function (exports, require, module, __filename, __dirname) { ', '\n});'],
  });
  return Module;
});
