"""The `cloudevents` package's surface (cloudevents.http.CloudEvent and the conversions) for functions that import
it when it is not installed."""

import datetime
import json
import types

from .common import _StoreKeys, _b64decode, _b64encode, _importable, _json_or_bytes, _module, _new_id


class CloudEvent(_StoreKeys):
    """cloudevents.http.CloudEvent: attributes by item (event['type']), data as .data / get_data()."""

    def __init__(self, attributes, data=None):
        self._store = {str(k).lower(): v for k, v in attributes.items()}
        self.data = data
        if "specversion" not in self._store:
            self._store["specversion"] = "1.0"
        if "id" not in self._store:
            self._store["id"] = _new_id()
        if "time" not in self._store:
            self._store["time"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        missing = [name for name in ("source", "type") if name not in self._store]
        if missing:
            raise MissingRequiredFields("Missing required attributes: %s" % set(missing))

    @classmethod
    def create(cls, attributes, data=None):
        return cls(attributes, data)

    def get_attributes(self):
        return types.MappingProxyType(self._store)

    def get_data(self):
        return self.data

    def __getitem__(self, key):
        return self._store[key]

    def get(self, key, default=None):
        return self._store.get(key, default)

    def __setitem__(self, key, value):
        self._store[key] = value

    def __delitem__(self, key):
        del self._store[key]

    def __eq__(self, other):
        if isinstance(other, CloudEvent):
            return self._store == other._store and self.data == other.data
        return NotImplemented

    def __repr__(self):
        return str({"attributes": self._store, "data": self.data})


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


def install():
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
