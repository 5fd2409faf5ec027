"""The trusted test side of the boundary: runs a task's test code against the program through remote proxies.

A harness process (sandboxed like a candidate, under its own uid) holds the test code, the setup code (imports,
LeetCode's ``ListNode``/``list_node``), the prompt's helpers, and its own pristine modules (``random``, ``math``).
It never holds the program. Each of the program's top-level names is a proxy here: calling it sends the call to the
candidate process (over their direct channel) and returns the decoded value, a real Python value of the harness's own
types, so every assertion is evaluated here with Python's own semantics on values the program cannot rig.

* Functions and classes of the program are :class:`RemoteFunction`; what they return is a plain value, or, for an
  object of the program's own classes, a :class:`RemoteObject` whose methods and attributes are read remotely.
* A remote object never decides a comparison: ``==`` holds only for another remote object of the same class with
  equal state (compared here as a graph), ``in`` iterates it here, ``bool``/``len``/``str`` ask for plain values.
* Names the trusted code defines (the prompt's helpers, the preamble's) are never replaced by the program's.
* Arguments that the call mutated come back and are updated in place, so ``f(a); assert a == [...]`` works.

Channels. From the supervisor (``rd``): ``{"op": "test", ...}`` per test, or ``{"dead": why}`` when the candidate
is gone; to it (``wr``): ``D`` + ``{"done": outcome, "t": index}`` per test, the verdict. To and from the candidate:
a direct pair of pipes (``Link.attach``) that the supervisor hands both units through their link sockets before the
first test, so a call costs two wake-ups and no relay. Only the program's replies come on it, read only while a
request is open, each checked against the request's nonce; a frame nobody asked for fails the test. The program
never writes to the supervisor's side, so nothing it sends can be read as a test or a verdict.
"""

import builtins
import collections
import os
import sys
import traceback
import types

from . import codec
from .framing import Channel, dump_json, frame_raw, load_json, receive_fds, write_all
from .proxies import RemoteClassMeta, RemoteFunction, RemoteObject

_MAX_FRAME = 256 << 20

#: Exceptions a remote failure never becomes: they steer control flow (a StopIteration ends a ``for`` over
#: ``map(candidate, xs)`` early, which would skip the remaining assertions).
_CONTROL = (StopIteration, StopAsyncIteration, GeneratorExit, KeyboardInterrupt, SystemExit)


def _control(body):
    try:
        message = load_json(body)
    except ValueError:
        message = None
    return message if isinstance(message, dict) else {}


class RemoteError(Exception):
    """The program raised an exception of a type the harness does not re-create."""


class CandidateGone(BaseException):
    """The candidate process died, timed out or broke protocol: the test cannot go on (not catchable by tests)."""


class Link:
    """The harness's lines: to the supervisor (tests in, verdicts out) and, directly, to the candidate."""

    def __init__(self, rd, wr):
        self.rd, self.wr = rd, wr
        self.crd = self.cwr = None  # the candidate's channel, once attached
        self.result_limit = _MAX_FRAME
        self.gone_reason = None  # "result_limit" when the program's reply was over the limit
        self.channel = Channel()
        self.channel.add(rd, _MAX_FRAME)
        self.last_error_line = None
        self.gone = None  # why the candidate cannot answer any more (a test that catches everything still fails)
        self.exception_classes = {}
        self.object_classes = {}
        self.remotes = {}
        self.callbacks = []
        self.setup_by_name = {}

    def attach(self, crd, cwr, limit):
        """The direct channel to the candidate: its replies are read from ``crd`` (frames up to ``limit`` bytes),
        requests written to ``cwr``."""
        self.crd, self.cwr = crd, cwr
        self.channel.add(crd, limit)
        self.result_limit = limit

    def send(self, obj):
        """A report to the supervisor."""
        write_all(self.wr, frame_raw(b"D" + dump_json(obj)))

    def to_candidate(self, obj):
        if self.cwr is None:
            raise CandidateGone("the harness has no channel to the program")
        try:
            write_all(self.cwr, frame_raw(dump_json(obj)))
        except OSError as exc:
            raise CandidateGone(f"the program's channel is closed ({exc.strerror or exc})") from None

    def from_candidate(self):
        """The candidate's next frame; CandidateGone when it is gone (the supervisor says so, or its channel
        ended), or sent a frame over the result limit."""
        fd, raw = self.channel.next_frame()
        if fd == self.crd:
            if raw is not None:
                return raw
            if self.channel.readers[fd].overflow:
                raise CandidateGone("the program's reply is over the result limit", "result_limit")
            raise CandidateGone("the program's channel closed: the program exited or was stopped")
        if raw is None:
            raise CandidateGone("the supervisor closed the harness's channel")
        message = _control(raw)
        raise CandidateGone(str(message.get("dead") or "the supervisor ended the call"))

    def out_of_turn(self):
        """Whether the program wrote anything nobody asked for (checked after each test)."""
        if self.crd is None:
            return False
        self.channel.drain(self.crd)
        return self.channel.pending(self.crd)

    def request(self, **fields):
        """Send one request to the candidate; the decoded reply (``ok`` and ``after`` as the harness's values)."""
        try:
            return self._request(fields)
        except CandidateGone as exc:
            self.gone = self.gone or str(exc)
            if len(exc.args) > 1 and self.gone_reason is None:
                self.gone_reason = exc.args[1]
            raise

    def _request(self, fields):
        if self.gone:
            raise CandidateGone(self.gone)
        # The harness chooses the nonce (the candidate cannot read this process) and checks it: one reply per
        # request, and the callbacks the program makes while it is open.
        nonce = int.from_bytes(os.urandom(8), "big") >> 1
        self.to_candidate(dict(fields, n=nonce, handles=True, seed=False))
        while True:
            body = self.from_candidate()
            try:
                reply = load_json(body)
            except ValueError as exc:
                raise CandidateGone(f"malformed reply from the program: {exc}") from None
            if not isinstance(reply, dict):
                raise CandidateGone("malformed reply from the program")
            if reply.get("n") != nonce:
                raise CandidateGone("the program wrote to the judge's channel out of turn (a forged or extra reply)")
            if "callback" not in reply:
                break
            self.run_callback(nonce, reply)
        if "raised" in reply:
            raise self.remote_exception(reply["raised"])
        if "unencodable" in reply:
            raise CandidateGone(f"the program returned a value that cannot be sent: {str(reply['unencodable'])[:500]}")
        out = {"callable": reply.get("callable") is True, "ok_is_arg": reply.get("ok_is_arg")}
        try:
            for key in ("ok", "after"):
                if key in reply:
                    out[key] = self.decode(reply[key])
        except codec.DecodeError as exc:
            raise CandidateGone(f"the program sent a value that cannot be decoded: {exc}") from None
        return out

    def decode(self, data):
        return codec.decode(data, object_factory=self.new_setup_object, handle_factory=self.remote)

    def remote_exception(self, info):
        """The program's exception, re-created here: its builtin base class (so ``except ValueError`` catches a
        ``class BadInput(ValueError)``), under the program's class name, with its arguments when they are plain."""
        info = info if isinstance(info, dict) else {}
        etype, emsg = str(info.get("etype", "Exception")), str(info.get("emsg", ""))
        if isinstance(info.get("line"), int):
            self.last_error_line = info["line"]
        base = getattr(builtins, str(info.get("base", "")), None)
        if not (isinstance(base, type) and issubclass(base, Exception)) or issubclass(base, _CONTROL):
            return RemoteError(f"{etype}: {emsg}")
        cls = base if base.__name__ == etype or not etype.isidentifier() else self.exception_class(etype, base)
        args = (emsg,)
        try:
            decoded = self.decode(info["args"]) if "args" in info else None
            if type(decoded) is list:
                args = tuple(decoded)
        except (codec.DecodeError, KeyError):
            pass
        try:
            return cls(*args)
        except Exception:  # noqa: BLE001 - constructors with other signatures (UnicodeDecodeError)
            try:
                return cls(emsg)
            except Exception:  # noqa: BLE001
                return RemoteError(f"{etype}: {emsg}")

    def exception_class(self, name, base):
        key = (name, base)
        if key not in self.exception_classes:
            self.exception_classes[key] = type(name, (base,), {"__module__": "__program__"})
        return self.exception_classes[key]

    def new_setup_object(self, name):
        cls = self.setup_by_name.get(name)
        return cls.__new__(cls) if cls is not None else None

    def remote(self, handle, cls):
        """A remote object, as an instance of the stand-in class named like the program's (``type(x).__name__``
        and ``isinstance(x, ProgramClass)`` hold as in the program); one per handle, so ``is`` holds as well."""
        obj = self.remotes.get(handle)
        if obj is None:
            obj = RemoteObject.__new__(self.object_class(str(cls)))
            RemoteObject.__init__(obj, self, handle, cls)
            self.remotes[handle] = obj
        return obj

    def object_class(self, qualname):
        if qualname not in self.object_classes:
            name = qualname.rsplit(".", 1)[-1]
            self.object_classes[qualname] = RemoteClassMeta(name if name.isidentifier() else "RemoteObject",
                                                             (RemoteObject,), {"__slots__": (), "__qualname__": qualname,
                                                                               "_class_link": self, "_class_name": None})
        return self.object_classes[qualname]

    def encode_arg(self, value):
        return codec.encode(value, object_hook=self.reference)

    def reference(self, value):
        """How an argument that is not a plain value travels: the program's own objects as their handles; the
        test's callables (a lambda, ``key=abs``, a function of the program passed back) as callables the program
        calls back here."""
        if isinstance(value, RemoteObject):
            return {"__handle__": object.__getattribute__(value, "_handle"),
                    "cls": object.__getattribute__(value, "_cls")}
        if callable(value):
            self.callbacks.append(value)
            return {"__handle__": len(self.callbacks) - 1, "cls": HARNESS_CALLABLE}
        return None

    def run_callback(self, nonce, message):
        """The program called a callable of the test: run it here and answer within the open request."""
        index = message.get("callback")
        try:
            fn = self.callbacks[index] if type(index) is int and 0 <= index < len(self.callbacks) else None
            if fn is None:
                raise CandidateGone("the program called back a function it was never given")
            args = self.decode(message.get("args") or [])
            kwargs = self.decode(message.get("kwargs") or {})
            result = {"callback_result": self.encode_arg(fn(*args, **kwargs))}
        except CandidateGone:
            raise
        except codec.DecodeError as exc:
            raise CandidateGone(f"the program sent a value that cannot be decoded: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the test's function raised: the program sees it raise
            result = {"callback_raised": {"etype": type(exc).__name__, "emsg": str(exc)[:2000]}}
        self.to_candidate(dict(result, n=nonce))

    def call(self, fn, args, kwargs):
        reply = self.request(op="call", fn=fn, args=self.encode_arg(list(args)),
                             kwargs=self.encode_arg(dict(kwargs)), handles=True, after=True)
        if "after" in reply:
            _update_in_place(args, kwargs, reply["after"])
        same = reply.get("ok_is_arg")
        if type(same) is int and 0 <= same < len(args):
            return args[same]
        return reply.get("ok")

    def special(self, handle, what, **extra):
        if handle is not None:
            extra["handle"] = handle
        return self.request(op="special", what=what, **extra)


#: The class name under which a callable of the harness travels (``candidate.HARNESS_CALLABLE``).
HARNESS_CALLABLE = "<harness callable>"


def _update_in_place(args, kwargs, after):
    """Give the caller's mutable arguments the state they had in the program after the call: containers are
    updated in place, recursively where the old and new items are containers of the same kind, so references the
    test holds into an argument (``row = grid[0]``) see the change too."""
    if not (isinstance(after, list) and len(after) == 2):
        return
    new_args, new_kwargs = after
    pairs = list(zip(args, new_args if isinstance(new_args, list) else []))
    if isinstance(new_kwargs, dict):
        pairs += [(kwargs[k], v) for k, v in new_kwargs.items() if k in kwargs]
    for old, new in pairs:
        try:
            _update(old, new, 0)
        except Exception:  # noqa: BLE001 - an argument that cannot take the new state keeps its old one
            pass


def _update(old, new, depth):
    if old is new or depth > 200:
        return
    if isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        for a, b in zip(old, new):  # a tuple cannot change, its mutable items can
            _update(a, b, depth + 1)
    elif isinstance(old, list) and isinstance(new, list):
        keep = [_same_kind(a, b) for a, b in zip(old, new)]
        for i, same in enumerate(keep):
            if same:
                _update(old[i], new[i], depth + 1)
                new[i] = old[i]
        old[:] = new
    elif isinstance(old, collections.deque) and isinstance(new, collections.deque):
        old.clear()
        old.extend(new)
    elif isinstance(old, dict) and isinstance(new, dict):
        for k in [k for k in old if k in new and _same_kind(old[k], new[k])]:
            _update(old[k], new[k], depth + 1)
            new[k] = old[k]
        old.clear()
        old.update(new)
    elif isinstance(old, set) and isinstance(new, set):
        old.clear()
        old.update(new)
    elif type(old) is bytearray and isinstance(new, (bytes, bytearray)):
        old[:] = new
    elif type(old).__module__ == "numpy" and type(new) is type(old) and old.shape == new.shape:
        old[...] = new
    elif type(old) is type(new) and hasattr(old, "__dict__") and not isinstance(old, RemoteObject):
        vars(old).clear()
        vars(old).update(vars(new))


def _same_kind(a, b):
    return a is not b and type(a) is type(b) and isinstance(a, (list, dict, set, bytearray, collections.deque))


class Harness:
    """Builds the trusted namespace once, then runs each test in a fresh copy of it."""

    def __init__(self, payload, link):
        self.link = link
        self.name = "__harness__"
        self.module = types.ModuleType(self.name)
        self.base = self.module.__dict__
        self.base["__builtins__"] = builtins
        sys.modules[self.name] = self.module
        self.error = None
        trusted = {}
        for label, code in (("<setup>", payload.get("setup") or ""), ("<prompt>", payload.get("harness_code") or "")):
            if not code:
                continue
            try:
                exec(compile(code, label, "exec", dont_inherit=True), self.base)
            except BaseException as exc:  # the prompt's stub may not run on its own: keep what it defined
                if label == "<setup>":
                    self.error = {"etype": type(exc).__name__, "emsg": f"the task's setup code failed: {exc}"[:2000]}
            if label == "<setup>":
                link.setup_by_name.update(codec.value_classes(self.base, self.name))
            trusted.update({k: v for k, v in self.base.items() if not k.startswith("__")})
        entry_names = {str(e).split("(")[0] for e in payload.get("entries") or ()}
        for key, info in (payload.get("names") or {}).items():
            # The names come from the program's process, so the program chooses them: never a dunder (a test's
            # ``__builtins__``, ``__name__`` or ``__import__`` would decide what ``range`` or ``import`` mean).
            if not isinstance(key, str) or not key.isidentifier() or key.startswith("__") or not isinstance(info, dict):
                continue
            if key not in entry_names and (key in trusted or hasattr(builtins, key)):
                continue  # the trusted definition wins: the program cannot redefine a helper or builtin the test uses
            kind = info.get("kind")
            if kind == "exception":
                base = getattr(builtins, str(info.get("base")), None)
                if isinstance(base, type) and issubclass(base, Exception) and not issubclass(base, _CONTROL):
                    self.base[key] = base if base.__name__ == key else link.exception_class(key, base)
            elif kind == "class":
                stand_in = link.object_class(str(info.get("qualname") or key))
                type.__setattr__(stand_in, "_class_name", key)
                self.base[key] = stand_in
            elif kind == "function":
                self.base[key] = RemoteFunction(link, {"global": key}, key)
            elif kind == "value":
                try:
                    self.base[key] = link.decode(info.get("value"))
                except codec.DecodeError:
                    pass

    def run_test(self, test):
        if self.error:
            return dict(self.error, status="raised")
        g = dict(self.base)
        g["__builtins__"] = builtins  # the interpreter's own, whatever the namespace was built from
        g["__name__"] = self.name
        code = str(test.get("code", ""))
        self.link.last_error_line = None
        try:
            exec(compile(code, "<test>", "exec", dont_inherit=True), g)
        except CandidateGone as exc:
            return {"status": "gone", "why": str(exc)[:2000]}
        except BaseException as exc:
            if self.link.gone:
                return {"status": "gone", "why": self.link.gone[:2000]}
            return self.failure(exc, code)
        if self.link.gone:  # the test caught the failure: it still cannot pass without the program's answers
            return {"status": "gone", "why": self.link.gone[:2000]}
        return {"status": "ok"}

    def failure(self, exc, code):
        try:
            msg = str(exc)
        except BaseException:
            msg = "<unprintable message>"
        etype = type(exc).__name__
        if isinstance(exc, RemoteError):
            etype, _, msg = msg.partition(": ")
        report = {"status": "raised", "etype": etype, "emsg": msg[:2000], "line": self.link.last_error_line}
        if isinstance(exc, AssertionError):
            lines = code.splitlines()
            for frame, lineno in traceback.walk_tb(exc.__traceback__):
                if frame.f_code.co_filename == "<test>" and 0 < lineno <= len(lines):
                    report["assertion"] = lines[lineno - 1].strip()[:500]
        return report


def serve(payload, rd, wr, link_sock=None):
    """Entry point of a harness unit: take the channel to the candidate, build the namespace, then run each test the
    supervisor sends."""
    link = Link(rd, wr)
    if payload.get("link"):
        try:
            crd, cwr = receive_fds(link_sock, 2)
        except (EOFError, OSError, TypeError):
            return
        link.attach(crd, cwr, int((payload.get("limits") or {}).get("max_result_bytes") or _MAX_FRAME))
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
    harness = Harness(payload, link)
    while True:
        fd, raw = link.channel.next_frame()
        if fd != rd:  # the program's bytes between tests: nobody asked for them
            link.gone = link.gone or ("the program wrote to the judge's channel out of turn" if raw is not None
                                      else "the program's channel closed: the program exited or was stopped")
            if raw is None:
                link.channel.remove(fd)
            continue
        if raw is None:
            return
        message = _control(raw)
        if message.get("op") != "test":
            return
        outcome = harness.run_test(message)
        if outcome.get("status") != "gone" and link.out_of_turn():
            link.gone = "the program wrote to the judge's channel out of turn (a forged or extra reply)"
            outcome = {"status": "gone", "why": link.gone}
        if outcome.get("status") == "gone" and link.gone_reason:
            outcome["ended"] = link.gone_reason
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        link.send({"done": outcome, "t": message.get("t")})
