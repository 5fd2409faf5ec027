"""``codegym train`` and ``codegym bench`` reach the CLI through the ``codegym.commands`` entry-point group (codegym
never imports agents); train's options are generated from the config dataclasses; a used output directory is
refused unless resumed or overwritten."""

from __future__ import annotations

import ast
import json
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from agents_cli import REPO, cli, declared_commands

from codegym.cli import build_parser, main


def _help(parser) -> str:
    return parser.format_help()


def test_declared_entry_points_register_train_and_bench(capsys):
    assert {e.name for e in declared_commands()} == {"train", "bench"}
    text = _help(build_parser(declared_commands()))
    assert "train" in text and "bench" in text
    with pytest.raises(SystemExit):
        cli(["train", "--help"])
    out = capsys.readouterr().out
    # generated from agents.config: per-algorithm defaults with their sources, validation-backed choices
    assert "--clip-high" in out and "DeepCoder" in out and "--lr" in out and "--kl-coef" in out
    assert "--overwrite-output-dir" in out and "--set" not in out


def test_without_the_agents_commands_the_cli_says_which_extra_to_install(capsys):
    assert "train" in _help(build_parser([]))  # still listed
    assert main(["train", "--steps", "2"], plugins=[]) == 2
    err = capsys.readouterr().err
    assert "pip install 'codegym[agents]'" in err and "train" in err
    broken = [EntryPoint(name="bench", value="no_such_module_xyz.cmd:register", group="codegym.commands")]
    assert main(["bench", "--env", "CodeGen-v0"], plugins=broken) == 2
    err = capsys.readouterr().err
    assert "failed to import" in err and "codegym[agents]" in err


def test_codegym_never_imports_agents():
    offenders = []
    for path in (REPO / "codegym").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] == "agents"]
    assert not offenders, offenders


def _train_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["train", "--tasks", "micro:6", "--eval-size", "2", "--eval-samples", "1", "--steps", "0",
            "--warmup-steps", "0", "--difficulty-filter", "0", "--eval-every", "0", "--device", "cpu",
            "--no-progress", "--output", str(tmp_path), *extra]


def test_options_build_a_validated_config(tmp_path):
    import argparse

    from agents.commands.train import build_config, register

    sub = argparse.ArgumentParser().add_subparsers()
    register(sub)
    parser = sub.choices["train"]
    args = parser.parse_args(["--algo", "grpo", "--clip-high", "0.3", "--lr", "5e-5", "--context-schedule",
                              "[[0, 32], [5, 64]]", "--stop", "\ndef ", "--stop", "\nclass ", "--model", "m",
                              "--no-scale-rewards"])
    config = build_config(args, ["task"], [])
    algo = config.algorithm()
    assert (config.algo, algo.clip_high, algo.learning_rate, algo.scale_rewards) == ("grpo", 0.3, 5e-5, False)
    assert algo.context_schedule == ((0, 32), (5, 64)) and config.stop == ("\ndef ", "\nclass ")
    assert algo.group_size == 64  # --model given: the paper's defaults, no tiny preset
    tiny = build_config(parser.parse_args([]), ["task"], [])
    assert tiny.steps == 15 and tiny.algorithm().learning_rate == 1e-4  # the tiny-model demo's presets


def test_invalid_settings_fail_with_what_to_do(tmp_path, capsys):
    assert cli(_train_args(tmp_path, "--clip-low", "1.5")) == 2
    assert "clip_low must be in [0, 1)" in capsys.readouterr().err
    assert cli(_train_args(tmp_path, "--algo", "ppo", "--beta", "0.1")) == 2
    assert "ppo has no settings beta" in capsys.readouterr().err


@pytest.mark.slow
def test_a_used_output_directory_is_refused_unless_resumed_or_overwritten(tmp_path, capsys):
    pytest.importorskip("torch")
    assert cli(_train_args(tmp_path)) == 0
    first = (tmp_path / "final" / "config.json").stat().st_mtime_ns
    capsys.readouterr()
    assert cli(_train_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "already holds a training run" in err and "--overwrite-output-dir" in err and "--resume" in err
    assert (tmp_path / "final" / "config.json").stat().st_mtime_ns == first  # nothing was touched
    assert cli(_train_args(tmp_path, "--overwrite-output-dir")) == 0
    assert (tmp_path / "final" / "config.json").stat().st_mtime_ns != first
    assert json.loads((tmp_path / "train_config.json").read_text())["overwrite"] is True


@pytest.mark.slow
def test_docs_agents_blocks_run_as_written(tmp_path):
    """docs/agents.md runs as written: a small train run, bench of its final/ (prompt style recorded and used),
    the overwrite flag, wrappers through EnvBatch and the bench, and the endpoint path (the installed ``codegym``
    script, so the entry points must be installed: ``pip install -e .``)."""
    pytest.importorskip("torch")
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/agents.md", tmp_path) == 6
