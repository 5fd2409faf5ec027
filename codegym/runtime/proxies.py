"""The program's objects as the harness sees them: proxies whose every operation is a request to the candidate.

* :class:`RemoteFunction`: a callable of the program (a function, a class, a bound method of a remote object);
* :class:`RemoteObject`: an object of the program's own classes, held by the candidate and used through its handle.
  It never decides a comparison: ``==`` holds only for another remote object of the same class with equal state
  (compared here, as a graph), ``in`` iterates it here, ``bool``/``len``/``str`` ask for plain values;
* :class:`RemoteClassMeta`: the metaclass of the stand-ins for the program's classes (``isinstance``, class
  attributes, static methods).

A proxy holds the harness's ``Link`` (``harness.Link``) and asks it; it never runs the program's code here.
"""

from . import codec


class RemoteFunction:
    """A callable of the program (a function, a class, or a bound method of a remote object)."""

    __slots__ = ("_link", "_fn", "__name__")

    def __init__(self, link, fn, name):
        self._link, self._fn, self.__name__ = link, fn, name

    def __call__(self, *args, **kwargs):
        return self._link.call(self._fn, args, kwargs)

    def __repr__(self):
        return f"<program function {self.__name__}>"


class RemoteObject:
    """An object of the program's own classes, held by the candidate and used here through its handle."""

    __slots__ = ("_link", "_handle", "_cls")

    def __init__(self, link, handle, cls):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_cls", str(cls))

    def _ask(self, what, **extra):
        return object.__getattribute__(self, "_link").special(object.__getattribute__(self, "_handle"), what,
                                                              **extra)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        reply = self._ask("getattr", attr=name)
        if reply.get("callable"):
            return RemoteFunction(self._link, {"handle": self._handle, "attr": name}, name)
        return reply.get("ok")

    def __setattr__(self, name, value):
        self._ask("setattr", attr=name, arg=self._link.encode_arg(value))

    def __lt__(self, other):
        if not isinstance(other, RemoteObject):
            return NotImplemented  # a test's value never goes to the program to be compared
        return self._ask("lt", arg=self._link.encode_arg(other)).get("ok") is True

    def __gt__(self, other):
        return other.__lt__(self) if isinstance(other, RemoteObject) else NotImplemented

    def __hash__(self):
        value = self._ask("hash").get("ok")
        if type(value) is not int:
            raise TypeError(f"unhashable program object {self._cls}")
        return value

    def __call__(self, *args, **kwargs):
        return self._link.call({"handle": self._handle}, args, kwargs)

    def __eq__(self, other):
        if not isinstance(other, RemoteObject):
            return NotImplemented
        if other._handle == self._handle:
            return True
        if other._cls != self._cls:
            return False
        return codec.values_equal(self._ask("state").get("ok"), other._ask("state").get("ok"))

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __bool__(self):
        return bool(self._ask("bool").get("ok") is True)

    def __len__(self):
        value = self._ask("len").get("ok")
        if type(value) is not int:
            raise TypeError("len() of the program's object is not an int")
        return value

    def __iter__(self):
        value = self._ask("iter").get("ok")
        return iter(value if isinstance(value, list) else [])

    def __contains__(self, item):
        return any(item is x or codec.values_equal(x, item) for x in self)

    def __getitem__(self, key):
        return self._ask("getitem", arg=self._link.encode_arg(key)).get("ok")

    def __str__(self):
        value = self._ask("str").get("ok")
        return value if type(value) is str else f"<{self._cls} object>"

    def __next__(self):
        return self._ask("next").get("ok")

    def __int__(self):
        return _plain(self._ask("int").get("ok"), int)

    def __float__(self):
        return _plain(self._ask("float").get("ok"), float)

    def __index__(self):
        return _plain(self._ask("index").get("ok"), int)

    def __repr__(self):
        return f"<program's {self._cls} object>"


def _plain(value, kind):
    if type(value) is not kind:
        raise TypeError(f"the program's object did not convert to {kind.__name__}")
    return value


class RemoteClassMeta(type):
    """Stand-ins for the program's classes: calling one constructs the object in the candidate; ``isinstance``
    checks the remote object's class; class attributes and static methods are read remotely."""

    def __call__(cls, *args, **kwargs):
        if cls._class_name is None:
            raise TypeError(f"{cls.__qualname__} objects are made by the program")
        return cls._class_link.call({"global": cls._class_name}, args, kwargs)

    def __getattr__(cls, attr):
        if attr.startswith("__") or attr.startswith("_class_") or cls._class_name is None:
            raise AttributeError(attr)
        reply = cls._class_link.special(None, "getattr", fn={"global": cls._class_name}, attr=attr)
        if reply.get("callable"):
            return RemoteFunction(cls._class_link, {"global": cls._class_name, "attr": attr}, attr)
        return reply.get("ok")
