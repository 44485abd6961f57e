"""Container figures for each starter's default project (sqlite), measured in one run:

- build time cold (`--no-cache`: every layer rebuilt; pip's BuildKit cache mount may be warm),
  warm (nothing changed), and after a one-line change to the application code, with the
  ratio of each to the cold build and whether the dependency layer was reused;
- the final image's size beside its base image's size;
- seconds from `docker run` to the first 200 from /healthz.

    python benchmarks/container_build.py [-f NAME ...] [--json FILE]

Needs a Docker daemon (WEBSTARTER_DOCKER picks the client) and the base image.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from webstarter.bench.starters import generate
from webstarter.catalog import catalog
from webstarter.smoke.containers import base_image, find_docker
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port

DEPENDENCY_STEP = "pip install --requirement"


def build(docker, project: Path, tag: str, *extra: str) -> tuple[float, bool]:
    """Seconds the build took, and whether the dependency layer came from the cache."""
    started = time.monotonic()
    result = subprocess.run(
        [docker.client, "build", "--progress", "plain", *extra, "--tag", tag, "."],
        cwd=project,
        capture_output=True,
        text=True,
        env=docker.env,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    lines = result.stderr.splitlines()
    step = next((line.split()[0] for line in lines if DEPENDENCY_STEP in line), None)
    reused = step is not None and any(line.startswith(step) and "CACHED" in line for line in lines)
    return seconds, reused


def first_200(docker, tag: str) -> float:
    port = free_port()
    name = f"bench-{secrets.token_hex(4)}"
    started = time.monotonic()
    subprocess.run(
        [
            docker.client, "run", "--detach", "--name", name, "--publish",
            f"127.0.0.1:{port}:8000", "--env", f"SECRET_KEY={secrets.token_urlsafe(40)}", tag,
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        while time.monotonic() - started < 60:
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit(f"{tag} never answered /healthz")
    finally:
        subprocess.run([docker.client, "rm", "--force", name], capture_output=True)


def measure(docker, framework: str, scratch: Path) -> dict[str, float | bool | str]:
    project = scratch / framework
    generate(framework, project)
    tag = f"webstarter-bench-{framework}:{secrets.token_hex(3)}"
    try:
        cold, _ = build(docker, project, tag, "--no-cache")
        warm, warm_reused = build(docker, project, tag)
        package = next(p for p in project.rglob("__init__.py") if "tests" not in p.parts)
        with package.open("a", encoding="utf-8") as out:
            out.write("# a one-line change\n")
        changed, changed_reused = build(docker, project, tag)
        base = base_image(project / "Dockerfile") or ""
        size = docker.image_size(tag) / 1e6
        base_size = docker.image_size(base) / 1e6
        ready = first_200(docker, tag)
    finally:
        subprocess.run([docker.client, "image", "rm", "--force", tag], capture_output=True)
    return {
        "framework": framework,
        "cold_s": round(cold, 2),
        "warm_s": round(warm, 2),
        "code_change_s": round(changed, 2),
        "code_change_vs_cold": round(changed / cold, 2),
        "dependencies_reused_after_code_change": changed_reused and warm_reused,
        "image_mb": round(size, 1),
        "base_mb": round(base_size, 1),
        "image_vs_base": round(size / base_size, 2),
        "first_200_s": round(ready, 2),
        "base_image": base + (" (local stand-in)" if docker.is_stand_in(base) else ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", action="append", choices=list(catalog()))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    docker, reason = find_docker()
    if docker is None:
        sys.exit(f"no Docker: {reason}")
    print(f"docker client {docker.client}, daemon {docker.server_version}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="webstarter-bench-") as scratch:
        for framework in args.framework or list(catalog()):
            rows.append(measure(docker, framework, Path(scratch)))
            row = rows[-1]
            print(
                f"{framework:9} cold {row['cold_s']:6.1f} s  warm {row['warm_s']:5.1f} s  "
                f"code change {row['code_change_s']:5.1f} s ({row['code_change_vs_cold']:.2f}x "
                f"cold, deps reused: {row['dependencies_reused_after_code_change']})  "
                f"image {row['image_mb']:.0f} MB = {row['image_vs_base']:.2f}x base "
                f"{row['base_mb']:.0f} MB  first 200 {row['first_200_s']:.2f} s"
            )
    print(f"base image: {rows[0]['base_image']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
