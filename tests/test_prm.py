"""PRM pipeline: mutation operators, mutation labels on real HumanEval solutions, prefix search, the model."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import pytest

from codegym.evaluation import evaluate_many
from codegym.prm import (
    LabelledProgram,
    label_counts,
    line_mutants,
    load_labels,
    mutation_labels,
    prefix_search_labels,
    program_mutants,
    reference_tail_policy,
    save_labels,
)
from codegym.tasks.model import CallTest, Task

HUMANEVAL = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "HumanEval.jsonl.gz"

SOURCE = ("def clip(x, lo, hi):\n"
          "    # keep x inside [lo, hi]\n"
          "    if x < lo:\n"
          "        return lo\n"
          "    y = x * 2 - 1\n"
          "    return min(x, hi) and True\n")


def changed_lines(a: str, b: str) -> list[int]:
    la, lb = a.splitlines(), b.splitlines()
    assert len(la) == len(lb)
    return [i + 1 for i, (x, y) in enumerate(zip(la, lb)) if x != y]


def test_each_operator_changes_exactly_its_line():
    mutants = program_mutants(SOURCE)
    by_line = {(m.line, m.operator, m.program.splitlines()[m.line - 1].strip()) for m in mutants}
    assert (3, "flip_comparison", "if x >= lo:") in by_line
    assert (5, "swap_operator", "y = x * 2 + 1") in by_line
    assert (5, "off_by_one", "y = x * 3 - 1") in by_line
    assert (4, "delete_statement", "pass") in by_line
    assert (6, "change_return", "return not (min(x, hi) and True)") in by_line
    assert (6, "swap_operator", "return min(x, hi) or True") in by_line
    for m in mutants:
        ast.parse(m.program)
        assert changed_lines(SOURCE, m.program) == [m.line]
        assert m.program.splitlines()[1] == "    # keep x inside [lo, hi]"  # comments survive
    assert not [m for m in mutants if m.line == 2]  # nothing to mutate in a comment


def test_parentheses_only_where_precedence_needs_them():
    mutants = line_mutants("z = a - b * c\n", 1, operators=("swap_operator",))
    assert sorted(m.program for m in mutants) == ["z = a + b * c\n", "z = a - b // c\n"]
    mutants = line_mutants("z = a * b ** c\n", 1, operators=("swap_operator",))
    assert sorted(m.program for m in mutants) == ["z = a * (b * c)\n", "z = a // b ** c\n"]


def test_teacher_edits_and_operator_selection():
    def teacher(program, line):
        return ["return hi"] if line == 4 else []

    mutants = line_mutants(SOURCE, 4, operators=("delete_statement",), teacher=teacher)
    assert [(m.operator, m.program.splitlines()[3]) for m in mutants] == [
        ("delete_statement", "        pass"), ("teacher", "        return hi")]
    assert program_mutants("def f(:\n") == []


def _humaneval(limit: int):
    if not HUMANEVAL.exists():
        pytest.skip("HumanEval dataset not available")
    from codegym.tasks.sources import load_tasks

    return load_tasks(str(HUMANEVAL), limit=limit)


def test_mutation_labels_on_humaneval_match_independent_reruns():
    tasks = _humaneval(20)
    records, stats = mutation_labels(tasks, max_mutants_per_task=4, seed=1)
    counts = label_counts(records)
    print(f"\nHumanEval[:20] mutation labels: {counts}, mutants {stats['mutants']}, skipped {stats['skipped']}")
    assert stats["labelled_tasks"] == 20 and not stats["skipped"]
    assert counts["negative"] > 0 and counts["positive"] > counts["negative"]
    mutants = [r for r in records if r.source == "mutation"]
    assert len(mutants) == stats["mutants"] >= 60
    # every mutated line's label agrees with a fresh, independent run of the mutant
    by_id = {t.task_id: t for t in tasks}
    reruns = evaluate_many([(by_id[r.task_id], r.program) for r in mutants])
    for rec, ev in zip(mutants, reruns):
        assert rec.labels[rec.line - 1] == (1 if ev.passed else -1), rec.description
        assert all(lab is None for lab in rec.labels[rec.line:])  # nothing labelled after the mutation
        assert all(lab in (1, None) for lab in rec.labels[: rec.line - 1])
    assert {r.source for r in records} == {"reference", "mutation"}


def test_labels_roundtrip(tmp_path):
    rec = LabelledProgram("t", "a = 1\n# c\n", [1, None], "mutation", line=1, operator="off_by_one", passed=True)
    assert save_labels([rec], tmp_path / "l.jsonl") == 1
    assert load_labels(tmp_path / "l.jsonl") == [rec]
    (tmp_path / "bad.jsonl").write_text('{"task_id": "t", "program": "a\\n", "labels": [], "source": "x"}\n')
    from codegym.rewards.errors import RewardConfigError

    with pytest.raises(RewardConfigError):
        load_labels(tmp_path / "bad.jsonl")


REFERENCE = ("def stats(xs):\n"
             "    total = 0\n"
             "    for x in xs:\n"
             "        total += x\n"
             "\n"
             "    mean = total / len(xs)\n"
             "    return [total, mean]\n")
STATS = Task("toy/stats", "total and mean", entry_point="stats",
             hidden_tests=[CallTest("stats", ([1, 2, 3],), expected=[6, 2.0]),
                           CallTest("stats", ([4],), expected=[4, 4.0])],
             reference_solutions=[REFERENCE])


def test_prefix_search_finds_the_first_wrong_line():
    buggy = REFERENCE.replace("    mean = total / len(xs)\n", "    mean = total / (len(xs) + 1)\n")
    calls = []
    oracle = reference_tail_policy(STATS)

    def policy(prefix):
        calls.append(prefix)
        return oracle(prefix)

    rec = prefix_search_labels(STATS, buggy, policy)
    assert rec is not None and rec.line == 6
    assert rec.labels == [1, 1, 1, 1, None, -1, -1]
    assert rec.meta["policy_calls"] == len(calls) <= 4  # 1 + ceil(log2(6)) prefixes at most
    good = prefix_search_labels(STATS, REFERENCE, policy)
    assert good is not None and good.passed and good.labels == [1, 1, 1, 1, None, 1, 1]
    hopeless = prefix_search_labels(STATS, buggy, lambda prefix: ["    return None\n"])
    assert hopeless is None


def test_prefix_search_random_bug_positions():
    rng = random.Random(0)
    lines = REFERENCE.splitlines(keepends=True)
    code = [i for i, ln in enumerate(lines) if ln.strip()]
    for _ in range(3):
        at = rng.choice(code[1:])
        buggy_lines = list(lines)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        buggy_lines[at] = indent + "raise ValueError('bug')\n"
        rec = prefix_search_labels(STATS, "".join(buggy_lines), reference_tail_policy(STATS))
        assert rec is not None and rec.line == at + 1
        assert [lab for lab in rec.labels[:at] if lab is not None] == [1] * len([i for i in code if i < at])


# -- the model -----------------------------------------------------------------------------------------------

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


def toy_records():
    good = "def f(x):\n    y = x + 1\n    return y\n"
    bad = "def f(x):\n    y = x - 1\n    return y\n"
    return [LabelledProgram("a", good, [1, 1, 1], "mutation", "add one"),
            LabelledProgram("a", bad, [1, -1, None], "mutation", "add one")]


@pytest.mark.slow  # trains a model: ~10 s of CPU, minutes on a loaded machine
def test_newline_positions_and_training():
    from codegym.prm.model import tiny_prm

    records = toy_records()
    prm = tiny_prm([r.program for r in records] * 10, vocab_size=300, max_length=64)
    enc = prm.encode(records[1].program, records[1].prompt, records[1].labels)
    tokens = prm.tokenizer.convert_ids_to_tokens(enc.input_ids)
    assert all(p is not None and "Ċ" in tokens[p] for p in enc.positions)  # byte-level BPE shows "\n" as Ċ
    assert [enc.labels[p] for p in enc.positions] == [1, 0, -100]
    losses = prm.fit(records * 8, epochs=12, lr=3e-3)
    assert losses[-1] < losses[0] / 4
    metrics = prm.evaluate(records)
    assert metrics["accuracy"] == 1.0 and metrics["lines"] == 5
    assert prm.score_lines(records[1].program, "add one")[1] < 0 < prm.score_lines(records[0].program,
                                                                                     "add one")[1]
    assert prm.score_lines("def f(x):\n    # note\n    return x\n")[1] is None


def test_truncation_keeps_program_and_drops_prompt_start():
    from codegym.prm.model import tiny_prm

    prm = tiny_prm(["def f(x):\n    return x\n"] * 5, vocab_size=280, max_length=24)
    enc = prm.encode("def f(x):\n    return x\n", prompt="word " * 200)
    assert len(enc.input_ids) == 24 and all(p is not None for p in enc.positions)
    inside = '"""doc"""\ndef f(x):\n    return x\n'
    assert prm.encode(inside, prompt='"""doc"""').input_ids == prm.encode(inside).input_ids  # shown once
    long_program = "".join(f"x{i} = {i}\n" for i in range(60))
    enc = prm.encode(long_program)
    assert enc.positions[0] is not None and enc.positions[-1] is None


def test_save_load_roundtrip_and_value_head(tmp_path):
    from codegym.prm.model import ProcessRewardModel, init_value_head_from_prm, tiny_prm
    from codegym.rewards.errors import RewardConfigError

    records = toy_records()
    prm = tiny_prm([r.program for r in records] * 10, vocab_size=300, max_length=64, seed=3)
    prm.save_pretrained(tmp_path / "prm")
    loaded = ProcessRewardModel.from_pretrained(tmp_path / "prm")
    assert loaded.score_lines(records[0].program) == pytest.approx(prm.score_lines(records[0].program))
    head = torch.nn.Linear(64, 1)
    init_value_head_from_prm(prm, head)
    hidden = torch.randn(5, 64)
    logits = prm.model.classifier(hidden)
    assert torch.allclose(head(hidden)[:, 0], logits[:, 1] - logits[:, 0], atol=1e-5)
    with pytest.raises(RewardConfigError):
        init_value_head_from_prm(prm, torch.nn.Linear(32, 1))


def test_psgpo_reward_with_a_prm():
    from test_rewards_helpers import make_eval, make_task

    from codegym.prm import psgpo_reward

    class FixedPRM:
        def score_lines(self, program, prompt=None):
            return [0.8, None, -0.4]

    task = make_task(n_hidden=1)
    program = "x = 1\n# c\ny = 2\n"
    reward = psgpo_reward(FixedPRM())
    failing = reward.compute(make_eval(task, ["failed"], program=program), task, program)
    passing = reward.compute(make_eval(task, ["passed"], program=program), task, program)
    assert failing.reward == pytest.approx(0.25 * (0.8 - 0.4) / 2)
    assert passing.reward == pytest.approx(1.0 + 0.025 * (0.8 - 0.4) / 2)


def test_core_imports_stay_light():
    code = ("import sys, codegym.rewards, codegym.prm, codegym.wrappers, codegym.rewards.adapters\n"
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_cli_label_train_eval(tmp_path, capsys):
    tasks = _humaneval(6)
    assert tasks
    from codegym.cli import main

    labels = tmp_path / "labels.jsonl"
    assert main(["prm", "label", "--tasks", str(HUMANEVAL), "--limit", "6", "--out", str(labels),
                 "--max-mutants-per-task", "5", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "line labels: +1" in out and "failing mutants (-1)" in out
    assert label_counts(load_labels(labels))["negative"] > 0
    model_dir = tmp_path / "prm"
    assert main(["prm", "train", "--labels", str(labels), "--out", str(model_dir), "--epochs", "1",
                 "--max-length", "256", "--vocab-size", "400", "--eval-fraction", "0.34", "--no-progress"]) == 0
    assert (model_dir / "heldout.jsonl").exists()
    capsys.readouterr()
    assert main(["prm", "eval", "--model", str(model_dir)]) == 0
    import json

    metrics = json.loads(capsys.readouterr().out)
    assert metrics["lines"] > 0 and 0.0 <= metrics["accuracy"] <= 1.0


def test_cli_prefix_labelling(tmp_path, capsys):
    import json

    from codegym.cli import main

    tasks_file = tmp_path / "tasks.jsonl"
    tasks_file.write_text(STATS.to_json() + "\n")
    buggy = REFERENCE.replace("total += x", "total -= x")
    programs = tmp_path / "programs.jsonl"
    programs.write_text(json.dumps({"task_id": "toy/stats", "program": buggy}) + "\n"
                        + json.dumps({"task_id": "missing", "program": "x = 1\n"}) + "\n")
    out = tmp_path / "labels.jsonl"
    assert main(["prm", "label", "--tasks", str(tasks_file), "--method", "prefix", "--programs", str(programs),
                 "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "line labels: +1 3  -1 3" in printed and "unknown task" in printed
    (rec,) = load_labels(out)
    assert rec.line == 4 and rec.labels == [1, 1, 1, -1, None, -1, -1]
    assert main(["prm", "label", "--tasks", str(tasks_file), "--method", "prefix", "--out", str(out)]) == 2
