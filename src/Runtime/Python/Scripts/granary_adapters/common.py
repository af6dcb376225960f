"""What every signature module shares: the request as the host delivers it, the response as the host reads it,
calling the function (sync or async, with as many arguments as it takes), and the few pieces of state the package
keeps (the event loop, whether the function's module imported Flask)."""

import asyncio
import base64
import functools
import importlib.util
import inspect
import io
import json
import os
import sys
import types
from http import HTTPStatus
from urllib.parse import unquote, unquote_plus, unquote_to_bytes

# Every module of the package sits in this directory: their frames are the package's, not the function's.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class BindError(Exception):
    """The module ran but offers nothing to call; `kind` is the CodeError kind the host reports."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Signature:
    """One calling convention as the package knows it. `adapter(fn, meta, host)` returns invoke(request);
    `hint` shows how to define the function when it is missing; `fallbacks` are the names tried after the handler;
    `shims` install, before the module runs, the modules the convention's runtime lets it import (besides the
    Functions Framework, CloudEvents and `granary` modules every convention gets); a signature with `compile`
    compiles its own module, gets no shim, and is bound to the whole module instead of one function of it."""

    __slots__ = ("name", "adapter", "hint", "fallbacks", "shims", "compile")

    def __init__(self, name, adapter, hint=None, fallbacks=(), shims=(), compile=None):  # noqa: A002 - the step it names
        self.name, self.adapter, self.hint = name, adapter, hint
        self.fallbacks, self.shims, self.compile = fallbacks, shims, compile


class _StoreKeys:
    """len(), iteration and `in` of a mapping whose keys are those of the dict it keeps in `_store` (the shims' dicts)."""

    __slots__ = ()

    def __len__(self):
        return len(self._store)

    def __iter__(self):
        return iter(self._store)

    def __contains__(self, key):
        return key in self._store


class _State:
    """What the package decides at load and reads later, in one place: a module-level name rebound in one module is
    not seen by another that imported it."""

    __slots__ = ("flask_mode",)

    def __init__(self):
        self.flask_mode = None  # None until bind decides; True when the function's module imported Flask


state = _State()


# ---------------------------------------------------------------------------------------------------------------
# The request as the host delivers it, and the response as the host reads it.

_b64decode = base64.b64decode
_b64encode = base64.b64encode
_py_dumps = json.dumps  # Python's own spacing: {"a": 1}
_compact_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def _raw_bytes(req):
    body = req.get("body") or ""
    if req.get("encoding") == "base64":
        return _b64decode(body)
    return body.encode("utf-8")


def _raw_text(req):
    body = req.get("body") or ""
    if req.get("encoding") == "base64":
        return _b64decode(body).decode("utf-8", "replace")
    return body


def _header_map(pairs):
    """Lowercased name -> value, duplicates joined as Node joins them (cookie with '; ', set-cookie kept apart)."""
    headers = {}
    for name, value in pairs:
        key = name.lower()
        if key == "set-cookie":
            headers.setdefault(key, []).append(value)
        elif key in headers:
            headers[key] += ("; " if key == "cookie" else ", ") + value
        else:
            headers[key] = value
    return headers


def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json_type(media_type):
    # application/json or application/<anything>+json, as the JavaScript adapters test it.
    if media_type == "application/json":
        return True
    return media_type.startswith("application/") and media_type.endswith("+json") and "/" not in media_type[12:]


def _query_object(qs):
    """The query string as Node's adapters give it: a repeated key becomes a list."""
    query = {}
    for key, value in _query_pairs(qs):
        if key in query:
            previous = query[key]
            if isinstance(previous, list):
                previous.append(value)
            else:
                query[key] = [previous, value]
        else:
            query[key] = value
    return query


def _query_pairs(qs):
    pairs = []
    if not qs:
        return pairs
    for part in qs.lstrip("?").split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def _serialize(status, headers, body, method=None):
    """The response as the host reads it, {status, headers, body, encoding}: a str body travels as text, bytes as text
    when they are UTF-8, else as base64."""
    if method == "HEAD":
        body = None
    if body is None or body == "" or body == b"":
        return {"status": status, "headers": headers, "body": "", "encoding": "utf8"}
    if isinstance(body, str):
        return {"status": status, "headers": headers, "body": body, "encoding": "utf8"}
    body = bytes(body)
    try:
        return {"status": status, "headers": headers, "body": body.decode("utf-8"), "encoding": "utf8"}
    except UnicodeDecodeError:
        return {"status": status, "headers": headers, "body": _b64encode(body).decode("ascii"), "encoding": "base64"}


def _problem(status, title, detail):
    body = _compact_dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return {"status": status, "headers": [["Content-Type", "application/problem+json"]], "body": body, "encoding": "utf8"}


class _BadRequest(Exception):
    """A body the adapter cannot hand to the function: 400 problem details, the function is not called."""

    def __init__(self, title, detail):
        super().__init__(detail)
        self.title = title
        self.detail = detail


def _parse_json_body(req):
    try:
        return json.loads(_raw_text(req))
    except ValueError as error:
        raise _BadRequest("Malformed JSON body", "The request body is not valid JSON: " + str(error)) from None


def _bad_request(error):
    return {"response": _problem(400, error.title, error.detail), "error": None, "outcome": "bad-request", "changes": None}


def _out(response, error=None, outcome=None, changes=None):
    if error is not None:
        _clean_traceback(error)
    return {"response": response, "error": error, "outcome": outcome, "changes": changes}


_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_FRAMEWORK_PACKAGES = (os.sep + "flask" + os.sep, os.sep + "werkzeug" + os.sep)


def _clean_traceback(error, seen=None):
    """Unlinks the adapters' and asyncio's frames from an exception's traceback (and its cause and context), and
    Flask's frames before the function's own, so that the worker logs the function's frames only."""
    seen = seen if seen is not None else set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kept = []
        tb = error.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            directory = os.path.dirname(filename)
            if directory != _PACKAGE_DIR and directory != _ASYNCIO_DIR:
                if kept or not any(package in filename for package in _FRAMEWORK_PACKAGES):
                    kept.append(tb)
            tb = tb.tb_next
        for first, second in zip(kept, kept[1:]):
            first.tb_next = second
        if kept:
            kept[-1].tb_next = None
        error.__traceback__ = kept[0] if kept else None
        if error.__cause__ is not None:
            _clean_traceback(error.__cause__, seen)
        error = error.__context__


# ---------------------------------------------------------------------------------------------------------------
# Calling the function: sync or async, with as many arguments as it takes.

_loop = None


def _event_loop():
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop


def _settle(value):
    """Runs a coroutine (or any awaitable) the function returned to completion; other values pass through."""
    if inspect.isawaitable(value):
        if not inspect.iscoroutine(value):
            value = _await(value)
        return _event_loop().run_until_complete(value)
    return value


async def _await(awaitable):
    return await awaitable


def _positional_capacity(fn, wanted):
    """How many of `wanted` positional arguments fn accepts (Python, unlike JavaScript, refuses extra ones)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return wanted
    count = 0
    for parameter in parameters:
        if parameter.kind == parameter.VAR_POSITIONAL:
            return wanted
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return min(count, wanted)


def _two_argument_caller(fn):
    capacity = _positional_capacity(fn, 2)
    if capacity >= 2:
        return fn
    if capacity == 1:
        return lambda a, b: fn(a)
    return lambda a, b: fn()


def _new_id():
    import uuid  # only the paths that make CloudEvents need it
    return str(uuid.uuid4())


def _is_decimal(value):
    # A Decimal exists only once its module is imported, so the adapters need not import it (a millisecond of every
    # worker's start) to recognise one.
    cls = getattr(sys.modules.get("decimal"), "Decimal", None)
    return isinstance(cls, type) and isinstance(value, cls)


def _reraise_fatal(error):
    # The worker answers a MemoryError itself (the process is replaced); nothing here may swallow it.
    if isinstance(error, MemoryError):
        raise error


# ---------------------------------------------------------------------------------------------------------------
# HTTP names, WSGI environs and cookies, for the shims of bottle (kyma) and werkzeug (http).

_HTTP_NAMES = {status.value: status.phrase for status in HTTPStatus}
_HTTP_NAMES[418] = "I'm a teapot"


def _html_escape(text, apostrophe="&#39;"):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", apostrophe)


def _request_environ(req, headers_pairs, body_bytes):
    """A WSGI environ for the request (PATH_INFO decoded as WSGI servers do, latin-1)."""
    path = req["path"] or "/"
    query = (req.get("query") or "").lstrip("?")
    environ = {
        "REQUEST_METHOD": req["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": path + (req.get("query") or ""),
        "REQUEST_URI": path + (req.get("query") or ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body_bytes),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    host = None
    for name, value in headers_pairs:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
            environ[key] = value
            continue
        key = "HTTP_" + key
        if key in environ:
            environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + value
        else:
            environ[key] = value
        if key == "HTTP_HOST" and host is None:
            host = value
    host = host or "localhost"
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and "]" not in port:
        environ["SERVER_NAME"], environ["SERVER_PORT"] = name, port
    else:
        environ["SERVER_NAME"], environ["SERVER_PORT"] = host, "80"
    environ.setdefault("HTTP_HOST", host)
    if body_bytes and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body_bytes))
    return environ


class _ShimRequest:
    """What the shims' request objects (bottle's for kyma, werkzeug's for http) share: the host's request, its headers
    by lowercased name, and the body and WSGI environ, each read when first asked for."""

    def __init__(self, req, headers_map):
        self._req = req
        self._headers_map = headers_map  # lowercased name -> value
        self._raw = None
        self._environ = None
        self.method = req["method"]

    def _body(self):
        if self._raw is None:
            self._raw = _raw_bytes(self._req)
        return self._raw

    @property
    def environ(self):
        if self._environ is None:
            self._environ = _request_environ(self._req, self._req["headers"], self._body())
        return self._environ

    def _forwarded_for(self):
        forwarded = self._headers_map.get("x-forwarded-for")
        return [ip.strip() for ip in forwarded.split(",")] if forwarded else []


def _cookie_pairs(header):
    pairs = []
    if not header:
        return pairs
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        pairs.append((name.strip(), unquote(value)))
    return pairs


# ---------------------------------------------------------------------------------------------------------------
# CloudEvent data (kyma, cloudevent) and shim modules.

def _json_or_bytes(raw):
    """The CloudEvents Python SDK's reading of a binary-mode body: JSON when it parses, else the bytes."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return raw


def _ce_data(req, event, headers):
    if "ce-specversion" in headers:
        return _json_or_bytes(_raw_bytes(req))
    if "data_base64" in event:
        return _b64decode(event["data_base64"])
    return event.get("data")


def _importable(name):
    """Whether a real (not Granary's shim) module of that name can be imported, without importing it."""
    if name in sys.modules:
        module = sys.modules[name]
        return module is not None and not getattr(module, "__granary_shim__", False)
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _module(name, attributes, package=False):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    module.__granary_shim__ = True
    if package:
        module.__path__ = []
    sys.modules[name] = module
    return module
