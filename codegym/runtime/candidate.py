"""The untrusted side of the boundary: loads the program, then answers requests one at a time.

A candidate process holds the program and nothing else of the task: no expected value, no test code, no test
helper. It receives requests as frames from the supervisor (its input pipe) and, once the supervisor has linked it
to a harness (``link``: two pipe ends over the link socket), from the harness directly; it answers each with one
frame carrying the request's nonce, back where the request came from. Nothing it writes decides a verdict: each
receiver accepts one well-formed reply per outstanding request, and decodes values (``codec``) into its own types.

Requests (JSON objects, ``n`` a nonce chosen by the supervisor):

* ``calls``: a test's calls of one entry point, in order; reply ``values`` (encoded, by value), and ``raised`` or
  ``unencodable`` when one of them stopped the rest;
* ``call``: call ``fn`` (``{"entry": "f" | "Solution().m"}``, ``{"global": name}``, or ``{"handle": h, "attr": a}``)
  with encoded ``args``/``kwargs``; reply ``ok`` (the encoded value) and, with ``after``, the arguments' post-call
  state (in-place tests), or ``raised`` (exception type, message, line in the program);
* ``special``: ``len``, ``bool``, ``iter``, ``str``, ``getitem``, ``getattr``, ``state`` of a handle (an object the
  program created and the harness holds remotely);
* ``drop``: forget handles;
* ``link`` (no reply): take the ends of the harness's direct channel from the link socket.

With ``handles`` set (the harness's requests) objects of the program's own classes stay here and are sent
as handles; objects of the setup code's classes (LeetCode's ``ListNode``) and library values are sent by value.
Without it (the supervisor's own call and lifted tests) every object is sent by value, structurally.
"""

import builtins
import collections
import os
import random
import resource
import sys
import traceback
import types

from . import codec
from .framing import Channel, dump_json, frame_raw, load_json, read_raw_frame, receive_fds, write_all

_MAX_REQUEST = 256 << 20
#: The class name of a handle that stands for a callable of the harness (a test's lambda, ``key=abs``).
HARNESS_CALLABLE = "<harness callable>"


class HarnessCallable:
    """A callable of the test (a lambda, a key function, a callback) passed to the program: calling it asks the
    harness to run it within the request being answered, and answers any call the harness makes back in the
    meantime. (A program may keep it and call it in a later request of the same run: the harness then runs the
    same test code, its own, which tells the program nothing a call could not.)"""

    __slots__ = ("_candidate", "_id")

    def __init__(self, candidate, ident):
        self._candidate, self._id = candidate, ident

    def __call__(self, *args, **kwargs):
        c = self._candidate
        nonce = c.current_nonce
        c.reply(nonce, callback=self._id, args=c.encode(list(args), True), kwargs=c.encode(dict(kwargs), True))
        while True:
            message = c.next_request(from_current=True)
            if message is None:
                os._exit(0)
            if isinstance(message, dict) and message.get("n") == nonce and "callback_result" in message:
                return c.decode(message["callback_result"])
            if isinstance(message, dict) and message.get("n") == nonce and "callback_raised" in message:
                info = message["callback_raised"] if isinstance(message["callback_raised"], dict) else {}
                cls = getattr(builtins, str(info.get("etype")), None)
                if not (isinstance(cls, type) and issubclass(cls, Exception)):
                    cls = RuntimeError
                raise cls(str(info.get("emsg", "")))
            if not isinstance(message, dict) or not c.handle(message):
                os._exit(0)

    def __repr__(self):
        return "<function of the test>"


def solution_line(tb):
    """The last line of the program (``<solution>``) in a traceback, or None."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == "<solution>":
            line = lineno
    return line


def exception_report(exc):
    """Type, message, program line and traceback tail of an exception, as plain data (never raising)."""
    try:
        msg = str(exc)
    except BaseException:
        msg = "<unprintable message>"
    report = {"etype": type(exc).__name__ if type(type(exc).__name__) is str else "?", "emsg": msg[:2000],
              "line": solution_line(exc.__traceback__), "base": _builtin_base(type(exc))}
    try:  # the exception's arguments, for tests that look at ``e.args`` (plain values only, small)
        report["args"] = codec.encode(list(BaseException.__getattribute__(exc, "args")), max_nodes=1000)
    except BaseException:
        pass
    try:
        report["tb"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6))[-3000:]
    except BaseException:
        pass
    return report


def _builtin_base(cls):
    """The first builtin exception class in ``cls``'s MRO (``ValueError`` for ``class BadInput(ValueError)``)."""
    try:
        mro = type.__getattribute__(cls, "__mro__")
    except BaseException:
        return "Exception"
    for klass in mro:
        if getattr(builtins, getattr(klass, "__name__", ""), None) is klass:
            return klass.__name__
    return "Exception"


def resolve_entry(g, entry):
    """``"f"`` -> ``g["f"]``; ``"Solution().method"`` -> the method of a fresh instance."""
    if "()." in entry:
        cls_name, method = entry.split("().", 1)
        if cls_name not in g:
            raise NameError(f"name {cls_name!r} is not defined")
        return getattr(g[cls_name](), method)
    if entry in g:
        return g[entry]
    raise NameError(f"name {entry!r} is not defined")


_MUTABLE = (list, dict, set, bytearray, collections.deque, tuple)  # (a tuple's items may be mutable)


def _mutable(value):
    """Whether a call may have changed an argument in place (then its state after the call goes back)."""
    if isinstance(value, _MUTABLE) or type(value).__module__ == "numpy":
        return True
    return hasattr(value, "__dict__") and not isinstance(value, (type, types.ModuleType, types.FunctionType))


class Candidate:
    """The program's namespace, its handle table and the request loop."""

    def __init__(self, payload, rd, wr, link_sock=None):
        self.rd, self.wr = rd, wr
        self.link_sock = link_sock
        self.replies_to = {rd: wr}  # where the answers to each source's requests go
        self.inp, self.out = rd, wr  # the source of the request being answered, and where its answer goes
        self.channel = None  # both sources, once the harness's channel is attached
        self.style = payload.get("style", "function")
        self.name = "__main__" if self.style == "stdio" else "__solution__"
        self.module = types.ModuleType(self.name)
        self.g = self.module.__dict__
        self.g["__builtins__"] = builtins
        # A real module in sys.modules: dataclasses, pickle, typing.get_type_hints and enum look the program up there.
        sys.modules[self.name] = self.module
        self.setup_types = {}  # classes the trusted setup code defined (ListNode): sent by value, by identity
        self.setup_by_name = {}
        self.value_classes = {}  # classes made for objects of the test's own classes (new_setup_object)
        self.handles = {}
        self.handle_ids = {}  # id(object) -> its handle (the object stays in ``handles``, so its id stays its own)
        self.next_handle = 1
        self.current_nonce = None  # the request being answered (a callback of the harness answers within it)

    # -- replies ---------------------------------------------------------------------------------------------------
    def reply(self, nonce, **fields):
        fields = {"n": nonce, **fields}
        try:  # the program's own account of its resources: informational (limits are enforced from outside)
            ru = resource.getrusage(resource.RUSAGE_SELF)
            fields["ru"] = [ru.ru_utime, ru.ru_stime, ru.ru_maxrss]
        except (OSError, ValueError):
            pass
        try:
            data = dump_json(fields)
        except Exception as exc:  # noqa: BLE001 - a value that survived encoding but not JSON
            data = dump_json({"n": nonce, "unencodable": f"{type(exc).__name__}: {exc}"[:500]})
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        write_all(self.out, frame_raw(data))

    def encode(self, value, handles):
        return codec.encode(value, object_hook=self.handle_of if handles else None)

    def handle_of(self, value):
        if type(value) in self.setup_types:
            return None
        h = self.handle_ids.get(id(value))
        if h is None or self.handles.get(h) is not value:  # one handle per object: ``obj.push(1) is obj`` holds
            h = self.next_handle
            self.next_handle += 1
            self.handles[h] = value
            self.handle_ids[id(value)] = h
        name = getattr(type(value), "__qualname__", "?")
        return {"__handle__": h, "cls": name if type(name) is str else "?"}

    def decode(self, data):
        return codec.decode(data, object_factory=self.new_setup_object, handle_factory=self.lookup_handle)

    def new_setup_object(self, name):
        """An empty object of the class named ``name``: the setup code's own class (``ListNode``), else a plain
        class of that name made here, so that the program can read the attributes of an object of a class the test
        defined (a value: its methods stayed with the test)."""
        cls = self.setup_by_name.get(name) or self.value_classes.get(name)
        if cls is None and len(self.value_classes) < 1024:
            short = name.rsplit(".", 1)[-1]
            cls = type(short if short.isidentifier() else "TestObject", (), {"__qualname__": name,
                                                                             "__module__": "__test__"})
            self.value_classes[name] = cls
        return cls.__new__(cls) if cls is not None else None

    def lookup_handle(self, h, cls):
        if cls == HARNESS_CALLABLE:
            return HarnessCallable(self, h)
        if h not in self.handles:
            raise codec.DecodeError(f"unknown handle {h}")
        return self.handles[h]

    # -- loading ---------------------------------------------------------------------------------------------------
    def load(self, payload):
        """Run the setup code and the program; the reply says how it went, with the program's top-level names."""
        nonce = payload.get("n")
        setup = payload.get("setup") or ""
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
        if setup:
            try:
                exec(compile(setup, "<setup>", "exec", dont_inherit=True), self.g)
            except BaseException as exc:
                self.reply(nonce, setup_error=exception_report(exc))
                return False
        self.setup_by_name = codec.value_classes(self.g, self.name)
        self.setup_types = {cls: name for name, cls in self.setup_by_name.items()}
        before = dict(self.g)
        try:
            code = compile(payload["program"], "<solution>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
            self.reply(nonce, syntax_error={"etype": type(exc).__name__, "emsg": str(getattr(exc, "msg", exc))[:2000],
                                            "line": getattr(exc, "lineno", None)})
            return False
        if self.style == "stdio":
            return self.run_stdio(code, payload)
        try:
            exec(code, self.g)
        except BaseException as exc:
            self.reply(nonce, load_error=exception_report(exc))
            return False
        # The harness needs the program's names (to stand in for them); the supervisor's own calls do not.
        self.reply(nonce, loaded={"names": self.names(before) if payload.get("names") else {}})
        return True

    def names(self, before):
        """The program's own top-level names, with what the harness needs to stand in for them."""
        out = {}
        for key, value in list(self.g.items()):
            if type(key) is not str or key.startswith("__") or before.get(key, self) is value:
                continue
            if isinstance(value, types.ModuleType):
                continue
            if isinstance(value, type) and issubclass(value, BaseException):
                # The harness makes an exception class of the same name and builtin base, so that ``except
                # BadInput:`` in a test catches the program's BadInput raised through a call.
                out[key] = {"kind": "exception", "base": _builtin_base(value)}
            elif isinstance(value, type):
                qualname = getattr(value, "__qualname__", key)
                out[key] = {"kind": "class", "qualname": qualname if type(qualname) is str else key}
            elif callable(value):
                out[key] = {"kind": "function"}
            else:
                try:
                    out[key] = {"kind": "value", "value": codec.encode(value, max_nodes=10_000)}
                except Exception:  # noqa: BLE001 - too big or odd: the harness reads it remotely
                    out[key] = {"kind": "remote"}
        return out

    def run_stdio(self, code, payload):
        data = (payload.get("stdin") or "").encode("utf-8", "surrogatepass")
        if hasattr(os, "memfd_create"):
            mfd = os.memfd_create("stdin")
            os.write(mfd, data)
            os.lseek(mfd, 0, os.SEEK_SET)
            os.dup2(mfd, 0)
            os.close(mfd)
        sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)
        random.seed(0)
        outcome = {"exit": "ok"}
        try:
            exec(code, self.g)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                outcome = {"raised": {"etype": "SystemExit", "emsg": f"exit code {exc.code!r}"[:200],
                                      "line": solution_line(exc.__traceback__)}}
        except BaseException as exc:
            outcome = {"raised": exception_report(exc)}
        self.reply(payload.get("n"), **outcome)
        return False

    # -- serving ---------------------------------------------------------------------------------------------------
    def serve(self):
        while True:
            request = self.next_request()
            if not isinstance(request, dict) or not self.handle(request):
                return

    def next_request(self, from_current=False):
        """The next request, from the supervisor or (once attached) the harness's channel; the answer will go back
        where it came from. ``from_current``: only from the source of the request being answered (a callback's
        result); a frame from the other one is a protocol break. None when a source ended or sent garbage."""
        if self.channel is None:
            try:
                raw = read_raw_frame(self.rd, _MAX_REQUEST)
            except (EOFError, OSError, ValueError):
                return None
        else:
            fd, raw = self.channel.next_frame()
            if raw is None or (from_current and fd != self.inp):
                return None
            self.inp, self.out = fd, self.replies_to[fd]
        try:
            return load_json(raw)
        except ValueError:
            return None

    def attach_harness(self):
        """The supervisor's ``link``: the two ends of the harness's direct channel come over the link socket."""
        crd, cwr = receive_fds(self.link_sock, 2)
        self.channel = Channel()
        self.channel.add(self.rd, _MAX_REQUEST)
        self.channel.add(crd, _MAX_REQUEST)
        self.replies_to[crd] = cwr

    def handle(self, request):
        """Answer one request; False when it asks the candidate to stop."""
        op = request.get("op")
        nonce = request.get("n")
        outer, self.current_nonce = self.current_nonce, nonce
        outer_io = self.inp, self.out
        try:
            if op == "link":  # no answer: the supervisor goes on, the harness's first request is the proof
                try:
                    self.attach_harness()
                except (EOFError, OSError):
                    return False
                return True
            return self.answer(op, nonce, request)
        finally:
            self.current_nonce = outer
            self.inp, self.out = outer_io

    def answer(self, op, nonce, request):
        try:
            if op == "calls":
                self.calls(request)
            elif op == "call":
                self.call(request)
            elif op == "special":
                self.special(request)
            elif op == "drop":
                for h in request.get("handles") or ():
                    self.handles.pop(h, None)
                self.reply(nonce, ok=None)
            else:
                return False
        except codec.EncodeError as exc:
            self.reply(nonce, unencodable=str(exc)[:500])
        except codec.DecodeError as exc:
            self.reply(nonce, raised={"etype": "TypeError", "emsg": f"bad arguments: {exc}"[:500], "line": None})
        return True

    def target(self, fn):
        """What a request names: an entry point, a top-level name, or a handle; then, with ``attr``, its attribute."""
        if "entry" in fn:
            return resolve_entry(self.g, fn["entry"])
        obj = resolve_entry(self.g, fn["global"]) if "global" in fn else self.lookup_handle(fn["handle"], None)
        return getattr(obj, fn["attr"]) if fn.get("attr") else obj

    def call(self, request):
        nonce = request.get("n")
        handles = bool(request.get("handles"))
        if request.get("seed"):
            random.seed(0)
        args = self.decode(request.get("args") or [])
        kwargs = self.decode(request.get("kwargs") or {})
        try:
            fn = self.target(request["fn"])
            value = fn(*args, **kwargs)
        except BaseException as exc:
            self.reply(nonce, raised=exception_report(exc))
            return
        fields = {"ok": self.encode(value, handles)}
        same = next((i for i, a in enumerate(args) if a is value and _mutable(a)), None)
        if same is not None:  # the argument itself came back (``heapq``-style): the caller's object is the value
            fields["ok_is_arg"] = same
        if request.get("after") and (any(_mutable(a) for a in args) or any(_mutable(v) for v in kwargs.values())):
            after = self.encode([list(args), dict(kwargs)], handles)
            if after != [request.get("args") or [], request.get("kwargs") or {}]:  # only what the call changed
                fields["after"] = after
        self.reply(nonce, **fields)

    def calls(self, request):
        """A test's calls in order (the supervisor's call and lifted tests): all values in one reply, up to the
        first exception."""
        nonce = request.get("n")
        random.seed(0)
        values = []
        try:
            # Resolved once: ``check(Solution().m)`` calls one instance throughout, and so does a lifted test.
            fn = self.target(request["fn"])
        except BaseException as exc:
            self.reply(nonce, values=values, raised=exception_report(exc))
            return
        for call in request.get("calls") or ():
            try:
                args = self.decode(call.get("args") or [])
                kwargs = self.decode(call.get("kwargs") or {})
            except codec.DecodeError as exc:
                self.reply(nonce, values=values, raised={"etype": "TypeError", "emsg": f"bad arguments: {exc}"[:500],
                                                         "line": None})
                return
            try:
                value = fn(*args, **kwargs)
            except BaseException as exc:
                self.reply(nonce, values=values, raised=exception_report(exc))
                return
            try:
                values.append(codec.encode(value))
            except codec.EncodeError as exc:
                self.reply(nonce, values=values, unencodable=str(exc)[:500])
                return
        self.reply(nonce, values=values)

    def special(self, request):
        nonce = request.get("n")
        what = request.get("what")
        try:
            obj = self.target(request["fn"]) if "fn" in request else self.lookup_handle(request.get("handle"), None)
            if what == "getattr":
                value = getattr(obj, request["attr"])
                if callable(value) and not isinstance(value, type):
                    self.reply(nonce, callable=True)
                    return
            elif what == "len":
                value = len(obj)
            elif what == "bool":
                value = bool(obj)
            elif what == "iter":
                value = list(obj)
            elif what == "str":
                value = str(obj)
            elif what == "next":
                value = next(obj)
            elif what == "int":
                value = int(obj)
            elif what == "float":
                value = float(obj)
            elif what == "index":
                value = obj.__index__()
            elif what == "hash":
                value = hash(obj)
            elif what == "lt":  # the program orders its own objects (``sorted`` of them in a test)
                value = obj < self.decode(request.get("arg"))
            elif what == "setattr":  # a test sets an attribute of the program's object (a property setter runs)
                setattr(obj, request["attr"], self.decode(request.get("arg")))
                value = None
            elif what == "repr":
                value = repr(obj)
            elif what == "getitem":
                value = obj[self.decode(request.get("arg"))]
            elif what == "state":
                self.reply(nonce, ok=self.encode(obj, False))
                return
            else:
                raise TypeError(f"unsupported operation {what!r}")
        except BaseException as exc:
            self.reply(nonce, raised=exception_report(exc))
            return
        self.reply(nonce, ok=self.encode(value, True))


def serve(payload, rd, wr, link_sock=None):
    """Entry point of a candidate unit (after the fork server's set-up and limits)."""
    candidate = Candidate(payload, rd, wr, link_sock)
    if candidate.load(payload):
        candidate.serve()
