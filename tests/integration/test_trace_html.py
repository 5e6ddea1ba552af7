"""`trace --format html` in a real headless browser (Debian's Chromium, installed by `make setup`): the page
renders every vertex from the file alone, and a click shows the vertex's details."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.commands.trace import MAX_DEPTH, trace

from tests.integration.jobs import processing_job

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's own probe runs it: root, no sandbox, and nothing reaching out to the network.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
)


def _rendered(page: Path, fragment: str, profile: Path) -> str:
    assert CHROMIUM, "Chromium is not installed: `make setup` installs Debian's chromium package"
    result = subprocess.run(
        [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", "--dump-dom", f"{page.as_uri()}{fragment}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_html_view_renders_alone_and_a_click_shows_the_vertex(
    recorder: Recorder, sagemaker: Any, tmp_path: Path
) -> None:
    # Given raw data prepared by a processing job, whose output a second job read
    for step, (source, output) in enumerate(
        [("s3://html/raw/", "s3://html/prepared/"), ("s3://html/prepared/", "s3://html/features/")], start=1
    ):
        event = processing_job(sagemaker, f"html-{step}", inputs=[source], outputs=[output])
        recorder.record(parse_event(event))
    # When the features' lineage is written as HTML
    page = tmp_path / "lineage.html"
    text = trace(
        sagemaker, "s3://html/features/", direction="ascendants", depth=MAX_DEPTH, output_format="html"
    )
    page.write_text(text)
    # Then the file needs nothing from the network
    assert not re.search(r"""(src|href)=["']https?:""", text)
    # And in Chromium every vertex is drawn, the start entity marked
    vertex_ids = re.findall(r'<g class="vertex[^"]*" id="(v[0-9]+)"', text)
    assert len(vertex_ids) == 6  # three data sets, two jobs, one image
    dom = _rendered(page, "", tmp_path / "profile")
    assert len(re.findall(r'<g class="vertex', dom)) == len(vertex_ids)
    assert 'class="vertex start"' in dom
    # And clicking the raw data's vertex shows its details: type, SourceUri, account
    raw = re.search(r'<g class="vertex[^"]*" id="(v[0-9]+)"[^>]*>(?:(?!</g>).)*s3://html/raw/', text, re.S)
    assert raw is not None
    clicked = _rendered(page, f"#click={raw.group(1)}", tmp_path / "profile")
    details = re.search(r'<dl id="selected-vertex">(.*?)</dl>', clicked, re.S)
    assert details is not None, clicked[-2000:]
    assert "<dd>s3://html/raw/</dd>" in details.group(1)
    assert "<dd>DataSet</dd>" in details.group(1)
    assert "<dd>123456789012</dd>" in details.group(1)
    assert 'class="vertex selected"' in clicked
