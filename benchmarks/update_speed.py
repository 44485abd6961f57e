"""How long `webstarter update` takes to bring each framework's default project from the
previous release to the installed templates, beside `copier update` run directly on clones of
the same project, in the same run (both offline from the shipped history, warm caches).

For each framework the default project is rendered as the previous release generated it
(webstarter.releases.render_release) and committed; every timed command then runs on a fresh
clone of it. The first round warms the caches and is not counted. Both tools must end at the
same tree (the same merge), without conflicts. Target: < 2 s.

Run: python benchmarks/update_speed.py [--runs N] [-f FRAMEWORK ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from webstarter.catalog import catalog
from webstarter.releases import render_release, resolve_version
from webstarter.template_source import bundle_path, git_url_env, installed_version

TARGET = 2.0  # seconds
IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def result_tree(project: Path) -> str:
    """The updated project as one git tree id; conflicts or a missed update stop the run."""
    if git(project, "ls-files", "--unmerged"):
        raise SystemExit(f"conflicts in {project}")
    if f"_commit: v{installed_version()}" not in (project / ".copier-answers.yml").read_text():
        raise SystemExit(f"{project} was not updated")
    git(project, "add", "--all")
    return git(project, "write-tree")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("-f", "--framework", action="append", choices=list(catalog()))
    args = parser.parse_args()
    frameworks = args.framework or list(catalog())
    previous = resolve_version("previous")
    work = Path(tempfile.mkdtemp(prefix="webstarter-update-bench-"))
    os.environ["WEBSTARTER_CACHE_DIR"] = str(work / "cache")  # this process and the CLI share it
    base_env = {**os.environ, **IDENTITY, "GIT_ALLOW_PROTOCOL": "file"}  # no network
    webstarter = [sys.executable, "-m", "webstarter", "update"]
    copier = [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "--quiet"]
    copier_env = {**base_env, **git_url_env(bundle_path(), work / "copier-cache")}
    commands = {"webstarter update": (webstarter, base_env), "copier update": (copier, copier_env)}
    rows = []
    for framework in frameworks:
        base = work / framework / "base"
        render_release(previous, base, {"framework": framework, "project_name": "svc"})
        figures: dict[str, list[float]] = {name: [] for name in commands}
        trees: set[str] = set()
        for index in range(args.runs + 1):  # the first round warms the caches
            for name, (argv, env) in commands.items():
                project = work / framework / f"{index}-{name.split()[0]}"
                git(work, "clone", "--quiet", str(base), str(project))
                started = time.perf_counter()
                subprocess.run(argv, cwd=project, env=env, check=True, capture_output=True)
                elapsed = time.perf_counter() - started
                if index:
                    figures[name].append(elapsed)
                trees.add(result_tree(project))
                shutil.rmtree(project)
        if len(trees) != 1:
            raise SystemExit(f"{framework}: webstarter and copier updated to different trees")
        files = int(git(base, "ls-files", "-z").count("\0"))
        rows.append((framework, files, figures))
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"update v{previous} -> v{installed_version()}, each framework's default project, "
        f"median of {args.runs} runs (s); both tools end at the same tree"
    )
    print(f"{'framework':<10}{'files':>6}{'webstarter':>12}{'copier':>9}{'ratio':>8}  target")
    for framework, files, figures in rows:
        ours = statistics.median(figures["webstarter update"])
        theirs = statistics.median(figures["copier update"])
        verdict = "met" if ours < TARGET else "MISSED"
        print(
            f"{framework:<10}{files:>6}{ours:>12.2f}{theirs:>9.2f}{ours / theirs:>8.2f}"
            f"  < {TARGET:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
