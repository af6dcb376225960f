"""The `granary` module functions may import: Flask-compatible helpers that work whether Flask is installed or not
(the real Flask's when the function uses Flask), plus CloudEvent, Context and BindError."""

from .cloudevents_shim import CloudEvent
from .common import BindError, _importable, _module, state
from .flask_shim import Headers, HTTPException, Request, Response, abort, jsonify, make_response, redirect
from .functions_framework import Context


def install():
    shims = {"make_response": make_response, "jsonify": jsonify, "Response": Response, "abort": abort,
             "redirect": redirect, "HTTPException": HTTPException, "Request": Request, "Headers": Headers}

    def __getattr__(name):  # noqa: N807 - PEP 562 module attribute hook
        if name not in shims:
            raise AttributeError("module 'granary' has no attribute %r" % name)
        if state.flask_mode is not False and _importable("flask"):
            import flask
            value = getattr(flask, name, None)
            if value is not None:
                return value
        return shims[name]

    return _module("granary", {"__getattr__": __getattr__, "__all__": sorted(shims),
                               "CloudEvent": CloudEvent, "Context": Context, "BindError": BindError})
