// Granary isolate bootstrap, part 6b: ES modules. V8 links and runs them; the host's module loader (ModuleLoader.cs)
// resolves every import (on the host, under the packages root only) and asks this part for the modules that are not
// ES modules themselves: Node's built-ins, Granary's own modules and CommonJS package files.
//
// Such a module is imported as Node imports CommonJS: its default export is module.exports, and its named exports are
// the enumerable own properties module.exports has once it has run (Node finds them with cjs-module-lexer; this simpler
// rule gives the same names for the usual `exports.x = ...` and `module.exports = { ... }` shapes, and more for modules
// that build their exports in a loop). The loader runs the generated source below as a module whose import.meta.granary
// is the exports.

function moduleShim(exported) {
  const exports = _Object.create(null);
  const lines = ['const m = import.meta.granary;', 'export default m.default;'];
  if (exported !== null && (typeof exported === 'object' || typeof exported === 'function')) {
    let i = 0;
    for (const key of _keys(exported)) {
      // A name with a lone surrogate cannot be an export name.
      if (key === 'default' || !key.isWellFormed()) continue;
      exports[key] = exported[key];
      lines.push(`const e${i} = m[${_JSON.stringify(key)}]; export { e${i} as ${_JSON.stringify(key)} };`);
      i++;
    }
  }
  exports.default = exported;
  return { source: lines.join('\n'), exports };
}

// A Node built-in (bare or node:) or one of Granary's own modules, with the same allow-list as require; null for any
// other name, which the loader resolves as a package.
function builtinShim(specifier) {
  const name = _String(specifier);
  const bare = name.startsWith('node:') ? name.slice(5) : name;
  const own = name === '@google-cloud/functions-framework' || (fsEnabled && (bare === 'fs' || bare === 'fs/promises'));
  if (!own && !NODE_BUILTINS.has(bare)) return null;
  return moduleShim(requireFrom(name, undefined));
}

// A CommonJS (or JSON) file of a package, loaded once as require loads it, so that import and require share it.
function packageShim(filename) {
  return moduleShim(loadPackageModule(_String(filename)));
}

// The function's module, evaluated by the host: its namespace, or a promise of it while top-level await still waits.
// Returns the outcome as load does, or null when it comes later through host.loaded(outcome).
function loadModule(evaluated) {
  const meta = configured;
  if (!(evaluated instanceof _Promise)) return bind(evaluated, meta, true);
  evaluated.then(
    (namespace) => host.loaded(bind(namespace, meta, true)),
    (e) => host.loaded(_JSON.stringify(_Object.assign({ kind: 'load' }, errorInfo(e)))));
  return null;
}
