"""Smoke-run reports: JSON for scripts and dashboards, JUnit XML for CI test views."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from webstarter.errors import UsageError
from webstarter.smoke.processes import tail
from webstarter.smoke.runner import CellResult


def check_writable(path: Path) -> None:
    """Fail before the run, not after it, when a report cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"report path '{path}' is a folder")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write report '{path}': '{folder}' is not a writable folder")


def as_json(results: list[CellResult]) -> dict[str, object]:
    cells = []
    for result in results:
        failed = result.failed
        cells.append(
            {
                "cell": result.cell.name,
                "framework": result.cell.framework,
                "options": result.cell.data,
                "from": f"v{result.cell.origin}" if result.cell.origin else None,
                "ok": result.ok,
                "seconds": round(result.seconds, 2),
                "folder": str(result.folder),
                "failed_step": failed.name if failed else None,
                "steps": [
                    {
                        "name": step.name,
                        "ok": step.ok,
                        "seconds": round(step.seconds, 2),
                        "detail": step.detail,
                        "skipped": step.skipped,
                        "metrics": step.metrics,
                        "log": str(step.log) if step.log else None,
                    }
                    for step in result.steps
                ],
            }
        )
    passed = sum(1 for result in results if result.ok)
    skipped = sum(len(result.skipped) for result in results)
    return {
        "passed": passed,
        "failed": len(results) - passed,
        "skipped_steps": skipped,
        "cells": cells,
    }


def write_json(results: list[CellResult], path: Path) -> None:
    path.write_text(json.dumps(as_json(results), indent=2) + "\n", encoding="utf-8")


def write_junit(results: list[CellResult], path: Path) -> None:
    """One testsuite per cell, one testcase per step (a skipped one carries <skipped>)."""
    suites = ET.Element("testsuites", name="webstarter smoke")
    for result in results:
        failures = sum(1 for step in result.steps if not step.ok)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=result.cell.name,
            tests=str(len(result.steps)),
            failures=str(failures),
            skipped=str(len(result.skipped)),
            time=f"{result.seconds:.2f}",
        )
        for step in result.steps:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=result.cell.name,
                name=step.name,
                time=f"{step.seconds:.2f}",
            )
            if step.skipped:
                ET.SubElement(case, "skipped", message=step.detail)
            if not step.ok:
                failure = ET.SubElement(case, "failure", message=step.detail)
                failure.text = tail(step.log) if step.log else ""
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
