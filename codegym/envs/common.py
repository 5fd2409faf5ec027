"""Where the envs' shared pieces used to live, kept so existing imports work; new code imports from the owners.

========================================================  ================================================
names                                                     owner
========================================================  ================================================
``EnvConfigError``, ``EnvStateError``, ``ActionError``    :mod:`codegym.errors`
text spaces, ``sanitize_text``, text actions, rendering   :mod:`codegym.envs.text`
``TaskPool``, ``resolve_tasks``, ``resplit_task``         :mod:`codegym.envs.taskpool`
``ExecutorOwner``, ``resolve_executor``, limits           :mod:`codegym.envs.executor`
``resolve_reward``, ``score``                             :mod:`codegym.envs.scoring`
``render_tests``, ``visible_feedback``                    :mod:`codegym.envs.feedback`
``split_requests``, ``run_split``, ``SplitEvaluation``    :mod:`codegym.envs.split`
``step_info``, ``hacking_info``, ``SUCCESS_KEY``          :mod:`codegym.envs.info`
========================================================  ================================================

This module defines nothing: every name is the owner's object.
"""

from __future__ import annotations

from codegym.envs.executor import ExecutorOwner, check_executor_arg, resolve_executor, resolve_limits
from codegym.envs.feedback import (
    Feedback,
    render_outcome,
    render_test,
    render_tests,
    syntax_error_text,
    visible_feedback,
)
from codegym.envs.info import (
    EMPTY_SUMMARY,
    NO_HIDDEN_TESTS_KEY,
    SUCCESS_KEY,
    hacking_info,
    process_signal,
    solved,
    step_info,
    summary_json,
)
from codegym.envs.scoring import RewardFn, resolve_reward, score
from codegym.envs.split import (
    SplitEvaluation,
    SplitRequests,
    combine_split,
    run_split,
    split_requests,
    split_results,
)
from codegym.envs.taskpool import (
    TaskPool,
    TaskSpec,
    check_visible_arg,
    resolve_tasks,
    resplit_task,
    warn_no_hidden_tests,
)
from codegym.envs.text import (
    MAX_CODE_CHARS,
    MAX_FEEDBACK_CHARS,
    MAX_ID_CHARS,
    MAX_PROMPT_CHARS,
    TEXT_CHARSET,
    check_render_mode,
    check_text_action,
    emit_render,
    sanitize_text,
    text_space,
)
from codegym.errors import ActionError, EnvConfigError, EnvStateError

__all__ = [
    "ActionError", "EMPTY_SUMMARY", "EnvConfigError", "EnvStateError", "ExecutorOwner", "Feedback",
    "MAX_CODE_CHARS", "MAX_FEEDBACK_CHARS", "MAX_ID_CHARS", "MAX_PROMPT_CHARS", "NO_HIDDEN_TESTS_KEY", "RewardFn",
    "SUCCESS_KEY", "SplitEvaluation", "SplitRequests", "TEXT_CHARSET", "TaskPool", "TaskSpec", "check_executor_arg",
    "check_render_mode", "check_text_action", "check_visible_arg", "combine_split", "emit_render", "hacking_info",
    "process_signal", "render_outcome", "render_test", "render_tests", "resolve_executor", "resolve_limits",
    "resolve_reward", "resolve_tasks", "resplit_task", "run_split", "sanitize_text", "score", "solved",
    "split_requests", "split_results", "step_info", "summary_json", "syntax_error_text", "text_space",
    "visible_feedback", "warn_no_hidden_tests",
]
