"""Signature `kyma`: Kyma's python312 runtime (server.py, lib/ce.py on bottle). main(event, context), where event
is an Event whose items are the ce-* fields, data and extensions.request (a bottle request); the result is cast
to the response as bottle casts it (Signatures/Kyma/kyma.js is the Node runtime's counterpart)."""

import datetime
import json
import random as _random
import re as _re

from . import bottle_shim
from .bottle_shim import BottleRequest, HTTPError, HTTPResponse
from .common import (Signature, _b64encode, _bad_request, _BadRequest, _ce_data, _header_map, _html_escape,
                     _new_id, _out, _parse_json_body, _py_dumps, _reraise_fatal, _serialize, _settle,
                     _two_argument_caller)


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


class _SpanContext:
    """A span's context with the OpenTelemetry SpanContext's fields (ids as integers)."""

    __slots__ = ("trace_id", "span_id", "trace_flags", "is_remote", "is_valid")

    def __init__(self, trace_id, span_id, trace_flags):
        self.trace_id = trace_id
        self.span_id = span_id
        self.trace_flags = trace_flags
        self.is_remote = False
        self.is_valid = trace_id != 0


class _TraceSpan(_NoopSpan):
    """A span in the invocation's trace, with a span id of its own; not recorded or exported."""

    def __init__(self, trace_id, trace_flags):
        self._context = _SpanContext(trace_id, _random.getrandbits(64) or 1, trace_flags)

    def get_span_context(self):
        return self._context


_TRACEPARENT = _re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class _Tracer:
    """event.tracer with the OpenTelemetry tracer's shape. Kyma's runtime makes a function's spans children of the
    request's span; here they carry the invocation's trace (the traceparent the host hands the function: the span it
    runs in), so the trace id a function reads is the one its invocation record carries. Not exported."""

    def __init__(self, traceparent):
        match = _TRACEPARENT.match(traceparent or "")
        self._trace_id = int(match.group(1), 16) if match else 0
        self._flags = int(match.group(3), 16) & 1 if match else 0

    def start_span(self, *args, **kwargs):
        return _TraceSpan(self._trace_id, self._flags)

    def start_as_current_span(self, *args, **kwargs):
        return _TraceSpan(self._trace_id, self._flags)


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
        method = req["method"]
        path = req["path"]
        if method == "OPTIONS":
            headers = _header_map(req["headers"])
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
        headers = _header_map(req["headers"])
        request = BottleRequest(req, headers)
        ce_headers = {"extensions": {"request": request}}
        prepared = req.get("event")
        if prepared is not None:
            ce_headers["data"] = _ce_data(req, prepared, headers)
            ce_headers["ce-type"] = prepared.get("type")
            ce_headers["ce-source"] = prepared.get("source")
            ce_headers["ce-id"] = prepared.get("id")
            ce_headers["ce-time"] = prepared.get("time")
            if prepared.get("eventtypeversion") is not None:
                ce_headers["ce-eventtypeversion"] = prepared["eventtypeversion"]
            if prepared.get("specversion") is not None:
                ce_headers["ce-specversion"] = prepared["specversion"]
        elif headers.get("content-type") == "application/json":
            # Kyma reads data only for exactly this content type (lib/ce.py), through bottle's request.json.
            if req.get("body"):
                try:
                    ce_headers["data"] = _parse_json_body(req)
                except _BadRequest as error:
                    return _bad_request(error)
            else:
                ce_headers["data"] = None
        event = Event(ce_headers, request, publish, _Tracer(headers.get("traceparent")))
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


SIGNATURE = Signature("kyma", _kyma_adapter, "def {0}(event, context): ...", shims=(bottle_shim.install,))
