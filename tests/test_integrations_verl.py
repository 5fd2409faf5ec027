"""verl: `codegym export --format verl` writes verl's RL parquet layout, and codegym's compute_score scores its rows
under both of verl's calling conventions (per sample: naive/dapo/prime managers and the reward loop; batched: the
batch manager). The calls below copy the argument shapes of verl's reward managers (verl/workers/reward_manager/
naive.py, batch.py, prime.py): numpy object arrays for the non-tensor batch, extra_info dicts with the keys the
managers add, reward_kwargs from the config merged into every call."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from codegym.cli import main
from codegym.errors import UnknownTaskError
from codegym.rewards import RewardConfigError, RLTFReward
from codegym.rewards.adapters import VerlComputeScore, compute_score, make_verl_compute_score
from codegym.tasks.model import CallTest, StdioTest, Task

FIXTURE = Path(__file__).parent / "fixtures" / "humaneval_sample.jsonl"

ADD = Task("toy/add", "Write add(a, b).", entry_point="add",
           visible_tests=[CallTest("add", (1, 2), expected=3)],
           hidden_tests=[CallTest("add", (20, 22), expected=42), CallTest("add", (-5, 5), expected=0)])
ECHO = Task("toy/double", "Read n and print 2n.", hidden_tests=[StdioTest("4\n", "8\n"), StdioTest("-1\n", "-2\n")])
GOOD_ADD = "def add(a, b):\n    return a + b\n"
GOOD_ECHO = "print(2 * int(input()))\n"
KEYS = {"score", "passed", "pass_rate", "format_error"}


def fenced(code: str, fence: str = "```") -> str:
    return f"Let me think.\n{fence}python\n{code}{fence}\n"


def read_rows(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("verl")
    assert main(["export", "--format", "verl", "--tasks", str(FIXTURE), "--out", str(out)]) == 0
    assert main(["export", "--format", "verl", "--tasks", "builtin", "--limit", "4", "--seed", "0",
                 "--out", str(out), "--split", "test", "--data-source", "codegym/builtin"]) == 0
    return out


# -- the parquet layout -----------------------------------------------------------------------------------------------


def test_export_writes_verls_rl_dataset_layout(exported):
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert sorted(p.name for p in exported.iterdir()) == ["test.parquet", "train.parquet"]
    schema = pq.read_schema(exported / "train.parquet")
    # the columns of verl's examples/data_preprocess/*.py, in their order
    assert schema.names == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    assert schema.field("prompt").type == pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    assert schema.field("reward_model").type == pa.struct([("style", pa.string()), ("ground_truth", pa.string())])
    assert {"split", "index"} <= {f.name for f in schema.field("extra_info").type}

    rows = read_rows(exported / "train.parquet")
    assert len(rows) == 2
    for index, row in enumerate(rows):
        assert row["data_source"] == "codegym" and row["ability"] == "code"
        assert row["reward_model"]["style"] == "rule"
        task = Task.from_dict(json.loads(row["reward_model"]["ground_truth"]))  # the whole task, tests included
        assert task.hidden_tests and task.completion_prefix
        assert row["extra_info"] == {"split": "train", "index": index, "task_id": task.task_id}
        [message] = row["prompt"]
        assert message["role"] == "user" and task.prompt.strip() in message["content"]
        assert "```python" in message["content"]  # the instruction the adapters' markdown rule expects
        assert "check(" not in message["content"]  # hidden tests never reach the prompt
    test_rows = read_rows(exported / "test.parquet")
    assert len(test_rows) == 4 and {r["extra_info"]["split"] for r in test_rows} == {"test"}
    assert {r["data_source"] for r in test_rows} == {"codegym/builtin"}


def test_export_options(tmp_path):
    out = tmp_path / "o"
    assert main(["export", "--format", "verl", "--tasks", "micro:3:1", "--seed", "0", "--out", str(out),
                 "--system-prompt", "You are a careful programmer.", "--no-visible-tests"]) == 0
    rows = read_rows(out / "train.parquet")
    assert [m["role"] for m in rows[0]["prompt"]] == ["system", "user"]
    assert "Visible tests" not in rows[0]["prompt"][1]["content"]
    assert main(["export", "--format", "verl", "--tasks", "micro:3:1", "--out", str(out), "--split", "../x"]) == 2
    assert main(["export", "--format", "verl", "--tasks", "no-such-file.jsonl", "--out", str(out)]) == 2


# -- round trip: the adapter scores rows of the exported parquet ----------------------------------------------------


def _responses(rows: list[dict]) -> tuple[list[str], list[str]]:
    """A correct and a wrong fenced answer per row (the reference solution, and a program that returns None)."""
    good, bad = [], []
    for row in rows:
        task = Task.from_dict(json.loads(row["reward_model"]["ground_truth"]))
        good.append(fenced(task.reference))
        bad.append(fenced("def nothing():\n    return None\n" if task.entry_point else "print('?')\n"))
    return good, bad


def test_per_sample_scores_exported_rows_like_the_naive_manager(exported):
    rows = read_rows(exported / "train.parquet") + read_rows(exported / "test.parquet")
    good, bad = _responses(rows)
    for row, right, wrong in zip(rows, good, bad):
        extra_info = dict(row["extra_info"], num_turns=None, rollout_reward_scores={})  # what naive.py adds
        for response, expected in ((right, 1.0), (wrong, 0.0)):
            score = compute_score(data_source=row["data_source"], solution_str=response,
                                  ground_truth=row["reward_model"]["ground_truth"], extra_info=extra_info)
            assert set(score) == KEYS
            assert score["score"] == expected and score["passed"] is (expected == 1.0)


def test_batched_call_of_the_batch_reward_manager(exported):
    rows = read_rows(exported / "train.parquet") + read_rows(exported / "test.parquet")
    good, bad = _responses(rows)
    solution_strs = good + bad + ["I do not know."]
    rows = rows + rows + rows[:1]
    # BatchRewardManager.verify: non-tensor batch columns are numpy object arrays; extra_info gains a key
    data_sources = np.array([r["data_source"] for r in rows], dtype=object)
    ground_truths = [r["reward_model"].get("ground_truth", None) for r in rows]
    extras = np.array([dict(r["extra_info"]) for r in rows], dtype=object)
    for e in extras:
        e["rollout_reward_scores"] = {}
    reward_kwargs = {"code_mode": "markdown"}  # custom_reward_function.reward_kwargs, merged into the call
    scores = compute_score(data_sources=data_sources, solution_strs=solution_strs, ground_truths=ground_truths,
                           extra_infos=extras, **reward_kwargs)
    n = len(good)
    assert [s["score"] for s in scores] == [1.0] * n + [0.0] * n + [0.0]
    assert scores[-1]["format_error"] is True and not any(s["format_error"] for s in scores[:-1])
    # the manager gathers every key into one column per batch: every sample must have every key
    reward_extra_info = defaultdict(list)
    for score in scores:
        for key, value in score.items():
            reward_extra_info[key].append(value)
    assert set(reward_extra_info) == KEYS and {len(v) for v in reward_extra_info.values()} == {len(rows)}


def test_tilde_fence_scores_like_backticks():
    text = fenced(GOOD_ADD, "~~~")
    assert compute_score("codegym", text, ADD.to_json(), {})["score"] == 1.0
    assert compute_score("codegym", text, ADD.to_json(), {}, code_mode="markdown")["score"] == 1.0


def test_positional_calls_of_prime_and_older_versions():
    # prime.py: evaluation_func(task, completion, reference, task_extra_info), positionally
    assert compute_score("codegym", fenced(GOOD_ECHO), ECHO.to_json(), None)["score"] == 1.0
    # lists given positionally (the adapter's earlier batched form)
    batch = compute_score(["codegym"] * 2, [GOOD_ADD, fenced(GOOD_ECHO)], [ADD.to_json(), ECHO.to_json()], [{}, {}])
    assert [b["score"] for b in batch] == [1.0, 1.0]
    assert compute_score("codegym", GOOD_ADD.encode(), ADD.to_json().encode(), None)["score"] == 1.0


def test_reward_kwargs_pick_the_reward_and_code_mode():
    crash = "def add(a, b):\n    return a / 0\n"
    assert compute_score("codegym", crash, ADD.to_json(), None, reward="rltf")["score"] == pytest.approx(-0.6)
    assert compute_score("codegym", GOOD_ADD, ADD.to_json(), None, code_mode="markdown")["score"] == 0.0
    with pytest.raises(RewardConfigError):
        compute_score("codegym", GOOD_ADD, ADD.to_json(), None, code_mode="nope")
    with pytest.raises(RewardConfigError):
        compute_score("codegym", GOOD_ADD, ADD.to_json(), None, reward="nope")


def test_task_lookup_by_extra_info_task_id_and_bad_ground_truth():
    scorer = make_verl_compute_score(RLTFReward(), tasks=[ADD])
    assert scorer("codegym", GOOD_ADD, None, {"task_id": "toy/add"})["score"] == 1.0
    with pytest.raises(UnknownTaskError):
        scorer("codegym", GOOD_ADD, None, {"task_id": "toy/nope"})
    with pytest.raises(RewardConfigError):
        compute_score("codegym", GOOD_ADD, "42 is the answer", {})
    with pytest.raises(RewardConfigError):
        compute_score(data_sources=["codegym"] * 2, solution_strs=[GOOD_ADD] * 2, ground_truths=[ADD.to_json()],
                      extra_infos=[{}, {}])


def test_compute_score_pickles_for_process_pools():
    clone = pickle.loads(pickle.dumps(make_verl_compute_score(tasks=[ADD], code_mode="code")))
    assert isinstance(clone, VerlComputeScore)
    assert clone("codegym", GOOD_ADD, None, {"task_id": "toy/add"})["score"] == 1.0


def test_verl_loads_compute_score_by_file_path():
    # verl.utils.import_utils.load_module: spec_from_file_location under a made-up module name, then getattr
    import codegym.rewards.adapters as adapters

    path = adapters.__file__
    spec = importlib.util.spec_from_file_location(f"custom_module_{hash(os.path.abspath(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = module.compute_score
    out = fn(data_sources=np.array(["codegym"], dtype=object), solution_strs=[fenced(GOOD_ADD)],
             ground_truths=[ADD.to_json()], extra_infos=np.array([{}], dtype=object))
    assert out == [{"score": 1.0, "passed": True, "pass_rate": 1.0, "format_error": False}]


def test_docs_verl_md_runs_as_written(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/verl.md", tmp_path) == 2
