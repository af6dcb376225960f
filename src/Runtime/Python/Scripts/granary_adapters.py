"""Granary's Python signature adapters: what granary_worker.py calls to load and run a function.

The worker calls, in this order:
  before_load(meta, host)                    installs the shim modules functions may import
  compile_module(code, meta, default_compile) the snippets signature compiles its JSON module here;
                                             every other signature runs the worker's default compile
  bind(module, meta, host) -> (signature, invoke)
and then invoke(request) once per request. A request is the JSON object the JavaScript bootstrap gets
({m, p, q, h, b, e, x?, s?}); invoke returns {"r": {s, h, b, e}, "error", "outcome", "c"}.

Each signature mirrors its JavaScript adapter (Scripts/40-adapters.js, 45-functions-framework.js,
47-snippets.js) in what Granary answers on the function's behalf (health routes, preflights, malformed
bodies, snippet errors), and follows the seed system's Python runtime for the arguments and for how a
result becomes the response:
  handler     Kipper's Python runtime: handler(event, context=None), the result sent as json.dumps
  kyma        Kyma's python312 runtime (bottle): main(event, context)
  http        the Python Functions Framework (Flask): fn(request)
  cloudevent  the Python Functions Framework: fn(cloud_event), answered "OK"
  event       the Python Functions Framework: fn(data, context), answered "OK"
  snippets    Custom Code workspace snippets in Python: async bodies, siblings, the shared cache

Nothing here is imported per call: everything an invocation needs is bound in bind().
"""

import ast
import asyncio
import base64
import builtins
import copy
import datetime
import decimal
import functools
import importlib.util
import inspect
import io
import json
import linecache
import math
import os
import sys
import time
import traceback
import types
from collections.abc import Iterator, Mapping, MutableMapping
from http import HTTPStatus
from urllib.parse import quote, unquote, unquote_plus, unquote_to_bytes

_SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))


class BindError(Exception):
    """The module ran but offers nothing to call; `kind` is the CodeError kind the host reports."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


# ---------------------------------------------------------------------------------------------------------------
# The request as the host delivers it, and the response as the host reads it.

_b64decode = base64.b64decode
_b64encode = base64.b64encode
_py_dumps = json.dumps  # Python's own spacing: {"a": 1}
_compact_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def _raw_bytes(req):
    body = req.get("b") or ""
    if req.get("e") == "base64":
        return _b64decode(body)
    return body.encode("utf-8")


def _raw_text(req):
    body = req.get("b") or ""
    if req.get("e") == "base64":
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
    if not qs:
        return query
    for part in qs.lstrip("?").split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = unquote_plus(key)
        value = unquote_plus(value)
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
    """{s, h, b, e}: a str body travels as text, bytes as text when they are UTF-8, else as base64."""
    if method == "HEAD":
        body = None
    if body is None or body == "" or body == b"":
        return {"s": status, "h": headers, "b": "", "e": "utf8"}
    if isinstance(body, str):
        return {"s": status, "h": headers, "b": body, "e": "utf8"}
    body = bytes(body)
    try:
        return {"s": status, "h": headers, "b": body.decode("utf-8"), "e": "utf8"}
    except UnicodeDecodeError:
        return {"s": status, "h": headers, "b": _b64encode(body).decode("ascii"), "e": "base64"}


def _problem(status, title, detail):
    body = _compact_dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return {"s": status, "h": [["Content-Type", "application/problem+json"]], "b": body, "e": "utf8"}


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
    return {"r": _problem(400, error.title, error.detail), "error": None, "outcome": "bad-request", "c": None}


def _out(r, error=None, outcome=None, changes=None):
    if error is not None:
        _clean_traceback(error)
    return {"r": r, "error": error, "outcome": outcome, "c": changes}


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
            if directory != _SCRIPTS_DIR and directory != _ASYNCIO_DIR:
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


def _reraise_fatal(error):
    # The worker answers a MemoryError itself (the process is replaced); nothing here may swallow it.
    if isinstance(error, MemoryError):
        raise error


# ---------------------------------------------------------------------------------------------------------------
# An Express 4 style response, for the adapters that mirror the Node runtimes' HTTP behaviour (handler, kyma).

def _with_charset(value):
    lowered = value.lower()
    if "charset" in lowered and "=" in lowered.split("charset", 1)[1][:3]:
        return value
    base = lowered.split(";", 1)[0].strip()
    if base.startswith("text/") or base in ("application/javascript", "application/json"):
        return value + "; charset=utf-8"
    return value


def _set_charset_utf8(value):
    parts = [p.strip() for p in value.split(";")]
    parts = [p for p in parts if p and not p.lower().replace(" ", "").startswith("charset=")]
    parts.append("charset=utf-8")
    return "; ".join(parts)


class _ExpressResponse:
    __slots__ = ("method", "status", "fields", "body")

    def __init__(self, method):
        self.method = method
        self.status = 200
        self.fields = {}  # lowercased name -> [name, value or list of values]
        self.body = None

    def set(self, name, value):
        name = str(name)
        key = name.lower()
        if isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        else:
            value = str(value)
            if key == "content-type":
                value = _with_charset(value)
        self.fields[key] = [name, value]

    def json(self, value, dumps=_py_dumps):
        text = dumps(value)
        if "content-type" not in self.fields:
            self.fields["content-type"] = ["Content-Type", "application/json; charset=utf-8"]
        self.send(text)

    def send(self, body, dumps=_py_dumps):
        if isinstance(body, str):
            current = self.fields.get("content-type")
            if current is None:
                self.fields["content-type"] = ["Content-Type", "text/html; charset=utf-8"]
            elif not current[1].endswith("; charset=utf-8"):
                current[1] = _set_charset_utf8(current[1])
        elif body is None:
            body = ""
        elif isinstance(body, (bytes, bytearray, memoryview)):
            if "content-type" not in self.fields:
                self.fields["content-type"] = ["Content-Type", "application/octet-stream"]
            body = bytes(body)
        else:
            return self.json(body, dumps)
        if self.status == 204 or self.status == 304:
            for key in ("content-type", "content-length", "transfer-encoding"):
                self.fields.pop(key, None)
            body = ""
        self.body = body

    def serialize(self):
        status = self.status
        if type(status) is not int:
            if isinstance(status, float) and status.is_integer():
                status = int(status)
            elif isinstance(status, str) and status.strip().isdigit():
                status = int(status.strip())
            else:
                raise ValueError("Invalid status code: %r" % (self.status,))
        if status < 100 or status > 999:
            raise ValueError("Invalid status code: %r" % (self.status,))
        headers = []
        for name, value in self.fields.values():
            if isinstance(value, list):
                for v in value:
                    headers.append([name, v])
            else:
                headers.append([name, value])
        return _serialize(status, headers, self.body, self.method)


_HEALTH_BODY = '{"ok":true}'


def _health_answer(method):
    res = _ExpressResponse(method)
    res.fields["content-type"] = ["Content-Type", "application/json; charset=utf-8"]
    res.send(_HEALTH_BODY)
    return _out(res.serialize(), outcome="health")


# ---------------------------------------------------------------------------------------------------------------
# Signature `handler`: Skipper/Kipper. handler(event, context=None); the response by the Node adapter's rules,
# with the JSON Kipper's Python runtime writes (json.dumps, so {"a": 1}).

def _handler_adapter(fn, meta, host):
    call = _two_argument_caller(fn)
    identity = (meta.get("name"), meta.get("workspace"), meta.get("tenant"))
    json_type = _is_json_type

    def fail(method, error):
        res = _ExpressResponse(method)
        res.status = 500
        res.json({"error": str(error)})
        return _out(res.serialize(), error=error)

    def run_event(req, headers):
        # Kipper's event-trigger route: the JSON body ({} otherwise), the result always JSON, never unwrapped.
        method = req["m"]
        event = {}
        if req.get("b") and json_type(_media_type(headers.get("content-type"))):
            event = _parse_json_body(req)
        context = {"method": method, "path": req["p"], "headers": headers,
                   "functionName": identity[0], "workspace": identity[1], "tenant": identity[2]}
        try:
            result = _settle(call(event, context))
            res = _ExpressResponse(method)
            res.json(result or {"ok": True})
            return _out(res.serialize())
        except Exception as error:  # noqa: BLE001 - the function's failure is the 500
            _reraise_fatal(error)
            return fail(method, error)

    def invoke(req):
        method = req["m"]
        path = req["p"]
        if path == "/health" and (method == "GET" or method == "HEAD"):
            return _health_answer(method)
        headers = _header_map(req["h"])
        try:
            if path == "/event" and method == "POST":
                return run_event(req, headers)
            if not req.get("b"):
                event = {}
            elif json_type(_media_type(headers.get("content-type"))):
                event = _parse_json_body(req)
            else:
                event = _raw_text(req)
        except _BadRequest as error:
            return _bad_request(error)
        context = {
            "method": method,
            "path": path,
            "query": _query_object(req["q"]),
            "headers": headers,
            "functionName": identity[0],
            "workspace": identity[1],
            "tenant": identity[2],
        }
        try:
            result = _settle(call(event, context))
            res = _ExpressResponse(method)
            if isinstance(result, str):
                res.send(result)
            elif isinstance(result, Mapping) and result.get("statusCode"):
                res.status = result["statusCode"]
                extra = result.get("headers")
                if isinstance(extra, Mapping):
                    for name, value in extra.items():
                        res.set(name, value)
                res.send(result.get("body") or "")
            else:
                res.json(result or {"ok": True})
            return _out(res.serialize())
        except Exception as error:  # noqa: BLE001
            _reraise_fatal(error)
            return fail(method, error)

    return invoke


# ---------------------------------------------------------------------------------------------------------------
# Signature `kyma`: Kyma's python312 runtime (server.py, lib/ce.py on bottle). main(event, context), where event
# is an Event whose items are the ce-* fields, data and extensions.request (a bottle request).

class MultiDict(MutableMapping):
    """Bottle's MultiDict/FormsDict: `d[key]` and `get` give the last value, `getall` every value; a missing
    attribute is ''."""

    def __init__(self, pairs=()):
        store = {}
        for key, value in pairs:
            store.setdefault(key, []).append(value)
        object.__setattr__(self, "dict", store)

    def __len__(self):
        return len(self.dict)

    def __iter__(self):
        return iter(self.dict)

    def __contains__(self, key):
        return key in self.dict

    def __getitem__(self, key):
        return self.dict[key][-1]

    def __setitem__(self, key, value):
        self.dict.setdefault(key, []).append(value)

    def __delitem__(self, key):
        del self.dict[key]

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        values = self.dict.get(name)
        return values[-1] if values else ""

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, list(self.allitems()))

    def get(self, key, default=None, index=-1, type=None):  # noqa: A002 - bottle's signature
        try:
            value = self.dict[key][index]
            return type(value) if type else value
        except Exception:  # noqa: BLE001 - bottle returns the default for any failure
            return default

    def append(self, key, value):
        self.dict.setdefault(key, []).append(value)

    def replace(self, key, value):
        self.dict[key] = [value]

    def getall(self, key):
        return list(self.dict.get(key) or [])

    getlist = getall
    getone = get

    def getunicode(self, name, default=None, encoding=None):
        values = self.dict.get(name)
        return values[-1] if values else default

    def allitems(self):
        return [(k, v) for k, vl in self.dict.items() for v in vl]

    iterallitems = allitems

    def decode(self, encoding=None):
        return self


FormsDict = MultiDict


class HeaderDict(MutableMapping):
    """Case-insensitive headers (bottle's HeaderDict / WSGIHeaderDict): names come back title-cased."""

    def __init__(self, pairs=()):
        self._store = {}
        for name, value in pairs:
            self[name] = value

    @staticmethod
    def _key(name):
        return str(name).title()

    def __len__(self):
        return len(self._store)

    def __iter__(self):
        return iter(self._store)

    def __contains__(self, name):
        return self._key(name) in self._store

    def __getitem__(self, name):
        return self._store[self._key(name)][-1]

    def __setitem__(self, name, value):
        self._store[self._key(name)] = [str(value)]

    def __delitem__(self, name):
        del self._store[self._key(name)]

    def __repr__(self):
        return "HeaderDict(%r)" % ({k: v[-1] for k, v in self._store.items()},)

    def append(self, name, value):
        self._store.setdefault(self._key(name), []).append(str(value))

    def replace(self, name, value):
        self[name] = value

    def getall(self, name):
        return list(self._store.get(self._key(name)) or [])

    def get(self, name, default=None, index=-1):
        values = self._store.get(self._key(name))
        return values[index] if values else default

    def allitems(self):
        return [(k, v) for k, vl in self._store.items() for v in vl]


def _request_environ(req, headers_pairs, body_bytes):
    """A WSGI environ for the request (PATH_INFO decoded as WSGI servers do, latin-1)."""
    path = req["p"] or "/"
    query = (req.get("q") or "").lstrip("?")
    environ = {
        "REQUEST_METHOD": req["m"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": path + (req.get("q") or ""),
        "REQUEST_URI": path + (req.get("q") or ""),
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


class BottleRequest:
    """The request Kyma hands over as event['extensions']['request'] (a bottle BaseRequest): what functions use."""

    def __init__(self, req, headers):
        self._req = req
        self._headers = headers  # lowercased name -> value
        self._query = None
        self._forms = None
        self._body = None
        self._environ = None
        self.method = req["m"]
        self.query_string = (req.get("q") or "").lstrip("?")

    @property
    def path(self):
        return "/" + unquote(self._req["p"]).lstrip("/")

    @property
    def fullpath(self):
        return self.path

    @property
    def script_name(self):
        return "/"

    @property
    def url(self):
        return "http://" + (self._headers.get("x-forwarded-host") or self._headers.get("host") or "localhost") + self._req["p"] + (self._req.get("q") or "")

    @property
    def urlparts(self):
        from urllib.parse import urlsplit
        return urlsplit(self.url)

    @property
    def headers(self):
        return HeaderDict((name, value) for name, value in self._req["h"])

    def get_header(self, name, default=None):
        return self._headers.get(str(name).lower(), default)

    @property
    def query(self):
        if self._query is None:
            self._query = FormsDict(_query_pairs(self.query_string))
        return self._query

    GET = query

    @property
    def content_type(self):
        return (self._headers.get("content-type") or "").lower()

    @property
    def content_length(self):
        value = self._headers.get("content-length")
        if value is not None and value.strip().isdigit():
            return int(value)
        return len(self._raw())

    def _raw(self):
        if self._body is None:
            self._body = _raw_bytes(self._req)
        return self._body

    @property
    def body(self):
        return io.BytesIO(self._raw())

    @property
    def json(self):
        media_type = self.content_type.split(";", 1)[0].strip()
        if media_type not in ("application/json", "application/json-rpc"):
            return None
        raw = self._raw()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except (ValueError, TypeError):
            raise HTTPError(400, "Invalid JSON") from None

    @property
    def forms(self):
        if self._forms is None:
            pairs = []
            if self.content_type.split(";", 1)[0].strip() == "application/x-www-form-urlencoded":
                pairs = _query_pairs(self._raw().decode("latin-1"))
            self._forms = FormsDict(pairs)
        return self._forms

    POST = forms

    @property
    def params(self):
        params = FormsDict(self.query.allitems())
        for key, value in self.forms.allitems():
            params.append(key, value)
        return params

    @property
    def cookies(self):
        return FormsDict(_cookie_pairs(self._headers.get("cookie")))

    def get_cookie(self, key, default=None, secret=None):
        value = self.cookies.get(key)
        return default if value is None else value

    @property
    def remote_route(self):
        forwarded = self._headers.get("x-forwarded-for")
        return [ip.strip() for ip in forwarded.split(",")] if forwarded else []

    @property
    def remote_addr(self):
        route = self.remote_route
        return route[0] if route else None

    @property
    def is_xhr(self):
        return (self._headers.get("x-requested-with") or "").lower() == "xmlhttprequest"

    is_ajax = is_xhr

    @property
    def chunked(self):
        return "chunked" in (self._headers.get("transfer-encoding") or "").lower()

    @property
    def environ(self):
        if self._environ is None:
            self._environ = _request_environ(self._req, self._req["h"], self._raw())
        return self._environ

    def __getitem__(self, key):
        return self.environ[key]

    def get(self, key, default=None):
        return self.environ.get(key, default)

    def keys(self):
        return self.environ.keys()

    def __contains__(self, key):
        return key in self.environ

    def __repr__(self):
        return "<%s: %s %s>" % (type(self).__name__, self.method, self.url)


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


_BOTTLE_ERROR_PAGE = """
<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html>
    <head>
        <title>Error: {status}</title>
        <style type="text/css">
          html {{background-color: #eee; font-family: sans-serif;}}
          body {{background-color: #fff; border: 1px solid #ddd;
                padding: 15px; margin: 15px;}}
          pre {{background-color: #eee; border: 1px solid #ddd; padding: 5px;}}
        </style>
    </head>
    <body>
        <h1>Error: {status}</h1>
        <p>Sorry, the requested URL <tt>{url}</tt>
           caused an error:</p>
        <pre>{body}</pre>
    </body>
</html>
"""


def _status_line(status):
    if isinstance(status, int):
        return "%d %s" % (status, _HTTP_NAMES.get(status, "Unknown"))
    return str(status).strip()


def _status_code(status):
    if isinstance(status, bool):
        raise ValueError("String status line without a reason phrase.")
    if isinstance(status, int):
        code = status
    else:
        text = str(status).strip()
        head = text.split(None, 1)[0] if text else ""
        if not head.isdigit():
            raise ValueError("String status line without a reason phrase.")
        code = int(head)
    if not 100 <= code <= 999:
        raise ValueError("Status code out of range.")
    return code


class HTTPResponse(Exception):
    """bottle.HTTPResponse, for Kyma functions: return it (or raise it) to set status, headers and body."""

    default_status = 200
    default_content_type = "text/html; charset=UTF-8"

    def __init__(self, body="", status=None, headers=None, **more_headers):
        super().__init__()
        self.body = body
        self._status = self.default_status
        self.status = status or self.default_status
        self._headers = HeaderDict()
        if headers:
            items = headers.items() if isinstance(headers, Mapping) else headers
            for name, value in items:
                self._headers.append(name, value)
        for name, value in more_headers.items():
            self._headers.append(name.replace("_", "-").title(), value)

    @property
    def status(self):
        return self._status_line

    @status.setter
    def status(self, value):
        self._status_code_value = _status_code(value)
        self._status_line = _status_line(value)
        self._status = value

    @property
    def status_code(self):
        return self._status_code_value

    @status_code.setter
    def status_code(self, value):
        self.status = value

    @property
    def status_line(self):
        return self._status_line

    @property
    def headers(self):
        return self._headers

    @property
    def headerlist(self):
        headers = list(self._headers.allitems())
        if "Content-Type" not in self._headers:
            headers.append(("Content-Type", self.default_content_type))
        return headers

    @property
    def content_type(self):
        return self._headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value):
        self._headers["Content-Type"] = value

    def set_header(self, name, value):
        self._headers[name] = value

    def add_header(self, name, value):
        self._headers.append(name, value)

    def get_header(self, name, default=None):
        return self._headers.get(name, default)

    def set_cookie(self, name, value, **options):
        cookie = "%s=%s" % (name, value)
        for key, option in options.items():
            key = {"max_age": "Max-Age", "httponly": "HttpOnly", "samesite": "SameSite"}.get(key, key.replace("_", "-").title())
            if option is True:
                cookie += "; " + key
            elif option not in (None, False):
                cookie += "; %s=%s" % (key, option)
        self._headers.append("Set-Cookie", cookie)

    def __repr__(self):
        return "<%s: %s>" % (type(self).__name__, self._status_line)


class HTTPError(HTTPResponse):
    """bottle.HTTPError: answered with bottle's error page (Kyma's own 500 page for a 500)."""

    default_status = 500

    def __init__(self, status=None, body=None, exception=None, traceback=None, **more_headers):  # noqa: A002
        self.exception = exception
        self.traceback = traceback
        super().__init__(body, status, **more_headers)


def _bottle_abort(code=500, text="Unknown Error."):
    raise HTTPError(code, text)


def _bottle_redirect(url, code=None):
    response = HTTPResponse("", code or 303)
    response.set_header("Location", url)
    raise response


_KYMA_500 = "Internal server error"
_BOTTLE_DEFAULT_TYPE = "text/html; charset=UTF-8"


def _is_bottle_response(value):
    # Granary's bottle shim, or the real bottle's HTTPResponse/HTTPError when it is installed.
    if isinstance(value, HTTPResponse):
        return True
    for cls in type(value).__mro__:
        if cls.__name__ == "HTTPResponse" and cls.__module__ == "bottle":
            return True
    return False


def _bottle_headers(response):
    try:
        return [(str(k), str(v)) for k, v in response.headerlist]
    except AttributeError:
        return [(str(k), str(v)) for k, v in response.headers.items()]


class _BottleOut:
    """Bottle's Response while one result is cast (Bottle._cast and the JSON plugin)."""

    __slots__ = ("status", "headers", "content_type", "url")

    def __init__(self, url):
        self.status = 200
        self.headers = []
        self.content_type = None
        self.url = url

    def error_page(self, error):
        self.status = error.status_code
        self.headers = [h for h in _bottle_headers(error) if h[0].lower() != "content-type"]
        if error.status_code == 500:
            return _KYMA_500
        return _BOTTLE_ERROR_PAGE.format(status=_html_escape(error.status_line, "&#039;"), url=_html_escape(repr(self.url), "&#039;"),
                                         body=_html_escape("" if error.body is None else str(error.body), "&#039;"))

    def cast(self, out):
        if isinstance(out, dict):
            self.content_type = "application/json"
            return _py_dumps(out).encode("utf-8")
        if not out:
            return b""
        if isinstance(out, (tuple, list)) and isinstance(out[0], (bytes, str)):
            out = out[0][0:0].join(out)
        if isinstance(out, str):
            return out.encode("utf-8")
        if isinstance(out, bytes):
            return out
        if _is_bottle_response(out):
            if isinstance(out, HTTPError) or type(out).__name__ == "HTTPError":
                return self.cast(self.error_page(out))
            self.status = out.status_code
            self.headers = _bottle_headers(out)
            body = out.body
            if isinstance(body, dict):
                self.headers = [h for h in self.headers if h[0].lower() != "content-type"]
                self.content_type = "application/json"
                return _py_dumps(body).encode("utf-8")
            return self.cast(body)
        if hasattr(out, "read"):
            return self.cast(out.read())
        try:
            iterator = iter(out)
        except TypeError:
            raise TypeError("Unsupported response type: %s" % type(out)) from None
        try:
            first = next(iterator)
            while not first:
                first = next(iterator)
        except StopIteration:
            return b""
        if _is_bottle_response(first):
            return self.cast(first)
        if isinstance(first, bytes):
            return first + b"".join(iterator)
        if isinstance(first, str):
            return (first + "".join(iterator)).encode("utf-8")
        raise TypeError("Unsupported response type: %s" % type(first))


class Event:
    """Kyma's python Event (lib/ce.py): event['data'], event['ce-type'], event['extensions']['request'], and the
    SDK methods. A missing item raises KeyError, as in Kyma; `get` and `in` are Granary's additions."""

    def __init__(self, ce_headers, req, publisher, tracer=None):
        self.ceHeaders = ce_headers
        self.tracer = tracer
        self.req = req
        self._publisher = publisher

    def __getitem__(self, item):
        return self.ceHeaders[item]

    def __setitem__(self, name, value):
        self.ceHeaders[name] = value

    def __contains__(self, item):
        return item in self.ceHeaders

    def get(self, item, default=None):
        return self.ceHeaders.get(item, default)

    def __repr__(self):
        return "<Event %r>" % ({k: v for k, v in self.ceHeaders.items() if k != "extensions"},)

    def emitCloudEvent(self, type, source, data, optionalCloudEventAttributes=None):  # noqa: N802,A002 - Kyma's API
        attributes = {"type": type, "source": source}
        if optionalCloudEventAttributes is not None:
            attributes.update(optionalCloudEventAttributes)
        event = {str(k).lower(): v for k, v in attributes.items()}
        event.setdefault("specversion", "1.0")
        event.setdefault("id", _new_id())
        event.setdefault("time", datetime.datetime.now(datetime.timezone.utc).isoformat())
        if isinstance(data, (bytes, bytearray, memoryview)):
            event["data_base64"] = _b64encode(bytes(data)).decode("ascii")
        else:
            event["data"] = data
        self._publisher(_py_dumps(event, default=str), "application/cloudevents+json")

    def publishCloudEvent(self, data):  # noqa: N802
        import logging
        logging.warning('"publishCloudEvent" is deprecated. Use "emitCloudEvent"')
        return self._publisher(_py_dumps(data, default=str), "application/cloudevents+json")

    def buildResponseCloudEvent(self, event_id, event_type, event_data):  # noqa: N802
        import logging
        logging.warning('"buildResponseCloudEvent" is deprecated. Use "emitCloudEvent"')
        return {
            "type": event_type,
            "source": self.ceHeaders["ce-source"],
            "eventtypeversion": self.ceHeaders["ce-eventtypeversion"],
            "specversion": self.ceHeaders["ce-specversion"],
            "id": event_id,
            "data": event_data,
            "datacontenttype": "application/json" if type(event_data) is dict else "text/plain" if type(event_data) is str else None,
        }


class PublishResult:
    """What publishCloudEvent returns (the fields of the requests.Response Kyma returns)."""

    def __init__(self, status_code, headers, content):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.ok = status_code < 400

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


def _publisher(meta):
    timeout = float(meta.get("timeoutSeconds") or 30)

    # Where events go is the operator's to say (Granary:Python:PublisherProxyAddress), never the function's: its env
    # (PUBLISHER_PROXY_ADDRESS included) and secrets cannot redirect what Granary itself sends.
    address = meta.get("publisherProxyAddress")
    relay = meta.get("_relay")

    def publish(body, content_type):
        if not address:
            raise RuntimeError("No event publisher is configured: the operator sets Granary:Python:PublisherProxyAddress.")
        from urllib.parse import urlsplit
        if urlsplit(address).scheme not in ("http", "https") or not urlsplit(address).hostname:
            raise RuntimeError("The event publisher address %r (Granary:Python:PublisherProxyAddress) is not an http:// or https:// URL." % address)
        import urllib.error
        import urllib.request
        # Sandboxed, through the worker's egress relay (the host lets exactly the configured publisher through);
        # otherwise directly. Never through proxies named by the function's env.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": relay, "https": relay} if relay else {}))
        request = urllib.request.Request(address, data=body.encode("utf-8"), method="POST", headers={"Content-Type": content_type})
        try:
            with opener.open(request, timeout=timeout) as response:  # noqa: S310 - the configured publisher
                return PublishResult(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            # requests.post (Kyma) does not raise on an error status: neither does Granary.
            return PublishResult(error.code, dict(error.headers.items()) if error.headers else {}, error.read() or b"")

    return publish


class _NoopSpan:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def end(self, *args, **kwargs):
        pass

    def set_attribute(self, *args, **kwargs):
        return self

    set_attributes = add_event = set_status = update_name = record_exception = set_attribute

    def is_recording(self):
        return False


class _NoopTracer:
    """event.tracer with the OpenTelemetry tracer's shape; its spans are not exported."""

    def start_span(self, *args, **kwargs):
        return _NoopSpan()

    def start_as_current_span(self, *args, **kwargs):
        return _NoopSpan()


_NOOP_TRACER = _NoopTracer()


def _json_or_bytes(raw):
    """The CloudEvents Python SDK's reading of a binary-mode body: JSON when it parses, else the bytes."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return raw


def _ce_data(req, x, headers):
    if "ce-specversion" in headers:
        return _json_or_bytes(_raw_bytes(req))
    if "data_base64" in x:
        return _b64decode(x["data_base64"])
    return x.get("data")


def _kyma_adapter(fn, meta, host):
    call = _two_argument_caller(fn)
    memory = meta.get("memoryLimitMb")
    body_limit = meta.get("bodySizeLimitMb")
    context = {
        "function-name": meta.get("name"),
        "namespace": meta.get("workspace"),
        "timeout": float(meta.get("timeoutSeconds") or 180),
        "runtime": "python312",
        "memory-limit": ("%dMi" % memory) if memory else None,
        "body-size-limit": int(body_limit * 1024 * 1024) if body_limit else 104857600,
    }
    publish = _publisher(meta)
    cors = ["Access-Control-Allow-Origin", "*"]

    def answer(method, status, headers, body):
        return _serialize(status, [cors] + headers, body, method)

    def fail(method, error):
        # Kyma's @app.error(500) page; a raised string has no special meaning in Python.
        return _out(answer(method, 500, [["Content-Type", _BOTTLE_DEFAULT_TYPE]], _KYMA_500), error=error)

    def invoke(req):
        method = req["m"]
        path = req["p"]
        if method == "OPTIONS":
            headers = _header_map(req["h"])
            extra = []
            if headers.get("access-control-request-method"):
                extra.append(["Access-Control-Allow-Methods", headers["access-control-request-method"]])
            if headers.get("access-control-request-headers"):
                extra.append(["Access-Control-Allow-Headers", headers["access-control-request-headers"]])
            return _out(answer(method, 200, extra, None), outcome="preflight")
        if method == "GET":
            if path == "/healthz":
                return _out(answer(method, 200, [["Content-Type", "text/html; charset=utf-8"]], "OK"), outcome="health")
            if path == "/favicon.ico":
                return _out(answer(method, 204, [], None), outcome="health")
        headers = _header_map(req["h"])
        request = BottleRequest(req, headers)
        ce_headers = {"extensions": {"request": request}}
        x = req.get("x")
        if x is not None:
            ce_headers["data"] = _ce_data(req, x, headers)
            ce_headers["ce-type"] = x.get("type")
            ce_headers["ce-source"] = x.get("source")
            ce_headers["ce-id"] = x.get("id")
            ce_headers["ce-time"] = x.get("time")
            if x.get("eventtypeversion") is not None:
                ce_headers["ce-eventtypeversion"] = x["eventtypeversion"]
            if x.get("specversion") is not None:
                ce_headers["ce-specversion"] = x["specversion"]
        elif headers.get("content-type") == "application/json":
            # Kyma reads data only for exactly this content type (lib/ce.py), through bottle's request.json.
            if req.get("b"):
                try:
                    ce_headers["data"] = _parse_json_body(req)
                except _BadRequest as error:
                    return _bad_request(error)
            else:
                ce_headers["data"] = None
        event = Event(ce_headers, request, publish, _NOOP_TRACER)
        out = _BottleOut(request.url)
        try:
            try:
                result = _settle(call(event, context))
            except HTTPResponse as raised:
                result = raised
            except Exception as raised:  # noqa: BLE001
                _reraise_fatal(raised)
                if not _is_bottle_response(raised):
                    raise
                result = raised
            if isinstance(result, Exception) and not _is_bottle_response(result):
                # Kyma's server re-raises an exception the function returned (func_with_context hands either back).
                raise result
            content_type = None
            result_headers = getattr(result, "headers", None)
            if result_headers is not None and not isinstance(result, (str, bytes)):
                try:
                    if "content-type" in result_headers:
                        content_type = str(result_headers["content-type"])
                except Exception:  # noqa: BLE001 - an odd headers object is not the response's business
                    content_type = None
            body = out.cast(result)
        except Exception as error:  # noqa: BLE001
            _reraise_fatal(error)
            return fail(method, error)
        status = out.status
        response_headers = [list(h) for h in out.headers]
        if out.content_type is not None:
            content_type = out.content_type
        if not any(h[0].lower() == "content-type" for h in response_headers):
            response_headers.append(["Content-Type", content_type or _BOTTLE_DEFAULT_TYPE])
        if status == 204 or status == 304:
            response_headers = [h for h in response_headers if h[0].lower() != "content-type"]
            body = None
        error = None
        if status == 500 and isinstance(result, HTTPError):
            error = result
        return _out(answer(method, status, response_headers, body), error=error)

    return invoke


# ---------------------------------------------------------------------------------------------------------------
# The Functions Framework (Python, on Flask): the request object, responses, HTTP errors.

_HTTP_NAMES = {status.value: status.phrase for status in HTTPStatus}
_HTTP_NAMES[418] = "I'm a teapot"


def _html_escape(text, apostrophe="&#39;"):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", apostrophe)


class HTTPException(Exception):
    """werkzeug.exceptions.HTTPException: an error with a status and an HTML page."""

    code = None
    description = None

    def __init__(self, description=None, response=None):
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self):
        return _HTTP_NAMES.get(self.code, "Unknown Error")

    def get_description(self, environ=None, scope=None):
        description = _html_escape(self.description or "").replace("\n", "<br>")
        return "<p>%s</p>" % description

    def get_body(self, environ=None, scope=None):
        return ("<!doctype html>\n<html lang=en>\n<title>%s %s</title>\n<h1>%s</h1>\n%s\n"
                % (self.code, _html_escape(self.name), _html_escape(self.name), self.get_description(environ)))

    def get_headers(self, environ=None, scope=None):
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(self, environ=None, scope=None):
        if self.response is not None:
            return self.response
        return Response(self.get_body(environ), self.code, self.get_headers(environ))

    def __str__(self):
        return "%s %s: %s" % (self.code if self.code is not None else "???", self.name, self.description)

    def __repr__(self):
        return "<%s '%s: %s'>" % (type(self).__name__, self.code if self.code is not None else "???", self.name)


def _http_exception(code, description):
    return type(_HTTP_NAMES.get(code, "Error").title().replace(" ", "").replace("'", "").replace("-", ""),
                (HTTPException,), {"code": code, "description": description})


BadRequest = _http_exception(400, "The browser (or proxy) sent a request that this server could not understand.")
Unauthorized = _http_exception(401, "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.")
Forbidden = _http_exception(403, "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.")
NotFound = _http_exception(404, "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")
MethodNotAllowed = _http_exception(405, "The method is not allowed for the requested URL.")
UnsupportedMediaType = _http_exception(415, "The server does not support the media type transmitted in the request.")
InternalServerError = _http_exception(500, "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.")
InternalServerError.original_exception = None


class BadRequestKeyError(BadRequest, KeyError):
    """A missing key of request.args/form/headers: a KeyError that Flask answers with 400."""

    def __init__(self, arg=None):
        super().__init__()
        self.args = (arg,) if arg is not None else ()

    def __str__(self):
        return BadRequest.__str__(self)


_HTTP_EXCEPTIONS = {cls.code: cls for cls in (BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, UnsupportedMediaType, InternalServerError)}


def abort(status, *args, **kwargs):
    """flask.abort: raise the HTTPException for a status (or one that answers with a given response)."""
    if not isinstance(status, int):
        raise HTTPException(response=make_response(status, *args))
    cls = _HTTP_EXCEPTIONS.get(status)
    if cls is None:
        if status not in _HTTP_NAMES:
            raise LookupError("no exception for %r" % status)
        cls = _http_exception(status, None)
    raise cls(*args, **kwargs)


class Headers:
    """werkzeug.datastructures.Headers: ordered (name, value) pairs, looked up case-insensitively."""

    def __init__(self, defaults=None):
        self._list = []
        if defaults:
            self.extend(defaults)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._list[key]
        lowered = str(key).lower()
        for name, value in self._list:
            if name.lower() == lowered:
                return value
        raise BadRequestKeyError(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        lowered = str(key).lower()
        for name, value in self._list:
            if name.lower() == lowered:
                if type is None:
                    return value
                try:
                    return type(value)
                except ValueError:
                    return default
        return default

    def getlist(self, key, type=None):  # noqa: A002
        lowered = str(key).lower()
        values = [value for name, value in self._list if name.lower() == lowered]
        if type is not None:
            converted = []
            for value in values:
                try:
                    converted.append(type(value))
                except ValueError:
                    pass
            return converted
        return values

    get_all = getlist

    def __contains__(self, key):
        lowered = str(key).lower()
        return any(name.lower() == lowered for name, _ in self._list)

    has_key = __contains__

    def __iter__(self):
        return iter(list(self._list))

    def __len__(self):
        return len(self._list)

    def __bool__(self):
        return bool(self._list)

    def keys(self, lower=False):
        return [name.lower() if lower else name for name, _ in self._list]

    def values(self):
        return [value for _, value in self._list]

    def items(self, lower=False):
        return [(name.lower() if lower else name, value) for name, value in self._list]

    def to_wsgi_list(self):
        return list(self._list)

    def __eq__(self, other):
        if isinstance(other, Headers):
            return set(self.items(lower=True)) == set(other.items(lower=True))
        return NotImplemented

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self._list)

    def __str__(self):
        return "".join("%s: %s\r\n" % pair for pair in self._list) + "\r\n"

    def copy(self):
        return Headers(self._list)

    # Mutators (response headers).
    def add(self, key, value, **params):
        value = str(value)
        for name, option in params.items():
            value += '; %s="%s"' % (name.replace("_", "-"), option) if option is not None else "; " + name
        self._list.append((str(key), value))

    add_header = add

    def set(self, key, value, **params):
        self.remove(key)
        self.add(key, value, **params)

    def __setitem__(self, key, value):
        self.set(key, value)

    def remove(self, key):
        lowered = str(key).lower()
        self._list = [(name, value) for name, value in self._list if name.lower() != lowered]

    def __delitem__(self, key):
        self.remove(key)

    def pop(self, key=None, default=None):
        if key is None:
            return self._list.pop()
        value = self.get(key)
        if value is None:
            return default
        self.remove(key)
        return value

    def setdefault(self, key, default):
        if key in self:
            return self[key]
        self.set(key, default)
        return default

    def clear(self):
        self._list = []

    def _pairs(self, source):
        if isinstance(source, Headers):
            return source.items()
        if isinstance(source, Mapping):
            pairs = []
            for key, value in source.items():
                if isinstance(value, (list, tuple)):
                    pairs.extend((key, v) for v in value)
                else:
                    pairs.append((key, value))
            return pairs
        return list(source)

    def extend(self, source=None, **kwargs):
        for key, value in self._pairs(source or ()) + list(kwargs.items()):
            self.add(key, value)

    def update(self, source=None, **kwargs):
        pairs = self._pairs(source or ()) + list(kwargs.items())
        for key in {str(k).lower() for k, _ in pairs}:
            self.remove(key)
        for key, value in pairs:
            self.add(key, value)


class ImmutableMultiDict(Mapping):
    """werkzeug's MultiDict as request.args and request.form have it: `d[key]` and `get` give the first value."""

    def __init__(self, pairs=()):
        store = {}
        for key, value in pairs:
            store.setdefault(key, []).append(value)
        self._store = store

    def __getitem__(self, key):
        values = self._store.get(key)
        if not values:
            raise BadRequestKeyError(key)
        return values[0]

    def __iter__(self):
        return iter(self._store)

    def __len__(self):
        return len(self._store)

    def __contains__(self, key):
        return key in self._store

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, list(self.items(multi=True)))

    def get(self, key, default=None, type=None):  # noqa: A002
        values = self._store.get(key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except (ValueError, TypeError):
            return default

    def getlist(self, key, type=None):  # noqa: A002
        values = list(self._store.get(key) or [])
        if type is None:
            return values
        converted = []
        for value in values:
            try:
                converted.append(type(value))
            except (ValueError, TypeError):
                pass
        return converted

    def items(self, multi=False):
        if multi:
            return [(k, v) for k, vl in self._store.items() for v in vl]
        return [(k, vl[0]) for k, vl in self._store.items()]

    def values(self):
        return [vl[0] for vl in self._store.values()]

    def lists(self):
        return [(k, list(vl)) for k, vl in self._store.items()]

    def listvalues(self):
        return [list(vl) for vl in self._store.values()]

    def to_dict(self, flat=True):
        if flat:
            return {k: vl[0] for k, vl in self._store.items()}
        return {k: list(vl) for k, vl in self._store.items()}

    def copy(self):
        return ImmutableMultiDict(self.items(multi=True))




class CombinedMultiDict(ImmutableMultiDict):
    def __init__(self, dicts):
        super().__init__([pair for d in dicts for pair in d.items(multi=True)])


_werkzeug_available = None


def _importable(name):
    """Whether a real (not Granary's shim) module of that name can be imported, without importing it."""
    if name in sys.modules:
        module = sys.modules[name]
        return module is not None and not getattr(module, "__granary_shim__", False)
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _werkzeug_importable():
    global _werkzeug_available
    if _werkzeug_available is None:
        _werkzeug_available = _importable("werkzeug")
    return _werkzeug_available


class Request:
    """The request an http function gets when Flask is not in use: the part of flask.Request functions use.
    Anything else is read from a real werkzeug Request when werkzeug is installed."""

    endpoint = "run"
    blueprint = None
    script_root = ""
    root_path = ""
    scheme = "http"
    is_secure = False
    remote_addr = None
    remote_user = None

    def __init__(self, req, headers_map):
        self._req = req
        self._headers_map = headers_map
        self._headers = None
        self._args = None
        self._form = None
        self._raw = None
        self._json = _UNSET
        self._environ = None
        self._real = None
        self.method = req["m"]

    def _body(self):
        if self._raw is None:
            self._raw = _raw_bytes(self._req)
        return self._raw

    @property
    def headers(self):
        if self._headers is None:
            pairs = []
            index = {}
            for name, value in self._req["h"]:
                key = name.lower()
                title = "-".join(part.capitalize() for part in key.split("-"))
                if key in index:
                    i = index[key]
                    pairs[i] = (title, pairs[i][1] + ("; " if key == "cookie" else ", ") + value)
                else:
                    index[key] = len(pairs)
                    pairs.append((title, value))
            self._headers = Headers(pairs)
        return self._headers

    @property
    def path(self):
        return unquote(self._req["p"] or "/")

    @property
    def query_string(self):
        return (self._req.get("q") or "").lstrip("?").encode("latin-1", "replace")

    @property
    def full_path(self):
        return self.path + "?" + (self._req.get("q") or "").lstrip("?")

    @property
    def host(self):
        return self._headers_map.get("host") or "localhost"

    @property
    def host_url(self):
        return "http://" + self.host + "/"

    url_root = host_url

    @property
    def base_url(self):
        return "http://" + self.host + quote(self.path, safe="/:@!$&'()*+,;=%")

    @property
    def url(self):
        q = (self._req.get("q") or "").lstrip("?")
        return self.base_url + ("?" + q if q else "")

    @property
    def args(self):
        if self._args is None:
            self._args = ImmutableMultiDict(_query_pairs(self._req.get("q")))
        return self._args

    @property
    def content_type(self):
        return self._headers_map.get("content-type")

    @property
    def mimetype(self):
        return _media_type(self._headers_map.get("content-type"))

    @property
    def mimetype_params(self):
        params = {}
        for part in (self._headers_map.get("content-type") or "").split(";")[1:]:
            name, sep, value = part.strip().partition("=")
            if sep:
                params[name.strip().lower()] = value.strip().strip('"')
        return params

    @property
    def content_length(self):
        value = self._headers_map.get("content-length")
        if value is not None and value.strip().isdigit():
            return int(value)
        body = self._body()
        return len(body) if body else None

    @property
    def content_encoding(self):
        return self._headers_map.get("content-encoding")

    @property
    def user_agent(self):
        return self._headers_map.get("user-agent") or ""

    @property
    def referrer(self):
        return self._headers_map.get("referer")

    @property
    def origin(self):
        return self._headers_map.get("origin")

    @property
    def access_route(self):
        forwarded = self._headers_map.get("x-forwarded-for")
        return [ip.strip() for ip in forwarded.split(",")] if forwarded else []

    @property
    def is_json(self):
        return _is_json_type(self.mimetype)

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        data = self._body()
        return data.decode("utf-8", "replace") if as_text else data

    @property
    def data(self):
        # werkzeug reads form bodies into request.form, leaving request.data empty.
        if self.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return b""
        return self._body()

    @property
    def stream(self):
        return io.BytesIO(self._body())

    input_stream = stream

    def get_json(self, force=False, silent=False, cache=True):
        if cache and self._json is not _UNSET and (self._json is not None or silent):
            return self._json
        if not (force or self.is_json):
            if silent:
                return None
            raise UnsupportedMediaType("Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
        try:
            value = json.loads(self._body())
        except ValueError as error:
            if silent:
                return None
            raise BadRequest("Failed to decode JSON object: %s" % error) from None
        if cache:
            self._json = value
        return value

    @property
    def json(self):
        return self.get_json()

    @property
    def form(self):
        if self._form is None:
            mimetype = self.mimetype
            if mimetype == "application/x-www-form-urlencoded":
                self._form = ImmutableMultiDict(_query_pairs(self._body().decode("utf-8", "replace")))
            elif mimetype == "multipart/form-data" and self._werkzeug() is not None:
                self._form = self._werkzeug().form
            else:
                self._form = ImmutableMultiDict()
        return self._form

    @property
    def files(self):
        if self.mimetype == "multipart/form-data" and self._werkzeug() is not None:
            return self._werkzeug().files
        return ImmutableMultiDict()

    @property
    def values(self):
        return CombinedMultiDict([self.args, self.form])

    @property
    def cookies(self):
        return ImmutableMultiDict(_cookie_pairs(self._headers_map.get("cookie")))

    @property
    def view_args(self):
        return {"path": self.path.lstrip("/")}

    @property
    def environ(self):
        if self._environ is None:
            self._environ = _request_environ(self._req, self._req["h"], self._body())
        return self._environ

    def _werkzeug(self):
        if self._real is None and _werkzeug_importable():
            from werkzeug.wrappers import Request as WerkzeugRequest
            environ = dict(self.environ)
            environ["wsgi.input"] = io.BytesIO(self._body())
            self._real = WerkzeugRequest(environ)
        return self._real

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        real = self._werkzeug()
        if real is None:
            raise AttributeError("'Request' object has no attribute %r (Granary's request without Flask offers the commonly used part of flask.Request)" % name)
        return getattr(real, name)

    def __repr__(self):
        return "<Request %r [%s]>" % (self.url, self.method)


_UNSET = object()
_CHARSET_TYPES = {"application/ecmascript", "application/javascript", "application/sql", "application/xml",
                  "application/xml-dtd", "application/xml-external-parsed-entity"}


def _content_type_for(mimetype):
    if mimetype.startswith("text/") or mimetype in _CHARSET_TYPES or mimetype.endswith("+xml"):
        return mimetype + "; charset=utf-8"
    return mimetype


class Response:
    """flask.Response (werkzeug's): a body, a status and headers; what make_response and jsonify build."""

    default_status = 200
    default_mimetype = "text/html"

    def __init__(self, response=None, status=None, headers=None, mimetype=None, content_type=None, direct_passthrough=False):
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        if content_type is None:
            if mimetype is None and "content-type" not in self.headers:
                mimetype = self.default_mimetype
            if mimetype is not None:
                content_type = _content_type_for(mimetype)
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        self.status = status if status is not None else self.default_status
        self.set_data(b"" if response is None else response)

    @property
    def status_code(self):
        return self._status_code

    @status_code.setter
    def status_code(self, code):
        self._status_code = int(code)
        self._status = "%d %s" % (self._status_code, _HTTP_NAMES.get(self._status_code, "UNKNOWN").upper())

    @property
    def status(self):
        return self._status

    @status.setter
    def status(self, value):
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("latin-1")
        if isinstance(value, int):
            self.status_code = value
            return
        text = str(value).strip()
        head, sep, reason = text.partition(" ")
        if not head.isdigit():
            raise ValueError("Empty status argument" if not text else "Invalid status argument")
        self._status_code = int(head)
        self._status = text if sep else "%d %s" % (self._status_code, _HTTP_NAMES.get(self._status_code, "UNKNOWN").upper())

    def set_data(self, value):
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif isinstance(value, (bytes, bytearray, memoryview)):
            value = bytes(value)
        else:
            # An iterable of str or bytes (a generator: Flask streams it; Granary sends it whole).
            value = b"".join(v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in value)
        self._data = value

    def get_data(self, as_text=False):
        return self._data.decode("utf-8", "replace") if as_text else self._data

    data = property(get_data, set_data)

    @property
    def response(self):
        return [self._data]

    @property
    def mimetype(self):
        return _media_type(self.headers.get("Content-Type"))

    @mimetype.setter
    def mimetype(self, value):
        self.headers["Content-Type"] = _content_type_for(value)

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value):
        self.headers["Content-Type"] = value

    @property
    def content_length(self):
        return len(self._data)

    @property
    def location(self):
        return self.headers.get("Location")

    @location.setter
    def location(self, value):
        self.headers["Location"] = value

    @property
    def is_json(self):
        return _is_json_type(self.mimetype)

    def get_json(self, force=False, silent=False):
        if not (force or self.is_json):
            return None
        try:
            return json.loads(self._data)
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self):
        return self.get_json()

    is_streamed = False

    def set_cookie(self, key, value="", max_age=None, expires=None, path="/", domain=None, secure=False, httponly=False, samesite=None):
        cookie = "%s=%s" % (key, value)
        if domain:
            cookie += "; Domain=" + domain
        if expires is not None:
            if isinstance(expires, (int, float)):
                expires = datetime.datetime.fromtimestamp(expires, datetime.timezone.utc)
            if isinstance(expires, datetime.datetime):
                expires = expires.strftime("%a, %d %b %Y %H:%M:%S GMT")
            cookie += "; Expires=" + str(expires)
        if max_age is not None:
            if isinstance(max_age, datetime.timedelta):
                max_age = int(max_age.total_seconds())
            cookie += "; Max-Age=%d" % max_age
        if secure:
            cookie += "; Secure"
        if httponly:
            cookie += "; HttpOnly"
        if path is not None:
            cookie += "; Path=" + path
        if samesite:
            cookie += "; SameSite=" + str(samesite).title()
        self.headers.add("Set-Cookie", cookie)

    def delete_cookie(self, key, path="/", domain=None, secure=False, httponly=False, samesite=None):
        self.set_cookie(key, expires=0, max_age=0, path=path, domain=domain, secure=secure, httponly=httponly, samesite=samesite)

    def __repr__(self):
        return "<%s %d bytes [%s]>" % (type(self).__name__, len(self._data), self._status)


def _flask_json_default(value):
    if isinstance(value, datetime.date):
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime(value.year, value.month, value.day)
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if isinstance(value, decimal.Decimal) or type(value).__name__ == "UUID":
        return str(value)
    import dataclasses
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _flask_dumps(value):
    # Flask's DefaultJSONProvider outside debug mode: compact, sorted keys, ASCII, and a final newline.
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True, default=_flask_json_default) + "\n"


def jsonify(*args, **kwargs):
    """flask.jsonify."""
    if args and kwargs:
        raise TypeError("app.json.response() takes either args or kwargs, not both")
    data = (args[0] if len(args) == 1 else list(args)) if args else (kwargs or None)
    return Response(_flask_dumps(data), mimetype="application/json")


def make_response(*args):
    """flask.make_response."""
    if not args:
        return Response()
    return _to_response(args[0] if len(args) == 1 else args)


def redirect(location, code=302, Response=None):  # noqa: N803 - werkzeug's signature
    response = (Response or globals()["Response"])("", code, mimetype="text/html")
    response.headers["Location"] = location
    return response


def _is_response_like(value):
    return hasattr(value, "status_code") and hasattr(value, "headers") and callable(getattr(value, "get_data", None))


def _to_response(rv):
    """Flask's app.make_response: a view's return value in any form Flask accepts, as a Response."""
    status = headers = None
    if isinstance(rv, tuple):
        if len(rv) == 3:
            rv, status, headers = rv
        elif len(rv) == 2:
            if isinstance(rv[1], (Headers, dict, tuple, list)) or (rv[1] is not None and hasattr(rv[1], "items") and not isinstance(rv[1], (int, str))):
                rv, headers = rv
            else:
                rv, status = rv
        else:
            raise TypeError("The view function did not return a valid response tuple. The tuple must have the form (body, status, headers), (body, status), or (body, headers).")
    if rv is None:
        raise TypeError("The view function for 'run' did not return a valid response. The function either returned None or ended without a return statement.")
    if not isinstance(rv, Response) and not _is_response_like(rv):
        if isinstance(rv, (str, bytes, bytearray)) or isinstance(rv, Iterator):
            rv = Response(rv, status=status, headers=headers)
            status = headers = None
        elif isinstance(rv, (dict, list)):
            rv = Response(_flask_dumps(rv), mimetype="application/json")
        else:
            raise TypeError("The view function did not return a valid response. The return type must be a string, dict, list, tuple with headers or status, Response instance, or WSGI callable, but it was a %s." % type(rv).__name__)
    if status is not None:
        if isinstance(status, (str, bytes, bytearray)):
            rv.status = status
        else:
            rv.status_code = status
    if headers:
        if isinstance(rv, Response):
            rv.headers.update(headers)
        else:
            rv.headers.update(headers)
    return rv


def _response_out(response, method):
    """Any Response (Granary's, werkzeug's or Flask's) as {s, h, b, e}."""
    status = int(response.status_code)
    if isinstance(response, Response):
        headers = [[name, value] for name, value in response.headers._list]
    else:
        raw = response.headers
        pairs = raw.to_wsgi_list() if hasattr(raw, "to_wsgi_list") else list(raw.items())
        headers = [[str(name), str(value)] for name, value in pairs]
    return _serialize(status, headers, response.get_data(), method)


# The Functions Framework's declarative API and error handlers (functions_framework.http, .cloud_event, .typed,
# .errorhandler): registered by function name; a registration decides the signature.
_REGISTRY = {}
_ERROR_HANDLERS = []  # [(exception class or status code, handler)]


def _register(signature):
    def decorator(func):
        _REGISTRY[func.__name__] = (signature, func)
        return func
    return decorator


def _ff_typed(*args):
    def register(func, input_type):
        if input_type is None:
            try:
                parameters = list(inspect.signature(func).parameters.values())
                annotation = parameters[0].annotation if parameters else inspect.Parameter.empty
                input_type = None if annotation is inspect.Parameter.empty else annotation
            except (TypeError, ValueError):
                input_type = None
        _REGISTRY[func.__name__] = ("typed", func, input_type)
        return func
    if len(args) == 1 and isinstance(args[0], types.FunctionType):
        return register(args[0], None)
    input_type = args[0] if args else None
    return lambda func: register(func, input_type)


def _ff_errorhandler(code_or_exception):
    def decorator(func):
        _ERROR_HANDLERS.append((code_or_exception, func))
        return func
    return decorator


def _find_error_handler(error):
    if not _ERROR_HANDLERS:
        return None
    code = getattr(error, "code", None) if isinstance(error, HTTPException) else None
    if code is not None:
        for key, handler in reversed(_ERROR_HANDLERS):
            if key == code:
                return handler
    for cls in type(error).__mro__:
        for key, handler in reversed(_ERROR_HANDLERS):
            if key is cls:
                return handler
    return None


_CRASH_HEADER = "X-Google-Status"


def _ff_failure(error, method):
    """How the Python Functions Framework (Flask) answers an exception: an HTTPException by its own page, one the
    function registered an errorhandler for by that handler, anything else by the crash handler (500,
    X-Google-Status: crash, the InternalServerError text). Returns (r, error to report)."""
    handler = _find_error_handler(error)
    if handler is not None:
        try:
            return _response_out(_to_response(handler(error)), method), None
        except Exception as handler_error:  # noqa: BLE001
            _reraise_fatal(handler_error)
            error = handler_error
    if isinstance(error, HTTPException) or (hasattr(error, "code") and callable(getattr(error, "get_response", None)) and isinstance(getattr(error, "code", None), int)):
        return _response_out(error.get_response(), method), None
    crash = InternalServerError()
    crash.original_exception = error
    handler = None
    for key, candidate in reversed(_ERROR_HANDLERS):
        if key == 500 or key is InternalServerError:
            handler = candidate
            break
    if handler is not None:
        try:
            return _response_out(_to_response(handler(crash)), method), error
        except Exception as handler_error:  # noqa: BLE001
            _reraise_fatal(handler_error)
    response = Response(str(crash), 500, {_CRASH_HEADER: "crash"})
    return _response_out(response, method), error


def _ignored_path(path):
    for prefix in ("/robots.txt", "/favicon.ico"):
        if path == prefix or path.startswith(prefix + "/"):
            return True
    return False


def _ignored_answer(method):
    return _out(_serialize(404, [], None, method), outcome="ignored")


def _http_shim_adapter(fn, meta, host):
    def invoke(req):
        method = req["m"]
        if _ignored_path(req["p"]):
            return _ignored_answer(method)
        request = Request(req, _header_map(req["h"]))
        try:
            rv = _settle(fn(request))
            response = _to_response(rv)
            return _out(_response_out(response, method))
        except Exception as error:  # noqa: BLE001
            _reraise_fatal(error)
            r, reported = _ff_failure(error, method)
            return _out(r, error=reported)

    return invoke


def _http_flask_adapter(fn, meta, host):
    """The function imported Flask: the request goes through a Flask app configured as the Functions Framework
    configures its own, so flask.request, jsonify, abort and Flask's error handling are the real ones."""
    import flask
    import werkzeug.routing

    state = {"error": None}

    class GranaryFlask(flask.Flask):
        def log_exception(self, exc_info):
            # The worker logs the exception with its traceback; Flask need not log it again.
            pass

        def handle_exception(self, e):
            state["error"] = e
            return super().handle_exception(e)

    app = GranaryFlask("handler")
    app.register_error_handler(500, lambda e: (str(e), 500, {_CRASH_HEADER: "crash"}))
    for key, handler in _ERROR_HANDLERS:
        app.register_error_handler(key, handler)
    app.url_map.add(werkzeug.routing.Rule("/", defaults={"path": ""}, endpoint="run"))
    app.url_map.add(werkzeug.routing.Rule("/<path:path>", endpoint="run"))
    request_proxy = flask.request

    def view(path):
        return _settle(fn(request_proxy._get_current_object()))

    app.view_functions["run"] = view
    wsgi_app = app.wsgi_app

    def invoke(req):
        method = req["m"]
        if _ignored_path(req["p"]):
            return _ignored_answer(method)
        environ = _request_environ(req, req["h"], _raw_bytes(req))
        captured = []

        def start_response(status, headers, exc_info=None):
            captured.append((status, headers))

        state["error"] = None
        iterable = wsgi_app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        status, headers = captured[-1]
        error = state["error"]
        if isinstance(error, MemoryError):
            raise error
        return _out(_serialize(int(status.split(" ", 1)[0]), [[k, v] for k, v in headers], body, method), error=error)

    return invoke


def _typed_function(fn, input_type):
    """functions_framework.typed: the JSON body as input_type (from_dict), the result as JSON (to_dict)."""
    def typed(request):
        try:
            data = request.get_json()
            value = input_type.from_dict(data) if input_type is not None and hasattr(input_type, "from_dict") else data
            response = _settle(fn(value))
            if response is None:
                return "", 200
            if response.__class__.__module__ == "builtins":
                return response
            if not hasattr(response, "to_dict"):
                raise TypeError("The type %s does not have the required method 'to_dict'." % type(response).__name__)
            return json.dumps(response.to_dict())
        except Exception as error:
            _reraise_fatal(error)
            raise FunctionsFrameworkException("Function execution failed with the error") from error
    typed.__name__ = getattr(fn, "__name__", "typed")
    return typed


class FunctionsFrameworkException(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# CloudEvents (the cloudevents package's cloudevents.http.CloudEvent surface) and legacy events.

class CloudEvent:
    """cloudevents.http.CloudEvent: attributes by item (event['type']), data as .data / get_data()."""

    def __init__(self, attributes, data=None):
        self._attributes = {str(k).lower(): v for k, v in attributes.items()}
        self.data = data
        if "specversion" not in self._attributes:
            self._attributes["specversion"] = "1.0"
        if "id" not in self._attributes:
            self._attributes["id"] = _new_id()
        if "time" not in self._attributes:
            self._attributes["time"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        missing = [name for name in ("source", "type") if name not in self._attributes]
        if missing:
            raise MissingRequiredFields("Missing required attributes: %s" % set(missing))

    @classmethod
    def create(cls, attributes, data=None):
        return cls(attributes, data)

    def get_attributes(self):
        return types.MappingProxyType(self._attributes)

    def get_data(self):
        return self.data

    def __getitem__(self, key):
        return self._attributes[key]

    def get(self, key, default=None):
        return self._attributes.get(key, default)

    def __setitem__(self, key, value):
        self._attributes[key] = value

    def __delitem__(self, key):
        del self._attributes[key]

    def __iter__(self):
        return iter(self._attributes)

    def __len__(self):
        return len(self._attributes)

    def __contains__(self, key):
        return key in self._attributes

    def __eq__(self, other):
        if isinstance(other, CloudEvent):
            return self._attributes == other._attributes and self.data == other.data
        return NotImplemented

    def __repr__(self):
        return str({"attributes": self._attributes, "data": self.data})


class MissingRequiredFields(ValueError):
    pass


def _ce_to_dict(event):
    attributes = dict(event.get_attributes())
    data = event.get_data()
    if isinstance(data, (bytes, bytearray, memoryview)):
        attributes["data_base64"] = _b64encode(bytes(data)).decode("ascii")
    elif data is not None:
        attributes["data"] = data
    return attributes


def _ce_to_json(event, data_marshaller=None):
    return json.dumps(_ce_to_dict(event)).encode("utf-8")


def _ce_to_structured(event, data_marshaller=None):
    return {"content-type": "application/cloudevents+json"}, _ce_to_json(event)


def _ce_to_binary(event, data_marshaller=None):
    headers = {"ce-" + k: str(v) for k, v in event.get_attributes().items() if k != "datacontenttype"}
    if "datacontenttype" in event:
        headers["content-type"] = event["datacontenttype"]
    data = event.get_data()
    if data is not None and not isinstance(data, (bytes, str)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return headers, data


def _ce_from_dict(value, event_type=None):
    value = dict(value)
    data = value.pop("data", None)
    if "data_base64" in value:
        data = _b64decode(value.pop("data_base64"))
    return CloudEvent(value, data)


def _ce_from_json(data, data_unmarshaller=None, event_type=None):
    return _ce_from_dict(json.loads(data))


def _ce_from_http(headers, data, data_unmarshaller=None, event_type=None):
    lowered = {str(k).lower(): v for k, v in dict(headers).items()}
    if "ce-specversion" in lowered:
        attributes = {k[3:]: v for k, v in lowered.items() if k.startswith("ce-")}
        if "content-type" in lowered:
            attributes["datacontenttype"] = lowered["content-type"]
        return CloudEvent(attributes, (data_unmarshaller or _json_or_bytes)(data))
    return _ce_from_json(data)


class Context:
    """The context of a legacy background function (google.cloud.functions.context.Context)."""

    def __init__(self, eventId="", timestamp="", eventType="", resource="", **kwargs):  # noqa: N803
        self.event_id = eventId
        self.timestamp = timestamp
        self.event_type = eventType
        self.resource = resource

    def __str__(self):
        return "{event_id: %s, timestamp: %s, event_type: %s, resource: %s}" % (self.event_id, self.timestamp, self.event_type, self.resource)

    __repr__ = __str__


def _cloud_event_factory():
    # The real package when it is installed, so that functions get exactly the type they import.
    if _importable("cloudevents"):
        try:
            from cloudevents.http import CloudEvent as RealCloudEvent
            return RealCloudEvent
        except ImportError:
            pass
    return CloudEvent


def _ok(method):
    # Flask's answer to a view returning "OK".
    return _serialize(200, [["Content-Type", "text/html; charset=utf-8"]], "OK", method)


def _cloudevent_adapter(fn, meta, host):
    factory = _cloud_event_factory()

    def invoke(req):
        method = req["m"]
        x = req.get("x") or {}
        headers = _header_map(req["h"])
        try:
            attributes = {k: v for k, v in x.items() if k != "data" and k != "data_base64"}
            event = factory(attributes, _ce_data(req, x, headers))
            _settle(fn(event))
            return _out(_ok(method))
        except Exception as error:  # noqa: BLE001
            _reraise_fatal(error)
            r, reported = _ff_failure(error, method)
            return _out(r, error=reported)

    return invoke


def _event_adapter(fn, meta, host):
    def invoke(req):
        method = req["m"]
        x = req.get("x") or {}
        try:
            context = x.get("context")
            if not isinstance(context, dict):
                context = {}
            data = x.get("data")
            _settle(fn(data, Context(
                eventId=context.get("eventId", context.get("event_id", "")),
                timestamp=context.get("timestamp", ""),
                eventType=context.get("eventType", context.get("event_type", "")),
                resource=context.get("resource", ""))))
            return _out(_ok(method))
        except Exception as error:  # noqa: BLE001
            _reraise_fatal(error)
            r, reported = _ff_failure(error, method)
            return _out(r, error=reported)

    return invoke


# ---------------------------------------------------------------------------------------------------------------
# Signature `snippets`: a workspace's Custom Code functions in Python. The module the worker gets is JSON,
# {"functions": {name: {"code", "parameters", "params"?, "types"?, "defaults"?}}, "usesCache"?}. Each body
# becomes `async def name(*, <params>)` with its own line numbers; siblings are called with await.

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
    if "v" in line:
        return {"level": line.get("v"), "message": line.get("m"), "timestamp": _iso_ms(line.get("t") or time.time() * 1000)}
    return line


def _snippet_json_default(value):
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
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
        method = req["m"]
        path = req["p"]
        matched = path.startswith("/run/") and len(path) > 5 and "/" not in path[5:]
        name = unquote(path[5:]) if matched else path
        if method != "POST" or not matched or name not in specs:
            return not_found(method, name)
        body = {}
        if req.get("b"):
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
        cache = SnippetCache(req.get("s"), host)
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


# ---------------------------------------------------------------------------------------------------------------
# The shim modules functions may import, and the worker's entry points.

def _module(name, attributes, package=False):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    module.__granary_shim__ = True
    if package:
        module.__path__ = []
    sys.modules[name] = module
    return module


_flask_mode = None  # None until bind decides; True when the function's module imported Flask


def _granary_helpers():
    """The `granary` module: Flask-compatible helpers that work whether Flask is installed or not."""
    shims = {"make_response": make_response, "jsonify": jsonify, "Response": Response, "abort": abort,
             "redirect": redirect, "HTTPException": HTTPException, "Request": Request, "Headers": Headers}

    def __getattr__(name):  # noqa: N807 - PEP 562 module attribute hook
        if name not in shims:
            raise AttributeError("module 'granary' has no attribute %r" % name)
        if _flask_mode is not False and _importable("flask"):
            import flask
            value = getattr(flask, name, None)
            if value is not None:
                return value
        return shims[name]

    module = _module("granary", {"__getattr__": __getattr__, "__all__": sorted(shims),
                                 "CloudEvent": CloudEvent, "Context": Context, "BindError": BindError})
    return module


def _install_functions_framework():
    _REGISTRY.clear()
    del _ERROR_HANDLERS[:]
    _module("functions_framework", {
        "http": _register("http"),
        "cloud_event": _register("cloudevent"),
        "typed": _ff_typed,
        "errorhandler": _ff_errorhandler,
        "FunctionsFrameworkException": FunctionsFrameworkException,
    })


def _install_cloudevents():
    if _importable("cloudevents"):
        return
    conversion = {"to_json": _ce_to_json, "to_structured": _ce_to_structured, "to_binary": _ce_to_binary,
                  "to_dict": _ce_to_dict, "from_json": _ce_from_json, "from_dict": _ce_from_dict, "from_http": _ce_from_http}
    http_module = dict(conversion, CloudEvent=CloudEvent)
    root = _module("cloudevents", {}, package=True)
    root.http = _module("cloudevents.http", http_module, package=True)
    root.http.event = _module("cloudevents.http.event", {"CloudEvent": CloudEvent})
    root.conversion = _module("cloudevents.conversion", conversion)
    root.exceptions = _module("cloudevents.exceptions", {"MissingRequiredFields": MissingRequiredFields})


def _install_bottle():
    if _importable("bottle"):
        return
    _module("bottle", {"HTTPResponse": HTTPResponse, "HTTPError": HTTPError, "abort": _bottle_abort,
                       "redirect": _bottle_redirect, "FormsDict": FormsDict, "MultiDict": MultiDict,
                       "HeaderDict": HeaderDict, "BaseRequest": BottleRequest})


def before_load(meta, host):
    """Installs, before the function's code runs, the modules its seed runtime let it import."""
    global _flask_mode
    _flask_mode = None
    signature = meta.get("signature")
    if signature == "snippets":
        return
    _install_functions_framework()
    _install_cloudevents()
    if signature == "kyma":
        _install_bottle()
    _granary_helpers()


def compile_module(code, meta, default_compile):
    """Snippets compile their JSON module here; every other signature runs the worker's default compile."""
    if meta.get("signature") == "snippets":
        return _compile_snippets(code)
    return default_compile(code)


_ADAPTERS = {
    "handler": _handler_adapter,
    "kyma": _kyma_adapter,
    "cloudevent": _cloudevent_adapter,
    "event": _event_adapter,
}

_HINTS = {
    "handler": "def {0}(event, context=None): ...",
    "kyma": "def {0}(event, context): ...",
    "http": "def {0}(request): ...",
    "cloudevent": "def {0}(cloud_event): ...",
    "event": "def {0}(data, context): ...",
}


def _resolve(module, handler, signature):
    fn = getattr(module, handler, None)
    if callable(fn):
        return fn
    if signature == "handler":
        # Kipper's Python runtime looks for handler, then handle, then main.
        for name in ("handler", "handle", "main"):
            fn = getattr(module, name, None)
            if callable(fn):
                return fn
    return None


def _missing_handler(module, handler, signature):
    names = sorted(name for name, value in vars(module).items()
                   if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module.__name__)
    listed = "its functions are [%s]" % ", ".join(names) if names else "it defines no functions"
    tried = " (nor handler, handle or main)" if signature == "handler" else ""
    hint = _HINTS.get(signature, "def {0}(...): ...").format(handler)
    return "The module does not define a function '%s'%s: %s. Define it with %s" % (handler, tried, listed, hint)


def bind(module, meta, host):
    """Finds the function to call and returns (signature in force, invoke)."""
    global _flask_mode
    signature = meta.get("signature") or "handler"
    if signature == "snippets":
        return "snippets", _snippets_adapter(module, meta, host)
    handler = meta.get("handler") or "main"
    registered = _REGISTRY.get(handler)
    if registered is not None:
        # A function registered with the Functions Framework's decorators decides its own signature.
        fn = getattr(module, handler, None)
        if not callable(fn):
            fn = registered[1]
        if registered[0] == "typed":
            fn = _typed_function(fn, registered[2])
            signature = "http"
        else:
            signature = registered[0]
    else:
        fn = _resolve(module, handler, signature)
    if fn is None:
        raise BindError("handler", _missing_handler(module, handler, signature))
    if signature == "http":
        flask_module = sys.modules.get("flask")
        _flask_mode = flask_module is not None and not getattr(flask_module, "__granary_shim__", False)
        adapter = _http_flask_adapter if _flask_mode else _http_shim_adapter
        return signature, adapter(fn, meta, host)
    _flask_mode = sys.modules.get("flask") is not None
    adapter = _ADAPTERS.get(signature)
    if adapter is None:
        raise BindError("handler", "Unknown signature '%s'." % signature)
    return signature, adapter(fn, meta, host)
