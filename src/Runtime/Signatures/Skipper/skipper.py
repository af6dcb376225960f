"""Signature `handler`: Skipper (Kipper). handler(event, context=None); the response by the Node adapter's rules
(Signatures/Skipper/skipper.js), with the JSON Kipper's Python runtime writes (json.dumps, so {"a": 1})."""

from collections.abc import Mapping

from .common import (Signature, _bad_request, _BadRequest, _header_map, _is_json_type, _media_type, _out,
                     _parse_json_body, _py_dumps, _query_object, _raw_text, _reraise_fatal, _serialize, _settle,
                     _two_argument_caller)


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
        method = req["method"]
        event = {}
        if req.get("body") and json_type(_media_type(headers.get("content-type"))):
            event = _parse_json_body(req)
        context = {"method": method, "path": req["path"], "headers": headers,
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
        method = req["method"]
        path = req["path"]
        if path == "/health" and (method == "GET" or method == "HEAD"):
            return _health_answer(method)
        headers = _header_map(req["headers"])
        try:
            if path == "/event" and method == "POST":
                return run_event(req, headers)
            if not req.get("body"):
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
            "query": _query_object(req["query"]),
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


# Kipper's Python runtime looks for the handler, then handle, then main.
SIGNATURE = Signature("handler", _handler_adapter, "def {0}(event, context=None): ...", fallbacks=("handler", "handle", "main"))
