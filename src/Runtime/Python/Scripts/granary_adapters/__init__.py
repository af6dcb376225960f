"""Granary's Python signature adapters: what granary_worker.py calls to load and run a function.

The worker calls, in this order:
  before_load(meta, host)                    installs the shim modules functions may import
  compile_module(code, meta, default_compile) the snippets signature compiles its JSON module here;
                                             every other signature runs the worker's default compile
  bind(module, meta, host) -> (signature, invoke)
and then invoke(request) once per request. A request is the JSON object the JavaScript bootstrap gets
({method, path, query, headers, body, encoding, event?, state?}: the wire format, at the top of granary_worker.py);
invoke returns {"response": {status, headers, body, encoding}, "error", "outcome", "changes"}, error being what the
function raised, which the worker turns into the result's error.

Each signature's module sits in its contract's folder (src/Runtime/Signatures/<Contract>/), beside the JavaScript
adapter it mirrors in what Granary answers on the function's behalf (health routes, preflights, malformed bodies,
snippet errors); it follows the seed system's Python runtime for the arguments and for how a result becomes the
response:
  handler     skipper.py: Kipper's Python runtime, handler(event, context=None), the result sent as json.dumps
  kyma        kyma.py (bottle_shim.py): Kyma's python312 runtime (bottle), main(event, context)
  http        functions_framework.py (flask_shim.py): the Python Functions Framework (Flask), fn(request)
  cloudevent  functions_framework.py (cloudevents_shim.py): fn(cloud_event), answered "OK"
  event       functions_framework.py: fn(data, context), answered "OK"
  snippets    snippets.py: Custom Code workspace snippets in Python: async bodies, siblings, the shared cache
The host extracts them all into this one package (src/Runtime/Workers/WorkerPool.cs), beside common.py (what they share) and
helpers.py (the `granary` module functions may import).

Nothing here is imported per call: everything an invocation needs is bound in bind().
"""

import sys

from . import cloudevents_shim, functions_framework, helpers, kyma, skipper, snippets
from .common import BindError, state

__all__ = ["BindError", "before_load", "bind", "compile_module"]

# One line per module: adding a signature adds its module and its line here.
_SIGNATURES = {signature.name: signature for signature in (
    skipper.SIGNATURE,
    kyma.SIGNATURE,
    *functions_framework.SIGNATURES,
    snippets.SIGNATURE,
)}

# What every signature that binds one function of the module gets, before its own shims.
_SHIMS = (functions_framework.install, cloudevents_shim.install)


def _signature(meta):
    return _SIGNATURES.get(meta.get("signature") or "handler")


def before_load(meta, host):
    """Installs, before the function's code runs, the modules its seed runtime let it import."""
    state.flask_mode = None
    signature = _signature(meta)
    if signature is not None and signature.compile is not None:
        return
    for install in _SHIMS + (signature.shims if signature is not None else ()):
        install()
    helpers.install()


def compile_module(code, meta, default_compile):
    """Snippets compile their JSON module here; every other signature runs the worker's default compile."""
    signature = _signature(meta)
    if signature is not None and signature.compile is not None:
        return signature.compile(code)
    return default_compile(code)


def _resolve(module, handler, signature):
    fn = getattr(module, handler, None)
    if callable(fn):
        return fn
    for name in signature.fallbacks if signature is not None else ():
        fn = getattr(module, name, None)
        if callable(fn):
            return fn
    return None


def _missing_handler(module, handler, signature):
    names = sorted(name for name, value in vars(module).items()
                   if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module.__name__)
    listed = "its functions are [%s]" % ", ".join(names) if names else "it defines no functions"
    fallbacks = signature.fallbacks if signature is not None else ()
    tried = " (nor %s or %s)" % (", ".join(fallbacks[:-1]), fallbacks[-1]) if fallbacks else ""
    hint = (signature.hint if signature is not None and signature.hint else "def {0}(...): ...").format(handler)
    return "The module does not define a function '%s'%s: %s. Define it with %s" % (handler, tried, listed, hint)


def bind(module, meta, host):
    """Finds the function to call and returns (signature in force, invoke)."""
    name = meta.get("signature") or "handler"
    signature = _SIGNATURES.get(name)
    if signature is not None and signature.compile is not None:
        return name, signature.adapter(module, meta, host)
    handler = meta.get("handler") or "main"
    registered = functions_framework.registered(module, handler)
    if registered is not None:
        # A function registered with the Functions Framework's decorators decides its own signature.
        name, fn = registered
        signature = _SIGNATURES.get(name)
    else:
        fn = _resolve(module, handler, signature)
    if fn is None:
        raise BindError("handler", _missing_handler(module, handler, signature))
    state.flask_mode = sys.modules.get("flask") is not None
    if signature is None:
        raise BindError("handler", "Unknown signature '%s'." % name)
    return name, signature.adapter(fn, meta, host)
