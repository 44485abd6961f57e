"""The catalog is the one source of framework facts: complete, honest and well-formed."""

from __future__ import annotations

from datetime import date

import pytest

from webstarter.catalog import catalog, get_framework
from webstarter.errors import UsageError

FRAMEWORKS = ["django", "flask", "pyramid", "bottle", "cherrypy"]


def test_catalog_lists_the_five_frameworks_in_order():
    assert list(catalog()) == FRAMEWORKS


@pytest.mark.parametrize("key", FRAMEWORKS)
def test_every_entry_is_complete(key):
    fw = catalog()[key]
    assert fw.name
    assert fw.kind
    assert fw.summary
    assert fw.docs.startswith("https://")
    assert len(fw.pros) >= 3
    assert len(fw.cons) >= 3
    assert all(isinstance(item, str) and item.endswith(".") for item in fw.pros + fw.cons)
    assert fw.commands.dev
    assert len(fw.commands.servers) >= 2
    assert "gunicorn" in fw.commands.servers
    for command in [fw.commands.dev, *fw.commands.servers.values()]:
        command.format(package="pkg", host="127.0.0.1", port=8000)  # only known placeholders


def test_django_pin_is_the_lts_that_runs_on_python_311_and_not_in_maintenance_mode():
    django = get_framework("django")
    assert django.requirement == "Django>=5.2,<6.0"
    text = " ".join([django.maintained, *django.pros, *django.cons]).lower()
    assert "maintenance mode" not in text
    assert "6.0 shipped" in django.maintained


@pytest.mark.parametrize(("key", "released"), [("bottle", "June 2025"), ("cherrypy", "June 2024")])
def test_stale_frameworks_say_when_they_last_released(key, released):
    fw = get_framework(key)
    assert released in " ".join(fw.cons) + fw.maintained
    assert fw.months_since_release(date(2026, 11, 24)) >= 17


def test_months_since_release_counts_whole_months():
    fw = get_framework("cherrypy")  # released 2024-06-14
    assert fw.months_since_release(date(2024, 7, 13)) == 0
    assert fw.months_since_release(date(2024, 7, 14)) == 1
    assert fw.months_since_release(date(2026, 11, 24)) == 29


def test_lookup_is_case_insensitive_and_suggests_the_closest_name():
    assert get_framework(" Flask ").key == "flask"
    with pytest.raises(UsageError, match="Did you mean 'pyramid'"):
        get_framework("pyramd")
    with pytest.raises(UsageError, match="choose one of: django, flask"):
        get_framework("rails")
