"""`--chart`: a bar chart of requests per second per framework and server, the starter next
to its bare reference(s), drawn by matplotlib (the `bench` extra) as PNG or SVG."""

from __future__ import annotations

from pathlib import Path

from webstarter.bench.run import Measurement
from webstarter.errors import UsageError

FORMATS = (".png", ".svg")
INSTALL_HINT = "--chart needs matplotlib: pip install 'webstarter[bench]'"


def check_chart_path(path: Path) -> None:
    """Refuse a chart file webstarter cannot write before any load runs."""
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--chart must end in .png or .svg, not '{path.name}'")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def write_chart(measurements: list[Measurement], path: Path, title: str) -> None:
    """One group of bars per framework, server and route; one bar per app."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: a small, searchable SVG
    groups: list[tuple[str, str, str]] = []
    apps: list[str] = []
    for m in measurements:
        if (m.framework, m.server, m.route) not in groups:
            groups.append((m.framework, m.server, m.route))
        if m.app not in apps:
            apps.append(m.app)
    apps.sort(key=lambda app: (app != "starter", app))
    rps = {(m.framework, m.server, m.route, m.app): m.load.rps for m in measurements}
    width = 0.8 / len(apps)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(groups) + 2), 4.5))
    for index, app in enumerate(apps):
        xs = [g + (index - (len(apps) - 1) / 2) * width for g in range(len(groups))]
        heights = [rps.get((*group, app), 0.0) for group in groups]
        bars = axes.bar(xs, heights, width, label=app)
        axes.bar_label(bars, labels=[f"{h:,.0f}" if h else "" for h in heights], fontsize=7)
    routes = {group[2] for group in groups}
    servers = {group[1] for group in groups}
    labels = [
        "\n".join(
            part
            for part, shown in ((f, True), (s, len(servers) > 1), (r, len(routes) > 1))
            if shown
        )
        for f, s, r in groups
    ]
    axes.set_xticks(range(len(groups)), labels)
    axes.set_ylabel("requests per second")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    figure.savefig(partial, format=path.suffix.lower().lstrip("."), metadata=_metadata(path))
    plt.close(figure)
    partial.replace(path)


def _metadata(path: Path) -> dict[str, str | None]:
    """No creation date in the file: the same figures give the same bytes."""
    if path.suffix.lower() == ".svg":
        return {"Date": None}
    return {"Software": "webstarter bench (matplotlib)"}
