"""The `bottle` module a Kyma function may import when the real bottle is not installed (Kyma's python312 runtime
runs on bottle): its request, its dicts, and the HTTPResponse and HTTPError a function returns or raises."""

import io
import json
from collections.abc import Mapping, MutableMapping
from urllib.parse import unquote

from .common import _HTTP_NAMES, _ShimRequest, _StoreKeys, _cookie_pairs, _importable, _module, _query_pairs


class MultiDict(_StoreKeys, MutableMapping):
    """Bottle's MultiDict/FormsDict: `d[key]` and `get` give the last value, `getall` every value; a missing
    attribute is ''."""

    def __init__(self, pairs=()):
        store = {}
        for key, value in pairs:
            store.setdefault(key, []).append(value)
        self._store = store

    @property
    def dict(self):
        """Bottle's name for the underlying dict: key -> list of values."""
        return self._store

    def __getitem__(self, key):
        return self._store[key][-1]

    def __setitem__(self, key, value):
        self._store.setdefault(key, []).append(value)

    def __delitem__(self, key):
        del self._store[key]

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        values = self._store.get(name)
        return values[-1] if values else ""

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, list(self.allitems()))

    def get(self, key, default=None, index=-1, type=None):  # noqa: A002 - bottle's signature
        try:
            value = self._store[key][index]
            return type(value) if type else value
        except Exception:  # noqa: BLE001 - bottle returns the default for any failure
            return default

    def append(self, key, value):
        self._store.setdefault(key, []).append(value)

    def replace(self, key, value):
        self._store[key] = [value]

    def getall(self, key):
        return list(self._store.get(key) or [])

    getlist = getall
    getone = get

    def getunicode(self, name, default=None, encoding=None):
        values = self._store.get(name)
        return values[-1] if values else default

    def allitems(self):
        return [(k, v) for k, vl in self._store.items() for v in vl]

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


class BottleRequest(_ShimRequest):
    """The request Kyma hands over as event['extensions']['request'] (a bottle BaseRequest): what functions use."""

    def __init__(self, req, headers):
        super().__init__(req, headers)
        self._query = None
        self._forms = None
        self.query_string = (req.get("query") or "").lstrip("?")

    @property
    def path(self):
        return "/" + unquote(self._req["path"]).lstrip("/")

    @property
    def fullpath(self):
        return self.path

    @property
    def script_name(self):
        return "/"

    @property
    def url(self):
        return "http://" + (self._headers_map.get("x-forwarded-host") or self._headers_map.get("host") or "localhost") + self._req["path"] + (self._req.get("query") or "")

    @property
    def urlparts(self):
        from urllib.parse import urlsplit
        return urlsplit(self.url)

    @property
    def headers(self):
        return HeaderDict((name, value) for name, value in self._req["headers"])

    def get_header(self, name, default=None):
        return self._headers_map.get(str(name).lower(), default)

    @property
    def query(self):
        if self._query is None:
            self._query = FormsDict(_query_pairs(self.query_string))
        return self._query

    GET = query

    @property
    def content_type(self):
        return (self._headers_map.get("content-type") or "").lower()

    @property
    def content_length(self):
        value = self._headers_map.get("content-length")
        if value is not None and value.strip().isdigit():
            return int(value)
        return len(self._body())

    @property
    def body(self):
        return io.BytesIO(self._body())

    @property
    def json(self):
        media_type = self.content_type.split(";", 1)[0].strip()
        if media_type not in ("application/json", "application/json-rpc"):
            return None
        raw = self._body()
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
                pairs = _query_pairs(self._body().decode("latin-1"))
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
        return FormsDict(_cookie_pairs(self._headers_map.get("cookie")))

    def get_cookie(self, key, default=None, secret=None):
        value = self.cookies.get(key)
        return default if value is None else value

    @property
    def remote_route(self):
        return self._forwarded_for()

    @property
    def remote_addr(self):
        route = self.remote_route
        return route[0] if route else None

    @property
    def is_xhr(self):
        return (self._headers_map.get("x-requested-with") or "").lower() == "xmlhttprequest"

    is_ajax = is_xhr

    @property
    def chunked(self):
        return "chunked" in (self._headers_map.get("transfer-encoding") or "").lower()

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


def install():
    if _importable("bottle"):
        return
    _module("bottle", {"HTTPResponse": HTTPResponse, "HTTPError": HTTPError, "abort": _bottle_abort,
                       "redirect": _bottle_redirect, "FormsDict": FormsDict, "MultiDict": MultiDict,
                       "HeaderDict": HeaderDict, "BaseRequest": BottleRequest})
