"""``trace --format html``: the lineage graph as one self-contained HTML file.

Nothing is fetched when the file is viewed (no script, style or font from the network): the layout is
computed here, the graph is an inline SVG, and a few lines of inline script pan (drag), zoom (wheel),
and show a vertex's details when it is clicked. Vertices are coloured by type; the start entity is drawn
thicker. Data flows left to right: what fed an entity is left of it.

Opening the file with ``#click=<vertex id>`` clicks that vertex once it has loaded (how the headless
browser test checks the click handler, and a way to link to one vertex).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import defaultdict
from typing import Any

from lineage_recorder_cli.lineage_graph import LineageGraph

COLUMN_WIDTH = 340
ROW_HEIGHT = 64
BOX_WIDTH = 280
BOX_HEIGHT = 44


def _layers(graph: LineageGraph) -> dict[str, int]:
    """Each vertex's column: 0 for the start, -n for what fed it n hops back, +n downstream."""
    forward: dict[str, list[str]] = defaultdict(list)
    backward: dict[str, list[str]] = defaultdict(list)
    for source, destination in graph.edges:
        forward[source].append(destination)
        backward[destination].append(source)
    layers = {graph.start_arn: 0}
    queue = [graph.start_arn]
    for arn in queue:
        for other, step in [*((o, 1) for o in forward[arn]), *((o, -1) for o in backward[arn])]:
            if other not in layers:
                layers[other] = layers[arn] + step
                queue.append(other)
    for arn in graph.vertices:  # anything not connected to the start (should not happen): far right
        layers.setdefault(arn, max(layers.values()) + 1)
    return layers


def _colour(kind: str) -> str:
    hue = int(hashlib.sha256(kind.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue}, 55%, 85%)"


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def render_html(graph: LineageGraph) -> str:
    layers = _layers(graph)
    columns: dict[int, list[str]] = defaultdict(list)
    for arn in graph.vertices:
        columns[layers[arn]].append(arn)
    left = min(columns)
    position: dict[str, tuple[int, int]] = {}
    for layer, members in columns.items():
        members.sort(
            key=lambda arn: (
                graph.vertices[arn].get("Type") or "",
                graph.details(arn).get("SourceUri") or arn,
            )
        )
        for row, arn in enumerate(members):
            position[arn] = (40 + (layer - left) * COLUMN_WIDTH, 40 + row * ROW_HEIGHT)
    ids = {arn: f"v{index}" for index, arn in enumerate(graph.vertices)}
    width = 80 + (max(columns) - left + 1) * COLUMN_WIDTH
    height = 80 + max(len(members) for members in columns.values()) * ROW_HEIGHT

    edges = []
    for (source, destination), edge in graph.edges.items():
        if source not in position or destination not in position:
            continue
        (x1, y1), (x2, y2) = position[source], position[destination]
        edges.append(
            f'<line class="edge" x1="{x1 + BOX_WIDTH}" y1="{y1 + BOX_HEIGHT // 2}" x2="{x2}" '
            f'y2="{y2 + BOX_HEIGHT // 2}" marker-end="url(#arrow)"><title>'
            f"{html.escape(edge['AssociationType'])}</title></line>"
        )
    nodes = []
    data: dict[str, Any] = {}
    for arn, (x, y) in position.items():
        vertex, details = graph.vertices[arn], graph.details(arn)
        kind = vertex.get("Type") or vertex.get("LineageType") or "?"
        shown = details.get("SourceUri") or details.get("Name") or arn
        data[ids[arn]] = {"Arn": arn, "Type": kind, "LineageType": vertex.get("LineageType"), **details}
        start = " start" if arn == graph.start_arn else ""
        nodes.append(
            f'<g class="vertex{start}" id="{ids[arn]}" data-arn="{html.escape(arn)}" '
            f'transform="translate({x},{y})"><rect width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
            f'fill="{_colour(kind)}"/><text x="8" y="17" class="kind">{html.escape(kind)}</text>'
            f'<text x="8" y="34">{html.escape(_short(shown))}</text></g>'
        )
    payload = json.dumps(data).replace("</", "<\\/")
    title = html.escape(f"Lineage of {graph.details(graph.start_arn).get('SourceUri') or graph.start_arn}")
    return _PAGE.format(
        title=title,
        width=width,
        height=height,
        edges="\n".join(edges),
        nodes="\n".join(nodes),
        payload=payload,
        truncated=html.escape(
            f"Stopped at depth {graph.depth_reached}: {len(graph.frontier)} vertices have more lineage."
            if graph.frontier
            else ""
        ),
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font: 13px system-ui, sans-serif; display: flex; height: 100vh; }}
#canvas {{ flex: 1; cursor: grab; background: #fafafa; }}
#details {{ width: 360px; padding: 12px; border-left: 1px solid #ddd; overflow: auto; white-space: pre-wrap;
  word-break: break-all; }}
.vertex rect {{ stroke: #555; stroke-width: 1; }}
.vertex.start rect {{ stroke: #000; stroke-width: 4; }}
.vertex.selected rect {{ stroke: #d33; stroke-width: 3; }}
.vertex {{ cursor: pointer; }}
.kind {{ font-weight: 600; }}
.edge {{ stroke: #888; stroke-width: 1.2; }}
</style></head>
<body>
<svg id="canvas" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8"
 orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#888"/></marker></defs>
{edges}
{nodes}
</svg>
<div id="details"><h3>{title}</h3><p>{truncated}</p><p>Click a vertex for its details. Drag to pan, wheel to
zoom.</p></div>
<script type="application/json" id="lineage-data">{payload}</script>
<script>
(function () {{
  const data = JSON.parse(document.getElementById("lineage-data").textContent);
  const svg = document.getElementById("canvas");
  const details = document.getElementById("details");
  let box = svg.viewBox.baseVal;
  document.querySelectorAll(".vertex").forEach(function (node) {{
    node.addEventListener("click", function (event) {{
      event.stopPropagation();
      document.querySelectorAll(".vertex.selected").forEach(n => n.classList.remove("selected"));
      node.classList.add("selected");
      const vertex = data[node.id];
      details.textContent = "";
      const heading = document.createElement("h3");
      heading.textContent = vertex.Type;
      details.appendChild(heading);
      const table = document.createElement("dl");
      table.id = "selected-vertex";
      Object.keys(vertex).forEach(function (key) {{
        if (vertex[key] === null || vertex[key] === undefined) return;
        const term = document.createElement("dt"); term.textContent = key;
        const value = document.createElement("dd"); value.textContent = vertex[key];
        table.appendChild(term); table.appendChild(value);
      }});
      details.appendChild(table);
    }});
  }});
  let drag = null;
  svg.addEventListener("mousedown", e => {{ drag = {{x: e.clientX, y: e.clientY}}; }});
  window.addEventListener("mouseup", () => {{ drag = null; }});
  window.addEventListener("mousemove", function (e) {{
    if (!drag) return;
    const scale = box.width / svg.clientWidth;
    box.x -= (e.clientX - drag.x) * scale; box.y -= (e.clientY - drag.y) * scale;
    drag = {{x: e.clientX, y: e.clientY}};
  }});
  svg.addEventListener("wheel", function (e) {{
    e.preventDefault();
    const factor = e.deltaY > 0 ? 1.1 : 1 / 1.1;
    box.x += box.width * (1 - factor) / 2; box.y += box.height * (1 - factor) / 2;
    box.width *= factor; box.height *= factor;
  }}, {{passive: false}});
  const wanted = location.hash.match(/^#click=(v[0-9]+)$/);
  if (wanted && document.getElementById(wanted[1])) {{
    document.getElementById(wanted[1]).dispatchEvent(new MouseEvent("click", {{bubbles: true}}));
  }}
}})();
</script>
</body></html>
"""
