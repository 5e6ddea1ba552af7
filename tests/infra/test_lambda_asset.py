"""The Lambda asset holds the runtime package and nothing else (no tests, emulator, CLI or CDK code)."""

from __future__ import annotations

import ast
from pathlib import Path

from aws_cdk import CopyOptions, FileSystem, IgnoreMode

from infra.recorder import ASSET_EXCLUDE, FUNCTIONS_DIR
from tests.infra.conftest import Synthesis

FORBIDDEN_PARTS = {"tests", "emulator", "cli", "infra", "__pycache__", "node_modules", "cdk.out"}


def files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def staged_asset(synthesis: Synthesis) -> Path:
    _, fn = synthesis.default.recorder_function()
    asset_hash = fn["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    return synthesis.outdir / f"asset.{asset_hash}"


def test_asset_contains_only_the_runtime_package(synthesis: Synthesis) -> None:
    # Given the function's code asset as the session synth staged it
    asset = staged_asset(synthesis)
    # When its files are listed
    files = files_under(asset)
    # Then every file belongs to the lineage_recorder package, and none is test- or tool-shaped
    assert files
    for name in files:
        parts = name.split("/")
        assert parts[0] == "lineage_recorder", name
        assert not FORBIDDEN_PARTS & set(parts), name
        assert not parts[-1].startswith("test_") and parts[-1] != "conftest.py", name


def test_asset_contains_the_whole_runtime_package_and_its_handler(synthesis: Synthesis) -> None:
    # Given the staged asset and the runtime package in the checkout
    asset = staged_asset(synthesis)
    package = FUNCTIONS_DIR / "lineage_recorder"
    # When both are listed
    shipped = files_under(asset)
    source = {
        f"lineage_recorder/{name}"
        for name in files_under(package)
        if "__pycache__" not in name and not name.endswith(".pyc")
    }
    # Then nothing the runtime needs was excluded
    assert shipped == source
    # And the handler the function names exists and defines lambda_handler
    handler = ast.parse((asset / "lineage_recorder" / "handler.py").read_text(encoding="utf-8"))
    names = {node.name for node in handler.body if isinstance(node, ast.FunctionDef)}
    assert "lambda_handler" in names


def test_exclude_list_drops_tests_bytecode_and_everything_outside_the_package(tmp_path: Path) -> None:
    # Given a functions/ folder with everything that must never ship next to the runtime package
    source = tmp_path / "functions"
    for name in (
        "lineage_recorder/__init__.py",
        "lineage_recorder/handler.py",
        "lineage_recorder/py.typed",
        "lineage_recorder/planners/training.py",
        "lineage_recorder/__pycache__/handler.cpython-311.pyc",
        "lineage_recorder/planners/__pycache__/training.cpython-311.pyc",
        "lineage_recorder/tests/test_handler.py",
        "lineage_recorder/test_plan.py",
        "lineage_recorder/conftest.py",
        "lineage_recorder/.pytest_cache/v/cache/lastfailed",
        "emulator/server.py",
        "cli/main.py",
        "infra/stack.py",
        "tests/test_x.py",
        "requirements.txt",
        "README.md",
    ):
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    # When it is copied the way CDK stages the asset, with the stack's exclude list
    staged = tmp_path / "staged"
    FileSystem.copy_directory(
        str(source), str(staged), CopyOptions(exclude=list(ASSET_EXCLUDE), ignore_mode=IgnoreMode.GLOB)
    )
    # Then only the runtime package's source files remain
    assert files_under(staged) == {
        "lineage_recorder/__init__.py",
        "lineage_recorder/handler.py",
        "lineage_recorder/py.typed",
        "lineage_recorder/planners/training.py",
    }
