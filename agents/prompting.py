"""How a policy is prompted, and the record of it that travels with a trained model.

A model trained in one prompt style answers garbage in another: the tiny model continues a function's signature
(``completion`` style) and has never seen its chat template, so played in ``chat`` style it scores 0. The style
is therefore part of the model, like its tokenizer: :class:`PromptFormat` says how observations become policy
inputs and answers become env actions, and :meth:`PromptFormat.save` writes it next to the weights as
``prompt_format.json`` (:data:`PROMPT_FORMAT_FILE`). :class:`agents.policy.Policy` loads and saves it with the
model, so every consumer of a model directory -- ``codegym bench --agent DIR``, ``codegym train --model DIR``,
``python -m agents.serve --model DIR`` -- prompts it the way it was trained. A directory without the file (a hub
model) gets :meth:`PromptFormat.infer`: ``chat`` when the tokenizer has a chat template, ``completion`` otherwise.

Styles:

* ``"chat"`` (instruction models): one user message with :data:`CHAT_INSTRUCTION`, the task, the visible tests
  (``show_tests``), and on refinement turns the feedback and the previous program; the env extracts the fenced
  block from the answer.
* ``"completion"`` (base models, the tiny model): the model continues the task's prompt text (signature and
  docstring); the action is prompt + continuation, i.e. the whole program. On refinement turns the feedback goes
  above the prompt as Python comments.

``stop`` holds stop sequences besides the tokenizer's EOS: generation ends at the first one, which is not part of
the answer (as OpenAI's ``stop``). Completion-style base models usually need them (Codex's
``["\\ndef ", "\\nclass ", "\\nif __name__", "\\nprint("]``); the tiny model ends with EOS and needs none.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codegym.errors import CodegymError
from codegym.integrations.export import CHAT_INSTRUCTION

PromptStyle = Literal["chat", "completion"]
#: The styles, in the order the CLI lists them.
PROMPT_STYLES: tuple[str, ...] = ("chat", "completion")
#: File name of the record in a model directory.
PROMPT_FORMAT_FILE = "prompt_format.json"

#: Chat-style tester instruction of CURE co-training: one unit test per answer.
TESTER_CHAT_INSTRUCTION = (
    "Write one unit test for the following task as a JSON object "
    '{{"input": [positional arguments], "output": expected return value}} (for a stdin/stdout task both are '
    "strings). Answer with the JSON object only.\n\n{prompt}")
#: Completion-style tester prompt: the model continues a JSON test object after the task.
TESTER_COMPLETION_SUFFIX = '\n# One unit test as JSON {"input": [arguments], "output": expected}:\n{"input": ['
TESTER_COMPLETION_PREFIX = '{"input": ['


class PromptFormatError(CodegymError, ValueError):
    """A prompt format that cannot work (unknown style, unreadable ``prompt_format.json``)."""


@dataclass(frozen=True)
class PromptFormat:
    """How observations become policy inputs and answers become actions (see the module docstring)."""

    style: PromptStyle = field(default="completion", metadata={"help": "chat or completion (module docstring)"})
    instruction: str = field(default=CHAT_INSTRUCTION,
                             metadata={"help": "chat style: the instruction before the task"})
    show_tests: bool = field(default=True, metadata={"help": "chat style: put the visible tests in the prompt"})
    stop: tuple[str, ...] = field(default=(), metadata={"help": "stop sequences besides EOS (not in the answer)"})

    def __post_init__(self) -> None:
        if self.style not in PROMPT_STYLES:
            raise PromptFormatError(f"prompt style must be one of {', '.join(PROMPT_STYLES)}, not {self.style!r}")
        if isinstance(self.stop, str) or not all(isinstance(s, str) and s for s in self.stop):
            raise PromptFormatError("stop must be a sequence of non-empty strings, e.g. ('\\ndef ',)")
        object.__setattr__(self, "stop", tuple(self.stop))

    # -- the record ------------------------------------------------------------------------------------------
    @classmethod
    def infer(cls, tokenizer: Any) -> PromptFormat:
        """The format of a model without a record: ``chat`` when its tokenizer has a chat template."""
        return cls(style="chat" if getattr(tokenizer, "chat_template", None) else "completion")

    @classmethod
    def load(cls, model_dir: str | Path) -> PromptFormat | None:
        """The format recorded in ``model_dir``, or ``None`` when there is no record (a hub name, an old run)."""
        path = Path(model_dir) / PROMPT_FORMAT_FILE
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            known = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: (tuple(v) if k == "stop" else v) for k, v in data.items() if k in known})
        except (OSError, ValueError, TypeError) as exc:
            raise PromptFormatError(f"{path} is not a readable prompt format ({exc}); delete it to fall back to "
                                    "the tokenizer's default, or rewrite it with PromptFormat(...).save(DIR)") from exc

    def save(self, model_dir: str | Path) -> Path:
        path = Path(model_dir) / PROMPT_FORMAT_FILE
        path.write_text(json.dumps({**dataclasses.asdict(self), "stop": list(self.stop)}, indent=2) + "\n",
                        encoding="utf-8")
        return path

    def with_overrides(self, style: str | None = None, stop: tuple[str, ...] | None = None) -> PromptFormat:
        """This format with an explicitly requested style (``None``/``"auto"`` keeps it) and stop sequences."""
        out = self
        if style not in (None, "auto") and style != self.style:
            out = dataclasses.replace(out, style=style)  # type: ignore[arg-type]
        if stop is not None:
            out = dataclasses.replace(out, stop=tuple(stop))
        return out

    # -- coder prompts ---------------------------------------------------------------------------------------
    def prompt(self, observation: Mapping[str, Any]) -> Any:
        """The coder's policy input for an observation of ``CodeGen-v0`` or ``CodeRefine-v0`` (any turn):
        chat messages, or the text to continue."""
        task_prompt = str(observation.get("prompt", ""))
        feedback = str(observation.get("feedback", "") or "").strip()
        previous = str(observation.get("previous_code", "") or "")
        if self.style == "completion":
            if not feedback:
                return task_prompt
            lines = ["The previous attempt failed:", *feedback.splitlines()[:8]]
            return "".join(f"# {line}\n" for line in lines) + task_prompt
        parts = [self.instruction, "", task_prompt.rstrip()]
        tests = str(observation.get("tests", "") or "")
        if self.show_tests and tests:
            parts += ["", "Visible tests:", tests.rstrip()]
        if feedback:
            parts += ["", "Feedback on your previous attempt:", feedback]
        if previous:
            parts += ["", "Your previous program:", "```python", previous.rstrip(), "```", "Fix it."]
        return [{"role": "user", "content": "\n".join(parts)}]

    def action(self, observation: Mapping[str, Any], text: str) -> str:
        """The env action for an answer: the answer (chat) or the task's prompt plus its continuation."""
        return str(observation.get("prompt", "")) + text if self.style == "completion" else text

    def action_prefix(self, observation: Mapping[str, Any]) -> str:
        """What :meth:`action` puts before the generated text (per-line rewards skip the prompt's lines)."""
        return str(observation.get("prompt", "")) if self.style == "completion" else ""

    # -- tester prompts (CURE co-training) -------------------------------------------------------------------
    def tester_prompt(self, observation: Mapping[str, Any]) -> tuple[Any, str]:
        """(policy input, text the answer is appended to before parsing) for the tester role."""
        task_prompt = str(observation.get("prompt", ""))
        if self.style == "chat":
            return [{"role": "user", "content": TESTER_CHAT_INSTRUCTION.format(prompt=task_prompt)}], ""
        return task_prompt + TESTER_COMPLETION_SUFFIX, TESTER_COMPLETION_PREFIX

    # -- stop sequences --------------------------------------------------------------------------------------
    def cut(self, text: str) -> tuple[str, int | None]:
        """``text`` up to the first stop sequence, and where that sequence ends in ``text`` (``None``: no stop)."""
        return cut_at_stop(text, self.stop)


def cut_at_stop(text: str, stop: tuple[str, ...] | list[str]) -> tuple[str, int | None]:
    """``text`` up to the earliest of ``stop``, and the index just past that stop sequence (``None``: none)."""
    best: tuple[int, int] | None = None
    for s in stop:
        at = text.find(s)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(s))
    if best is None:
        return text, None
    return text[:best[0]], best[1]


__all__ = ["PromptFormat", "PromptFormatError", "PromptStyle", "PROMPT_STYLES", "PROMPT_FORMAT_FILE",
           "CHAT_INSTRUCTION", "cut_at_stop"]
