// Granary isolate bootstrap, part 5: the signature adapters' shared part. Each adapter (one per calling convention,
// in src/Runtime/Signatures/<Contract>/, embedded to load right after this part: 41-skipper, 42-kyma,
// 45-functions-framework, 47-snippets) registers itself in adapters[signature]; it turns the host's request into the
// arguments of its calling convention and the function's result back into a response.
// An adapter returns {response, error?, outcome?, changes?}: response is the serialized response (serializeResponse),
// error is what the function threw (the response already says so), outcome marks a request answered without calling
// the function, changes is what the run changed in the state the host keeps for it (JSON). 50-module.js turns it into
// the result the host reads.
// An adapter may carry resolve(exports, handler): how it finds the function in the module's exports.

const adapters = {};

function errorInfo(e) {
  if (e instanceof _Error) return { name: e.name, message: _String(e.message), stack: e.stack ? _String(e.stack) : undefined };
  return { name: 'Error', message: typeof e === 'string' ? e : inspect(e, 1) };
}
