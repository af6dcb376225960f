"""The Python Functions Framework's signatures: `http` (fn(request), on Flask when the function imported it, else on
Granary's flask_shim), `cloudevent` (fn(cloud_event), answered "OK") and `event` (fn(data, context), answered "OK");
its declarative API (functions_framework.http, .cloud_event, .typed, .errorhandler) and how it answers a failure."""

import inspect
import json
import sys
import types

from .cloudevents_shim import CloudEvent
from .common import (Signature, _ce_data, _header_map, _importable, _module, _out, _raw_bytes, _request_environ,
                     _reraise_fatal, _serialize, _settle, state)
from .flask_shim import HTTPException, InternalServerError, Request, Response, _response_out, _to_response


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


def _ff_failed(error, method):
    """The adapter's answer to a function that raised (a MemoryError is the worker's to answer)."""
    _reraise_fatal(error)
    r, reported = _ff_failure(error, method)
    return _out(r, error=reported)


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
        method = req["method"]
        if _ignored_path(req["path"]):
            return _ignored_answer(method)
        request = Request(req, _header_map(req["headers"]))
        try:
            rv = _settle(fn(request))
            response = _to_response(rv)
            return _out(_response_out(response, method))
        except Exception as error:  # noqa: BLE001 - the function's failure is the answer
            return _ff_failed(error, method)

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
        method = req["method"]
        if _ignored_path(req["path"]):
            return _ignored_answer(method)
        environ = _request_environ(req, req["headers"], _raw_bytes(req))
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
        method = req["method"]
        prepared = req.get("event") or {}
        headers = _header_map(req["headers"])
        try:
            attributes = {k: v for k, v in prepared.items() if k != "data" and k != "data_base64"}
            event = factory(attributes, _ce_data(req, prepared, headers))
            _settle(fn(event))
            return _out(_ok(method))
        except Exception as error:  # noqa: BLE001 - the function's failure is the answer
            return _ff_failed(error, method)

    return invoke


def _event_adapter(fn, meta, host):
    def invoke(req):
        method = req["method"]
        prepared = req.get("event") or {}
        try:
            context = prepared.get("context")
            if not isinstance(context, dict):
                context = {}
            data = prepared.get("data")
            _settle(fn(data, Context(
                eventId=context.get("eventId", context.get("event_id", "")),
                timestamp=context.get("timestamp", ""),
                eventType=context.get("eventType", context.get("event_type", "")),
                resource=context.get("resource", ""))))
            return _out(_ok(method))
        except Exception as error:  # noqa: BLE001 - the function's failure is the answer
            return _ff_failed(error, method)

    return invoke


def registered(module, handler):
    """(signature, function) when the module registered `handler` with the declarative API, else None: a
    registration decides the signature (typed is http)."""
    registration = _REGISTRY.get(handler)
    if registration is None:
        return None
    fn = getattr(module, handler, None)
    if not callable(fn):
        fn = registration[1]
    if registration[0] == "typed":
        return "http", _typed_function(fn, registration[2])
    return registration[0], fn


def install():
    _REGISTRY.clear()
    del _ERROR_HANDLERS[:]
    _module("functions_framework", {
        "http": _register("http"),
        "cloud_event": _register("cloudevent"),
        "typed": _ff_typed,
        "errorhandler": _ff_errorhandler,
        "FunctionsFrameworkException": FunctionsFrameworkException,
    })


def _http_adapter(fn, meta, host):
    flask_module = sys.modules.get("flask")
    state.flask_mode = flask_module is not None and not getattr(flask_module, "__granary_shim__", False)
    return (_http_flask_adapter if state.flask_mode else _http_shim_adapter)(fn, meta, host)


SIGNATURES = (
    Signature("http", _http_adapter, "def {0}(request): ..."),
    Signature("cloudevent", _cloudevent_adapter, "def {0}(cloud_event): ..."),
    Signature("event", _event_adapter, "def {0}(data, context): ..."),
)
