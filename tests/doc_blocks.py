"""Run every code block of a document, in order, as a reader would: Python blocks with this interpreter, shell
blocks with bash (the venv's ``bin`` first on PATH, so ``codegym`` is the checkout's). All blocks of a document
share one working directory, so a later block may read what an earlier one wrote. A block in any other language
fails the check: every code block in these docs must run as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from codegym.extraction import find_code_blocks

REPO = Path(__file__).resolve().parents[1]
PYTHON = {"python", "py", "python3"}
SHELL = {"bash", "sh", "shell", "console"}


def run_doc_blocks(doc: str | Path, cwd: Path, timeout: float = 300) -> int:
    """Run the blocks of ``doc`` (relative to the repository) in ``cwd``; returns how many ran."""
    path = REPO / doc
    blocks = find_code_blocks(path.read_text(encoding="utf-8"))
    assert blocks, f"{doc} has no code block"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    for number, block in enumerate(blocks, 1):
        if block.language in PYTHON:
            command = [sys.executable, "-c", block.code]
        elif block.language in SHELL:
            command = ["bash", "-euo", "pipefail", "-c", block.code]
        else:
            raise AssertionError(f"{doc}: block {number} is tagged {block.language!r}; every block must be a "
                                 "runnable python or bash block")
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, (f"{doc}: block {number} ({block.language}) exited {done.returncode}\n"
                                      f"--- block ---\n{block.code}--- stdout ---\n{done.stdout[-3000:]}"
                                      f"--- stderr ---\n{done.stderr[-3000:]}")
    return len(blocks)
