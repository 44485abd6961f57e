"""The two small parsers the commands share: `KEY=VALUE` options, and the last line of a
process's output (what an error message quotes)."""

from __future__ import annotations

from webstarter.errors import UsageError


def key_value(pair: str, option: str) -> tuple[str, str]:
    """Split one `KEY=VALUE` given to `option` (`--data`, `--option`): the key stripped, the
    value as given; no `=` or an empty key is a UsageError naming the option."""
    key, sep, value = pair.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"{option} '{pair}' is not KEY=VALUE")
    return key, value


def last_line(output: str | None, default: str = "no output") -> str:
    """The last non-blank line of a process's output, or `default` when it printed nothing."""
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    return lines[-1] if lines else default
