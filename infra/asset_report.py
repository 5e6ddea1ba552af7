"""Print the size of every Lambda code asset in a cloud assembly.

    python -m infra.asset_report cdk.out [--json]

`make synth` runs it after `npx --no-install cdk synth --quiet`, so the asset's file count and size stay
visible: the recorder's asset should hold only the `lineage_recorder` package (tens of files, tens of
KiB); its dependencies come from the Powertools layer and the runtime. Exits 1 when the assembly holds
no Lambda code asset.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AssetReport:
    stack: str
    function: str
    asset: str
    files: int
    bytes: int
    zipped_bytes: int

    def line(self) -> str:
        return (
            f"{self.stack} {self.function}: {self.asset}: {self.files} files, "
            f"{_kib(self.bytes)} ({_kib(self.zipped_bytes)} zipped)"
        )


def _kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _stack_templates(assembly: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    manifest = _load_json(assembly / "manifest.json")
    for artifact_id, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") == "aws:cloudformation:stack":
            template_file = artifact.get("properties", {}).get("templateFile")
            if template_file:
                yield artifact.get("displayName", artifact_id), _load_json(assembly / template_file)


def _asset_sources(assembly: Path) -> dict[str, Path]:
    """Asset hash -> staged source path, from every *.assets.json in the assembly."""
    sources: dict[str, Path] = {}
    for assets_file in assembly.glob("*.assets.json"):
        for asset_hash, asset in _load_json(assets_file).get("files", {}).items():
            path = asset.get("source", {}).get("path")
            if path:
                sources[asset_hash] = assembly / path
    return sources


def _measure(source: Path) -> tuple[int, int, int]:
    """(file count, bytes, zipped bytes) of a staged asset directory or an already zipped file."""
    if source.is_file():
        with zipfile.ZipFile(source) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
        return len(infos), sum(info.file_size for info in infos), source.stat().st_size
    files = sorted(path for path in source.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(source).as_posix())
    return len(files), sum(path.stat().st_size for path in files), buffer.getbuffer().nbytes


def lambda_assets(assembly: Path) -> list[AssetReport]:
    """One report per Lambda function whose code is a file asset of the assembly."""
    sources = _asset_sources(assembly)
    reports: list[AssetReport] = []
    for stack, template in _stack_templates(assembly):
        for logical_id, resource in template.get("Resources", {}).items():
            if resource.get("Type") != "AWS::Lambda::Function":
                continue
            key = resource.get("Properties", {}).get("Code", {}).get("S3Key")
            if not isinstance(key, str) or not key.endswith(".zip"):
                continue
            asset_hash = key.removesuffix(".zip")
            source = sources.get(asset_hash, assembly / f"asset.{asset_hash}")
            if not source.exists():
                continue
            name = resource.get("Metadata", {}).get("aws:cdk:path", logical_id)
            files, size, zipped = _measure(source)
            reports.append(AssetReport(stack, name, source.name, files, size, zipped))
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.asset_report", description=__doc__.splitlines()[0])
    parser.add_argument("assembly", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--json", action="store_true", help="print the reports as a JSON array")
    args = parser.parse_args(argv)
    assembly: Path = args.assembly
    if not (assembly / "manifest.json").is_file():
        print(
            f"{assembly} is not a cloud assembly (no manifest.json); run `npx cdk synth` first",
            file=sys.stderr,
        )
        return 1
    reports = lambda_assets(assembly)
    if args.json:
        print(json.dumps([asdict(report) for report in reports], indent=2))
    else:
        for report in reports:
            print(f"Lambda asset {report.line()}")
    if not reports:
        print(f"no Lambda code asset in {assembly}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
