"""What an http function gets when Flask is not in use: the part of Flask and werkzeug functions use (the request,
Response, make_response, jsonify, abort, redirect, the HTTP exceptions and werkzeug's dicts), and the reading of
any response (Granary's, werkzeug's or Flask's) as the host's {status, headers, body, encoding}."""

import datetime
import io
import json
import operator
from collections.abc import Iterator, Mapping
from urllib.parse import quote, unquote

from .common import (_HTTP_NAMES, _ShimRequest, _StoreKeys, _cookie_pairs, _html_escape, _importable, _is_decimal,
                     _is_json_type, _media_type, _query_pairs, _serialize)


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


class ImmutableMultiDict(_StoreKeys, Mapping):
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


def _werkzeug_importable():
    global _werkzeug_available
    if _werkzeug_available is None:
        _werkzeug_available = _importable("werkzeug")
    return _werkzeug_available


class Request(_ShimRequest):
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
        super().__init__(req, headers_map)
        self._headers = None
        self._args = None
        self._form = None
        self._json = _UNSET
        self._real = None

    @property
    def headers(self):
        if self._headers is None:
            pairs = []
            index = {}
            for name, value in self._req["headers"]:
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
        return unquote(self._req["path"] or "/")

    @property
    def query_string(self):
        return (self._req.get("query") or "").lstrip("?").encode("latin-1", "replace")

    @property
    def full_path(self):
        return self.path + "?" + (self._req.get("query") or "").lstrip("?")

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
        q = (self._req.get("query") or "").lstrip("?")
        return self.base_url + ("?" + q if q else "")

    @property
    def args(self):
        if self._args is None:
            self._args = ImmutableMultiDict(_query_pairs(self._req.get("query")))
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
        return self._forwarded_for()

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


def _header_property(name):
    """A response attribute that reads and sets one header (werkzeug's header properties)."""
    return property(lambda self: self.headers.get(name), lambda self, value: operator.setitem(self.headers, name, value))


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

    mimetype = property(lambda self: _media_type(self.headers.get("Content-Type")),
                        lambda self, value: operator.setitem(self.headers, "Content-Type", _content_type_for(value)))
    content_type = _header_property("Content-Type")
    location = _header_property("Location")

    @property
    def content_length(self):
        return len(self._data)

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
    if _is_decimal(value) or type(value).__name__ == "UUID":
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
    """Any Response (Granary's, werkzeug's or Flask's) as {status, headers, body, encoding}."""
    status = int(response.status_code)
    if isinstance(response, Response):
        headers = [[name, value] for name, value in response.headers._list]
    else:
        raw = response.headers
        pairs = raw.to_wsgi_list() if hasattr(raw, "to_wsgi_list") else list(raw.items())
        headers = [[str(name), str(value)] for name, value in pairs]
    return _serialize(status, headers, response.get_data(), method)
