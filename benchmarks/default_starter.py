"""The benchmarks' shared step: render one framework's default starter from this checkout."""

from __future__ import annotations

from pathlib import Path


def generate(framework: str, dest: Path) -> str:
    """Render the default project (sqlite) into `dest`; return its package name."""
    from copier import run_copy

    from webstarter.resources import template_root

    worker = run_copy(
        str(template_root()),
        dest,
        data={"framework": framework, "project_name": f"bench-{framework}"},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return str(worker.answers.combined["package_name"])
