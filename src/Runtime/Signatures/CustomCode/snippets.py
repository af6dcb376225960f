"""Signature `snippets`: a workspace's Custom Code functions in Python. The module the worker gets is JSON,
{"functions": {name: {"code", "parameters", "params"?, "types"?, "defaults"?}}, "usesCache"?}. Each body
becomes `async def name(*, <params>)` with its own line numbers; siblings are called with await. A request is
POST /run/{function} with {"parameters": {...}}, answered as Signatures/CustomCode/snippets.js answers it."""

import ast
import builtins
import copy
import datetime
import json
import linecache
import math
import sys
import time
import traceback
import types
from collections.abc import Mapping
from urllib.parse import unquote

from .common import (Signature, _clean_traceback, _compact_dumps, _event_loop, _is_decimal, _out, _raw_text,
                     _reraise_fatal, _serialize)


MAX_CALL_DEPTH = 64

_TYPE_CHECKS = {
    "string": lambda v: type(v) is str,
    "number": lambda v: (type(v) is int or type(v) is float) and math.isfinite(v),
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}


def _canonical(value):
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


class SnippetCache(dict):
    """The workspace cache as a snippet sees it: a dict over this run's snapshot, plus the atomic helpers
    `await cache.incr(key, by=1)` and `await cache.decr(key, by=1)`, applied by the workspace grain."""

    __slots__ = ("_host", "_before", "_applied")

    def __init__(self, snapshot, host):
        super().__init__(snapshot or {})
        self._host = host
        self._before = {key: _canonical(value) for key, value in self.items()}
        self._applied = {}

    async def incr(self, key, by=1):
        return self._atomic(key, by, 1)

    async def decr(self, key, by=1):
        return self._atomic(key, by, -1)

    def _atomic(self, key, by, sign):
        key = str(key)
        if isinstance(by, bool) or not isinstance(by, (int, float)):
            by = float(by)
        value = self._host.cache_incr(key, by * sign)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        self[key] = value
        self._applied[key] = _canonical(value)
        return value

    def changes(self):
        """{"set": {key: json}, "deleted": [key]} as JSON, or None: the keys whose value changed (compared as
        JSON, so a nested change counts) and the keys removed."""
        changed = {}
        before = self._before
        applied = self._applied
        for key, value in self.items():
            text = _canonical(value)
            if text is None:
                continue
            if text != before.get(key) and text != applied.get(key):
                changed[key if isinstance(key, str) else str(key)] = text
        deleted = [key for key in before if key not in self]
        if not changed and not deleted:
            return None
        return _compact_dumps({"set": changed, "deleted": deleted})


class _SnippetSpec:
    __slots__ = ("params", "types", "defaults")

    def __init__(self, params, types_, defaults):
        self.params = params
        self.types = types_
        self.defaults = defaults


def _snippet_spec(definition):
    parameters = definition.get("parameters") or {}
    params = definition.get("params")
    if params is None:
        params = list(parameters.keys())
    types_ = definition.get("types")
    if types_ is None:
        types_ = {}
        for name, parameter in parameters.items():
            declared = (parameter or {}).get("type")
            if declared is not None:
                types_[name] = declared if isinstance(declared, list) else [declared]
    defaults = definition.get("defaults")
    if defaults is None:
        defaults = {name: parameter["default"] for name, parameter in parameters.items() if isinstance(parameter, dict) and "default" in parameter}
    return _SnippetSpec(list(params), {k: list(v) for k, v in types_.items()}, dict(defaults))


def _snippet_syntax_error(name, error):
    line = error.lineno
    message = "%s (function '%s'%s)" % (error.msg, name, ", line %d" % line if line else "")
    details = (None, line, error.offset, error.text)
    if sys.version_info >= (3, 10):
        details = details + (getattr(error, "end_lineno", None), getattr(error, "end_offset", None))
    wrapped = SyntaxError(message, details)
    wrapped.granary_function = name
    return wrapped


def _compile_snippet(name, body, params, namespace):
    filename = "<snippet %s>" % name
    try:
        tree = ast.parse(body, filename, "exec")
        arguments = ast.arguments(posonlyargs=[], args=[], vararg=None,
                                  kwonlyargs=[ast.arg(arg=p, annotation=None) for p in params],
                                  kw_defaults=[None for _ in params], kwarg=None, defaults=[])
        fields = {"name": name, "args": arguments, "body": tree.body or [ast.Pass()], "decorator_list": [], "returns": None}
        if sys.version_info >= (3, 12):
            fields["type_params"] = []
        node = ast.AsyncFunctionDef(**fields)
        node.lineno, node.col_offset = 1, 0
        module = ast.Module(body=[node], type_ignores=[])
        ast.fix_missing_locations(module)
        code = compile(module, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise _snippet_syntax_error(name, error) from None
    except ValueError as error:  # a null byte in the source
        raise SyntaxError("%s (function '%s')" % (error, name)) from None
    lines = body.splitlines(True)
    linecache.cache[filename] = (len(body), None, lines, filename)
    exec(code, namespace)  # noqa: S102 - defines the one async function
    return namespace.pop(name)


def _compile_snippets(code):
    try:
        spec = json.loads(code)
    except ValueError as error:
        raise SyntaxError("The snippets module is not valid JSON: %s" % error) from None
    functions = spec.get("functions") or {}
    module = types.ModuleType("granary_snippets")
    namespace = module.__dict__
    namespace["__builtins__"] = builtins
    namespace["cache"] = SnippetCache({}, None)
    specs = {}
    bodies = {}
    for name, definition in functions.items():
        snippet = _snippet_spec(definition)
        bodies[name] = _compile_snippet(name, definition.get("code") or "", snippet.params, namespace)
        specs[name] = snippet
    depth = [0]

    async def call(name, parameters):
        if depth[0] >= MAX_CALL_DEPTH:
            raise RecursionError("Maximum function call depth of %d exceeded calling '%s'" % (MAX_CALL_DEPTH, name))
        snippet = specs[name]
        arguments = {}
        defaults = snippet.defaults
        for param in snippet.params:
            if param in parameters:
                arguments[param] = parameters[param]
            elif param in defaults:
                value = defaults[param]
                arguments[param] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
            else:
                arguments[param] = None
        depth[0] += 1
        try:
            return await bodies[name](**arguments)
        finally:
            depth[0] -= 1

    def sibling(name):
        def run(parameters=None, /, **kwargs):
            if parameters is None:
                merged = kwargs
            elif isinstance(parameters, Mapping):
                merged = dict(parameters)
                merged.update(kwargs)
            else:
                raise TypeError("%s() takes its parameters as keyword arguments or as one dict, not %s" % (name, type(parameters).__name__))
            return call(name, merged)
        run.__name__ = run.__qualname__ = name
        return run

    for name in specs:
        namespace[name] = sibling(name)
    module.__granary_snippets__ = (specs, call, depth)
    return module


def _iso_ms(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000.0, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def _log_entry(line):
    if "time" in line:
        return {"level": line.get("level"), "message": line.get("message"), "timestamp": _iso_ms(line.get("time") or time.time() * 1000)}
    return line


def _snippet_json_default(value):
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if _is_decimal(value):
        return float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _snippet_dumps(body):
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_snippet_json_default)
    except ValueError:
        # NaN and Infinity are null in JSON, as JSON.stringify writes them.
        return json.dumps(_finite(body), ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_snippet_json_default)


def _user_traceback(error):
    _clean_traceback(error)
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip("\n")


def _snippets_adapter(module, meta, host):
    specs, call, depth = module.__granary_snippets__
    namespace = module.__dict__
    take_logs = getattr(host, "take_logs", None)
    json_headers = [["Content-Type", "application/json; charset=utf-8"]]

    def reply(method, status, body):
        return _serialize(status, json_headers, _snippet_dumps(body), method)

    def not_found(method, name):
        return _out(reply(method, 404, {"error": "ObjectNotFoundError", "message": "Object not found", "details": {"path": "/run/" + name}}))

    def invalid(method, message):
        return _out(reply(method, 400, {"error": "RequestValidationError", "message": message}))

    def logs():
        if take_logs is None:
            return []
        return [_log_entry(line) for line in take_logs()]

    def invoke(req):
        method = req["method"]
        path = req["path"]
        matched = path.startswith("/run/") and len(path) > 5 and "/" not in path[5:]
        name = unquote(path[5:]) if matched else path
        if method != "POST" or not matched or name not in specs:
            return not_found(method, name)
        body = {}
        if req.get("body"):
            try:
                body = json.loads(_raw_text(req))
            except ValueError as error:
                return invalid(method, "request/body is not valid JSON: %s" % error)
        if type(body) is not dict:
            return invalid(method, "request/body must be object")
        parameters = body["parameters"] if "parameters" in body else {}
        if type(parameters) is not dict:
            return invalid(method, "request/body/parameters must be object")
        spec = specs[name]
        for param, allowed in spec.types.items():
            if param not in parameters:
                continue
            value = parameters[param]
            if not any(_TYPE_CHECKS[t](value) for t in allowed if t in _TYPE_CHECKS):
                return invalid(method, "request/body/parameters/%s must be %s" % (param, ",".join(allowed)))
        cache = SnippetCache(req.get("state"), host)
        namespace["cache"] = cache
        depth[0] = 0
        started = time.perf_counter()
        try:
            result = _event_loop().run_until_complete(call(name, parameters))
            text = _snippet_dumps({"result": result, "logs": [], "duration": 0})
        except Exception as error:  # noqa: BLE001 - the snippet's failure is the 500
            _reraise_fatal(error)
            lines = logs()
            lines.append({"level": "error", "message": _user_traceback(error), "timestamp": _iso_ms(time.time() * 1000)})
            answer = {"error": type(error).__name__, "message": str(error), "logs": lines,
                      "duration": round((time.perf_counter() - started) * 1000, 3)}
            return _out(reply(method, 500, answer), error=error, changes=cache.changes())
        duration = round((time.perf_counter() - started) * 1000, 3)
        lines = logs()
        if lines:
            text = _snippet_dumps({"result": result, "logs": lines, "duration": duration})
        else:
            text = text[:-len(',"logs":[],"duration":0}')] + ',"logs":[],"duration":' + repr(duration) + "}"
        return _out(_serialize(200, json_headers, text, method), changes=cache.changes())

    return invoke


SIGNATURE = Signature("snippets", _snippets_adapter, compile=_compile_snippets)
