"""The Lambda asset's size, from ``functions/`` without a synth.

The stack's asset is an allow-list (infra/recorder.py ``ASSET_EXCLUDE``): the ``lineage_recorder``
package without bytecode and test files. This zips the same files in memory, the way
``infra.asset_report`` measures a staged asset; ``make synth`` reports the staged asset itself.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
RUNTIME_PACKAGE = "lineage_recorder"
# The exclusions of infra/recorder.py ASSET_EXCLUDE that apply inside the package.
EXCLUDED_DIRECTORIES = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_FILES = ("*.pyc", "*.pyo", "test_*.py", "*_test.py", "conftest.py")


@dataclass(frozen=True)
class AssetSize:
    files: int
    bytes: int
    zipped_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "package": RUNTIME_PACKAGE,
            "files": self.files,
            "bytes": self.bytes,
            "zipped_bytes": self.zipped_bytes,
        }


def asset_files(functions_dir: Path = FUNCTIONS_DIR) -> list[Path]:
    package = functions_dir / RUNTIME_PACKAGE
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file()
        and not EXCLUDED_DIRECTORIES.intersection(path.relative_to(package).parts[:-1])
        and not any(fnmatch(path.name, pattern) for pattern in EXCLUDED_FILES)
    )


def measure(functions_dir: Path = FUNCTIONS_DIR) -> AssetSize:
    files = asset_files(functions_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(functions_dir).as_posix())
    return AssetSize(len(files), sum(path.stat().st_size for path in files), buffer.getbuffer().nbytes)
