"""Python dicts in the model file's vocabulary, written as TOML text for the
model file's own reader (in memory: no file is written), so that a network
built from dicts is checked, and built, exactly as its TOML twin.

Top-level tables whose values are all tables become [key.name] sections
(populations, devices, recorders), lists of tables become [[key]] arrays
(projections), other tables [key] sections; nested tables are inline.
Dict order is kept: it fixes the populations' order, hence their ids."""
import json
import math
import numbers
import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


class DictError(ValueError):
    """A value no model file could hold; the key names where it is."""


def _key(k, where):
    if not isinstance(k, str):
        raise DictError("%s: key %r is not a string" % (where or "(top)", k))
    return k if _BARE.match(k) else json.dumps(k)


def _value(v, where):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        return "{ " + ", ".join("%s = %s" % (_key(k, where), _value(x, _join(where, k)))
                                for k, x in v.items()) + " }" if v else "{}"
    if hasattr(v, "tolist") and not isinstance(v, (bytes, bytearray)):  # numpy arrays and scalars
        return _value(v.tolist(), where)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, "%s[%d]" % (where, i)) for i, x in enumerate(v)) + "]"
    raise DictError("%s: a %s cannot be a model file value" % (where or "(top)", type(v).__name__))


def _join(where, k):
    return "%s.%s" % (where, k) if where else str(k)


def dumps(model):
    """The TOML text of a model dict."""
    if not isinstance(model, dict):
        raise DictError("a model is a dict, not a %s" % type(model).__name__)
    head, body = [], []
    for k, v in model.items():
        key = _key(k, "")
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            for name, table in v.items():
                body.append("[%s.%s]" % (key, _key(name, k)))
                body.extend(_assignments(table, _join(k, name)))
        elif isinstance(v, dict):
            body.append("[%s]" % key)
            body.extend(_assignments(v, k))
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, dict) for x in v):
            for i, table in enumerate(v):
                body.append("[[%s]]" % key)
                body.extend(_assignments(table, "%s[%d]" % (k, i)))
        else:
            head.append("%s = %s" % (key, _value(v, k)))
    return "\n".join(head + body) + "\n"


def _assignments(table, where):
    return ["%s = %s" % (_key(k, where), _value(v, _join(where, k))) for k, v in table.items()]
