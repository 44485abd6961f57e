"""One error hierarchy, and the small parsers every command shares."""

import inspect

import pytest

from webstarter import errors, gitrepo
from webstarter.errors import GitError, UsageError, WebstarterError
from webstarter.texts import key_value, last_line

ERRORS = [
    obj
    for obj in vars(errors).values()
    if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == errors.__name__
]


def test_every_error_derives_from_webstarter_error_and_none_is_an_assertion():
    names = {error.__name__ for error in ERRORS}
    assert {"PostgresError", "HistoryError", "StepFailed", "ProbeFailed", "NoFreePort"} <= names
    assert {"StepSkipped", "GitError", "UsageError"} <= names
    for error in ERRORS:
        assert issubclass(error, WebstarterError), error
        assert not issubclass(error, AssertionError), error


def test_the_smoke_modules_raise_the_shared_errors():
    from webstarter.history import HistoryError
    from webstarter.smoke.postgres import PostgresError
    from webstarter.smoke.probes import ProbeFailed
    from webstarter.smoke.processes import NoFreePort, StepFailed

    assert {HistoryError, PostgresError, ProbeFailed, NoFreePort, StepFailed} <= set(ERRORS)


@pytest.mark.parametrize(
    ("pair", "expected"),
    [("a=b", ("a", "b")), (" a =b=c", ("a", "b=c")), ("a=", ("a", ""))],
)
def test_key_value_splits_at_the_first_equals_sign(pair, expected):
    assert key_value(pair, "--data") == expected


@pytest.mark.parametrize("pair", ["ab", "=b", " =b", ""])
def test_key_value_refuses_what_is_not_a_pair_naming_the_option(pair):
    with pytest.raises(UsageError, match=r"^--option '.*' is not KEY=VALUE$"):
        key_value(pair, "--option")


def test_last_line_skips_blank_lines_and_falls_back():
    assert last_line("one\ntwo\n\n  \n") == "two"
    assert last_line("", "nothing") == "nothing"
    assert last_line(None) == "no output"


def test_a_failing_git_command_is_a_git_error_naming_the_subcommand(tmp_path):
    with pytest.raises(GitError, match=r"^git log failed: fatal: "):
        gitrepo.git_output("-c", "core.quotepath=off", "log", cwd=tmp_path)
    assert gitrepo.git_output("--version").startswith("git version")
