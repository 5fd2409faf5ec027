"""The sandbox runtime: the code that runs inside the sandbox and supervises it, as one stdlib-only package.

Nothing here imports ``codegym`` (the package is shipped to containers as one artefact and started with
``python -I``). Modules, by side of the process boundary:

* shared: ``codec`` (plain values across the boundary), ``framing`` (length-prefixed JSON frames);
* kernel: ``linux`` (libc calls), ``seccomp`` (the per-unit system-call filter), ``isolation`` (namespaces, the
  minimal root, per-uid scratch);
* untrusted side: ``candidate`` (loads the program and answers calls); ``unit`` (what every unit does between its
  fork and its role: descriptors, uid, filter, limits);
* trusted side: ``harness`` (runs test code against the candidate through remote proxies: ``proxies``), ``supervisor`` (drives
  units, enforces limits, links harness and candidate; ``units``: its view of each unit), ``forkserver`` (forks units), ``container`` (the one-shot server the
  Docker backend runs).
"""

import json as _json
import os as _os

#: The modules of this package, in an order in which each one's imports are already loaded.
MODULES = ("framing", "codec", "linux", "seccomp", "isolation", "candidate", "proxies", "harness", "unit", "units", "supervisor",
           "forkserver", "container")


def artefact() -> bytes:
    """The whole package as one JSON object ``{module name: source}``, as shipped into containers."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    sources = {}
    for name in ("__init__", *MODULES):
        with open(_os.path.join(here, name + ".py"), encoding="utf-8") as f:
            sources["runtime" if name == "__init__" else "runtime." + name] = f.read()
    return _json.dumps(sources).encode("utf-8")
