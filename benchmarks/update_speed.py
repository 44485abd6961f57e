"""How long `webstarter update` takes from release N to N+1 of a default Flask project,
beside `copier update` run directly on the same project (both offline, warm caches).

Builds wheels N and N+1 from a copy of this checkout (tests/releases.py), installs N+1 into a
venv, and times each command on fresh clones of one generated project. Target: < 2 s.

Run: python benchmarks/update_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from releases import build_wheel, copy_checkout, cut_next_release, git

from webstarter.smoke.venvs import find_uv
from webstarter.template_source import CANONICAL_URL


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="webstarter-update-bench-"))
    uv = find_uv()
    repo = copy_checkout(work / "repo")
    version = re.search(r'^version = "(.+)"', (repo / "pyproject.toml").read_text(), re.M)[1]
    wheel_n = build_wheel(repo, work / "n")
    cut_next_release(repo, version)
    wheel_n1 = build_wheel(repo, work / "n1")
    venv = work / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    env = {**os.environ, "WEBSTARTER_CACHE_DIR": str(work / "cache"), "GIT_ALLOW_PROTOCOL": "file"}

    def install(wheel: Path) -> None:
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(venv / "bin/python"),
                "--reinstall-package",
                "webstarter",
                str(wheel),
            ],
            check=True,
        )

    install(wheel_n)
    subprocess.run(
        [str(venv / "bin/webstarter"), "new", str(work / "base"), "-f", "flask", "--defaults"],
        env=env,
        check=True,
        capture_output=True,
    )
    install(wheel_n1)
    bundle = next(venv.glob("lib/python*/site-packages/webstarter/templates.bundle"))
    copier_env = {
        **env,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{bundle}.insteadOf",
        "GIT_CONFIG_VALUE_0": CANONICAL_URL,
        "COPIER_CACHE_DIR": str(work / "copier-cache"),
    }
    commands = {
        "webstarter update": ([str(venv / "bin/webstarter"), "update"], env),
        "copier update": (
            [
                str(venv / "bin/python"),
                "-m",
                "copier",
                "update",
                "--trust",
                "--defaults",
                "--quiet",
            ],
            copier_env,
        ),
    }
    figures: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(args.runs + 1):  # the first round warms the caches
        for name, (argv, run_env) in commands.items():
            project = work / f"p-{index}-{name.split()[0]}"
            subprocess.run(["git", "clone", "-q", str(work / "base"), str(project)], check=True)
            git(project, "config", "user.email", "bench@example.org")
            started = time.perf_counter()
            subprocess.run(argv, cwd=project, env=run_env, check=True, capture_output=True)
            if index:
                figures[name].append(time.perf_counter() - started)
            if f"v{version}" in (project / ".copier-answers.yml").read_text():
                raise SystemExit(f"{name} did not update {project}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"update v{version} -> next, default Flask project, median of {args.runs} runs")
    for name, samples in figures.items():
        print(f"  {name:<20}{statistics.median(samples):6.2f} s  (min {min(samples):.2f})")
    ours = statistics.median(figures["webstarter update"])
    ratio = ours / statistics.median(figures["copier update"])
    print(f"  webstarter / copier  {ratio:6.2f}")
    print(f"  target < 2 s: {'met' if ours < 2 else 'MISSED'} ({ours:.2f} s)")


if __name__ == "__main__":
    main()
