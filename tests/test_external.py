"""`webstarter new --template`: third-party copier and cookiecutter templates from a folder, a
git repository (with --ref) and a zip, the trust refusal, and bad input that writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from webstarter.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]


def new(runner, dest: Path, source, *args: str):
    return runner.invoke(app, ["new", str(dest), "--template", str(source), *args])


def git_repo(source: Path, dest: Path) -> Path:
    """The fixture as a git repository with tag v1, then a change tagged v2."""
    shutil.copytree(source, dest)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-qm", "v1"],
        ["tag", "v1"],
    ):
        subprocess.run(["git", *IDENTITY, *args], cwd=dest, check=True)
    readme = next(dest.rglob("README.md*"))
    readme.write_text(readme.read_text() + "\nSecond version.\n")
    for args in (["commit", "-qam", "v2"], ["tag", "v2"]):
        subprocess.run(["git", *IDENTITY, *args], cwd=dest, check=True)
    return dest


# copier -----------------------------------------------------------------------------------


def test_copier_template_with_trust_renders_runs_its_task_and_records_answers(runner, tmp_path):
    dest = tmp_path / "svc"
    result = new(
        runner,
        dest,
        FIXTURES / "copier-template",
        "--trust",
        "--defaults",
        "--data",
        "service=orders",
        "--data",
        "with_docs=true",
    )
    assert result.exit_code == 0, result.output
    assert (dest / "README.md").read_text().startswith("# orders")
    assert (dest / "docs" / "index.md").read_text() == "# orders documentation\n"
    assert (dest / "task-ran.txt").read_text() == "orders"
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["service"] == "orders"
    assert (dest / ".git").is_dir()


def test_copier_conditional_file_is_not_rendered_when_not_chosen(runner, tmp_path):
    dest = tmp_path / "svc"
    assert new(runner, dest, FIXTURES / "copier-template", "--trust", "--defaults").exit_code == 0
    assert not (dest / "docs").exists()


def test_copier_template_that_runs_code_is_refused_without_trust(runner, tmp_path):
    result = new(runner, tmp_path / "svc", FIXTURES / "copier-template", "--defaults")
    assert result.exit_code == 1
    assert "would run code; nothing was written" in result.output
    assert "task: {{ _copier_python }}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_copier_template_from_a_git_repo_at_a_ref(runner, tmp_path):
    repo = git_repo(FIXTURES / "copier-template", tmp_path / "repo")
    dest = tmp_path / "svc"
    result = new(runner, dest, repo, "--ref", "v1", "--trust", "--defaults")
    assert result.exit_code == 0, result.output
    assert "Second version" not in (dest / "README.md").read_text()
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1"
    latest = tmp_path / "latest"
    assert new(runner, latest, repo, "--trust", "--defaults").exit_code == 0
    assert "Second version" in (latest / "README.md").read_text()


def test_copier_project_from_a_third_party_template_updates_with_webstarter(runner, tmp_path):
    repo = git_repo(FIXTURES / "copier-template", tmp_path / "repo")
    dest = tmp_path / "svc"
    assert new(runner, dest, repo, "--ref", "v1", "--trust", "--defaults").exit_code == 0
    untrusted = runner.invoke(app, ["update", str(dest), "--to", "v2"])
    assert untrusted.exit_code == 2  # an error of `update`, distinct from 1, "conflicts"
    assert "--trust" in untrusted.output
    result = runner.invoke(app, ["update", str(dest), "--to", "v2", "--trust"])
    assert result.exit_code == 0, result.output
    assert "Second version" in (dest / "README.md").read_text()


# cookiecutter -----------------------------------------------------------------------------


def test_cookiecutter_template_lands_exactly_at_dest(runner, tmp_path, isolated_git):
    dest = tmp_path / "shop"
    result = new(
        runner,
        dest,
        FIXTURES / "cookiecutter-template",
        "--trust",
        "--defaults",
        "--data",
        "project_name=Ice Cream Shop",
        "--data",
        "flavour=chocolate",
    )
    assert result.exit_code == 0, result.output
    assert (dest / "README.md").read_text().startswith("# Ice Cream Shop\n\nFlavour: chocolate")
    init = dest / "src" / "ice_cream_shop" / "__init__.py"  # a templated folder name
    assert 'FLAVOUR = "chocolate"' in init.read_text()
    assert (dest / "hook-ran.txt").read_text() == "chocolate\n"
    assert [p.name for p in tmp_path.iterdir()] == ["shop"]
    assert "cruft" in result.output
    assert not (isolated_git / ".cookiecutter_replay").exists()
    assert not (isolated_git / ".cookiecutters").exists()


def test_cookiecutter_hooks_are_refused_without_trust(runner, tmp_path):
    result = new(runner, tmp_path / "shop", FIXTURES / "cookiecutter-template", "--defaults")
    assert result.exit_code == 1
    assert "hook: hooks/post_gen_project.py" in result.output
    assert "hook: hooks/pre_gen_project.py" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cookiecutter_from_git_repo_at_a_ref_and_from_a_zip(runner, tmp_path):
    repo = git_repo(FIXTURES / "cookiecutter-template", tmp_path / "repo")
    at_v1 = tmp_path / "v1"
    assert new(runner, at_v1, repo, "--ref", "v1", "--trust", "--defaults").exit_code == 0
    assert "Second version" not in (at_v1 / "README.md").read_text()
    archive = tmp_path / "template.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        top = FIXTURES / "cookiecutter-template"
        for path in [top, *sorted(top.rglob("*"))]:
            bundle.write(path, path.relative_to(FIXTURES).as_posix())
    zipped = tmp_path / "zipped"
    result = new(runner, zipped, archive, "--trust", "--defaults")
    assert result.exit_code == 0, result.output
    assert (zipped / "src" / "demo_service" / "__init__.py").is_file()


def test_failing_hook_leaves_nothing_at_dest(runner, tmp_path):
    result = new(
        runner,
        tmp_path / "shop",
        FIXTURES / "cookiecutter-template",
        "--trust",
        "--defaults",
        "--data",
        "project_slug=fail",
    )
    assert result.exit_code == 1
    assert "hook failed" in result.output
    assert list(tmp_path.iterdir()) == []


# bad input --------------------------------------------------------------------------------


@pytest.fixture
def both_kinds(tmp_path):
    folder = tmp_path / "both"
    shutil.copytree(FIXTURES / "copier-template", folder)
    (folder / "cookiecutter.json").write_text(json.dumps({"x": "1"}))
    return folder


BAD = [
    ("missing", [], "does not exist", 2),
    ("empty", [], "is not a template", 2),
    ("both", [], "has both copier.yml and cookiecutter.json", 2),
    ("copier", ["--data", "colour=red"], "no such question", 2),
    ("cookie", ["--data", "colour=red"], "no such question", 2),
    ("cookie", ["--data", "flavour=mint"], "not one of vanilla, chocolate, strawberry", 2),
    ("copier", ["--data", "service=Bad Name"], "service must be lowercase", 2),
    ("copier-git", ["--ref", "nope"], "unknown --ref 'nope'", 2),
    ("copier", ["--ref", "v1"], "--ref needs a git repository", 2),
    ("copier", ["-f", "flask"], "drop it with --template", 2),
]


@pytest.mark.parametrize(
    ("kind", "args", "message", "code"), BAD, ids=[f"{k}-{' '.join(a)}" for k, a, _, _ in BAD]
)
def test_bad_template_input_is_one_line_and_writes_nothing(
    runner, tmp_path, both_kinds, kind, args, message, code
):
    sources = {
        "missing": tmp_path / "no-such-template",
        "empty": tmp_path / "empty",
        "both": both_kinds,
        "copier": FIXTURES / "copier-template",
        "cookie": FIXTURES / "cookiecutter-template",
    }
    (tmp_path / "empty").mkdir()
    if kind == "copier-git":
        sources[kind] = git_repo(FIXTURES / "copier-template", tmp_path / "repo")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = new(runner, tmp_path / "dest", sources[kind], "--trust", "--defaults", *args)
    assert result.exit_code == code, result.output
    assert result.output.strip().count("\n") == 0, result.output
    assert message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_templates_from_git_urls(runner, tmp_path):
    """A git URL (file:// here: no network) is cloned to read it, for both kinds."""
    copier_repo = git_repo(FIXTURES / "copier-template", tmp_path / "copier-repo")
    dest = tmp_path / "from-url"
    result = new(runner, dest, f"file://{copier_repo}", "--ref", "v1", "--trust", "--defaults")
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(copier_repo)
    assert answers["_commit"] == "v1"
    cookie_repo = git_repo(FIXTURES / "cookiecutter-template", tmp_path / "cookie-repo")
    shop = tmp_path / "shop"
    result = new(runner, shop, f"file://{cookie_repo}", "--trust", "--defaults")
    assert result.exit_code == 0, result.output
    assert "Second version" in (shop / "README.md").read_text()


def test_unreachable_url_is_one_line(runner, tmp_path):
    result = new(runner, tmp_path / "x", "file:///nonexistent/template.git", "--defaults")
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot clone 'file:///nonexistent/template.git'")
    assert list(tmp_path.iterdir()) == []


# copier's own Jinja filters ---------------------------------------------------------------

FILTERS = FIXTURES / "copier-filters-template"


def test_when_conditions_use_copiers_own_filters(runner, tmp_path):
    dest = tmp_path / "api"
    result = new(runner, dest, FILTERS, "--defaults", "--data", "port=8080")
    assert result.exit_code == 0, result.output
    assert (dest / "README.md").read_text() == "# billing-api (billing_api) on port 8080\n"
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["port"] == 8080
    assert answers["labels"] == {}


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        (["service=billing-api"], "slug, port, labels"),  # regex_search matches: port asked
        (["service=billing"], "slug, labels"),  # no match: port is not asked
        (["service=billing", "slug=billing"], None),  # to_json equal: labels not asked
        (["service=billing", "slug=other"], "labels"),
    ],
)
def test_missing_answers_follow_copiers_filters(runner, tmp_path, data, missing):
    args = [arg for pair in data for arg in ("--data", pair)]
    result = new(runner, tmp_path / "svc", FILTERS, "--pretend", *args)
    if missing is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2, result.output
        assert f"error: no terminal to ask for: {missing}; pass" in result.output


def test_when_sees_earlier_defaults_as_copier_does(runner, tmp_path):
    result = new(runner, tmp_path / "svc", FILTERS, "--defaults")
    assert result.exit_code == 2
    assert "no terminal to ask for: port;" in result.output  # the default service is an API


# a broken or demanding template: one named line each ----------------------------------------

SERVICE = "service:\n  type: str\n  default: billing\n"
COPIER_CASES = {
    "extension-module": (
        "_jinja_extensions:\n  - no_such_module.Extension\n" + SERVICE,
        {},
        "the template needs the Jinja extension 'no_such_module.Extension', but module "
        "'no_such_module' is not installed: install it beside webstarter, into the Python "
        "environment of ",
        2,
    ),
    "extension-class": (
        "_jinja_extensions:\n  - jinja2.NoSuchExtension\n" + SERVICE,
        {},
        "the Jinja extension 'jinja2.NoSuchExtension', but module 'jinja2' has no attribute",
        2,
    ),
    "yaml": (SERVICE + "other: [unclosed\n", {}, "copier.yml is not valid YAML: line 5,", 2),
    "not-a-mapping": ("- service\n- other\n", {}, "copier.yml must map settings and", 2),
    "when-syntax": (
        SERVICE + "other:\n  type: str\n  default: x\n  when: '{{ service == }}'\n",
        {},
        "question 'other' has a `when` that is not valid Jinja: unexpected",
        2,
    ),
    "when-unknown-filter": (
        SERVICE + "other:\n  type: str\n  default: x\n  when: '{{ service | nope }}'\n",
        {},
        "question 'other' has a `when` that is not valid Jinja: No filter named 'nope'",
        2,
    ),
    "choices": (
        "service:\n  type: str\n  default: x\n  choices: 5\n",
        {},
        "question 'service' has choices that are neither a list nor a mapping",
        2,
    ),
    "file-syntax": (
        SERVICE,
        {"bad.txt.jinja": "{% if %}\n"},
        "the template's bad.txt.jinja line 1 is not valid Jinja: Expected an expression",
        2,
    ),
    "undefined": (
        "_envops:\n  undefined: jinja2.StrictUndefined\n" + SERVICE,
        {"bad.txt.jinja": "{{ nope }}\n"},
        "the template uses an undefined variable: 'nope' is undefined",
        2,
    ),
    "copier-version": (
        "_min_copier_version: '99.0'\n" + SERVICE,
        {},
        "This template requires Copier version >= 99.0",
        2,
    ),
    "question-type": (
        "service:\n  type: colour\n  default: x\n",
        {},
        'the template\'s copier.yml is not valid: Unsupported type "colour"',
        2,
    ),
    "envops-whole-message": (
        "_envops:\n  undefined: jinja2.ChainableUndefined\n" + SERVICE,
        {},
        'jinja2.ChainableUndefined. Supported values are "jinja2.Undefined"',
        2,
    ),
    "task": (
        "_tasks:\n  - 'false'\n" + SERVICE,
        {},
        "a template task failed: `false` exited with status 1",
        1,
    ),
}


def copier_case(folder: Path, config: str, files: dict[str, str]) -> Path:
    folder.mkdir()
    (folder / "copier.yml").write_text(config)
    (folder / "README.md.jinja").write_text("# {{ service }}\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("config", "files", "message", "code"), COPIER_CASES.values(), ids=list(COPIER_CASES)
)
def test_broken_copier_template_is_one_named_line(runner, tmp_path, config, files, message, code):
    template = copier_case(tmp_path / "template", config, files)
    result = new(runner, tmp_path / "dest", template, "--trust", "--defaults")
    assert result.exit_code == code, result.output
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith("error: ")
    assert message in result.output
    assert "please report" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template"]


def test_a_yaml_answer_that_is_not_yaml_is_one_line(runner, tmp_path):
    config = SERVICE + "settings:\n  type: yaml\n  default: '{}'\n"
    template = copier_case(tmp_path / "template", config, {})
    result = new(runner, tmp_path / "dest", template, "--defaults", "--data", "settings=[a")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: --data settings=[a: answer valid YAML (expected")
    assert result.output.count("\n") == 1


COOKIECUTTER_CASES = {
    "extension": (
        {"slug": "demo", "_extensions": ["no_such_module.Extension"]},
        {},
        "the template needs the Jinja extension 'no_such_module.Extension', but module "
        "'no_such_module' is not installed: install it beside webstarter",
    ),
    "file-syntax": (
        {"slug": "demo"},
        {"{{cookiecutter.slug}}/bad.txt": "{% if %}\n"},
        "the template's bad.txt line 1 is not valid Jinja: Expected an expression",
    ),
    "undefined": (
        {"slug": "demo"},
        {"{{cookiecutter.slug}}/bad.txt": "{{ cookiecutter.nope.x }}\n"},
        "cookiecutter: Unable to create file 'bad.txt': 'collections.OrderedDict object' has "
        "no attribute 'nope'",
    ),
    "no-project-folder": (
        {"slug": "demo"},
        {"README.md": "# flat\n"},
        "the cookiecutter template has no folder named with {{cookiecutter.…}} to render",
    ),
}


@pytest.mark.parametrize(
    ("context", "files", "message"), COOKIECUTTER_CASES.values(), ids=list(COOKIECUTTER_CASES)
)
def test_broken_cookiecutter_template_is_one_named_line(runner, tmp_path, context, files, message):
    template = tmp_path / "template"
    template.mkdir()
    (template / "cookiecutter.json").write_text(json.dumps(context))
    if not files:
        files = {"{{cookiecutter.slug}}/README.md": "# {{ cookiecutter.slug }}\n"}
    for name, text in files.items():
        (template / name).parent.mkdir(parents=True, exist_ok=True)
        (template / name).write_text(text)
    result = new(runner, tmp_path / "dest", template, "--trust", "--defaults")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1, result.output
    assert message in result.output
    assert "Context" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template"]


def test_a_git_url_without_git_is_one_line(runner, tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    result = new(runner, tmp_path / "x", "file:///srv/template.git", "--defaults")
    assert result.exit_code == 2, result.output
    assert result.output == (
        "error: cannot clone 'file:///srv/template.git': git is not installed (it is not on PATH)\n"
    )


def test_end_of_input_at_a_prompt_is_one_line(runner, tmp_path, monkeypatch):
    from copier.errors import InteractiveSessionError

    def no_input(*args, **kwargs):
        raise InteractiveSessionError("Consider using `--defaults` and/or `--data`")

    monkeypatch.setattr("copier.run_copy", no_input)
    result = new(runner, tmp_path / "dest", FIXTURES / "copier-template", "--trust", "--defaults")
    assert result.exit_code == 2, result.output
    assert result.output == (
        "error: a question got no answer (the input ended); nothing was written: "
        "pass --data KEY=VALUE or --defaults\n"
    )


def test_git_and_file_system_errors_are_named_lines():
    from plumbum import ProcessExecutionError

    from webstarter.template_errors import explain

    git = ProcessExecutionError(
        ["git", "clone", "x"], 128, "", "Cloning...\nfatal: repository 'x' does not exist\n"
    )
    assert explain(git).message == "git cannot read the template: repository 'x' does not exist"
    full = explain(OSError(28, "No space left on device", "/srv/out"))
    assert (full.message, full.exit_code) == ("No space left on device: '/srv/out'", 1)
    assert explain(RuntimeError("a bug")) is None  # stays "unexpected ... please report it"
