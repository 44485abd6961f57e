"""What `curl http://host:port/` prints: the API in a few copyable examples, as
start.spring.io does."""

from __future__ import annotations

from webstarter.web.source import ServedTemplate


def usage_text(template: ServedTemplate, base_url: str) -> str:
    """Plain-text usage for the terminal, built from the served catalog and questions."""
    frameworks = template.catalog()
    first = next(iter(frameworks), "flask")
    lines = [
        f"webstarter {template.version}: production-minded Python web starters",
        "",
        "Frameworks:",
    ]
    lines += [
        f"  {key:<10} {fw.kind:<14} {fw.requirement:<22} {fw.summary}"
        for key, fw in frameworks.items()
    ]
    lines += ["", "Questions (name, type, choices or default):"]
    for question in template.questions().values():
        if question.choices:
            detail = " | ".join(question.choices)
        elif question.has_default:
            detail = f"default {question.default!r}"
        else:
            detail = "required"
        when = "" if question.when is True else f"  (asked when {question.when})"
        lines.append(f"  {question.name:<15} {question.type:<5} {detail}{when}")
    lines += [
        "",
        "Examples:",
        "  # a project as a zip (answers as query parameters; `framework` is required)",
        f"  curl -fsSL -o demo.zip '{base_url}/starter.zip?framework={first}'",
        "",
        "  # PostgreSQL, without Docker files, unpacked on the fly",
        f"  curl -fsSL '{base_url}/starter.tar.gz?framework={first}&project_name=shop"
        "&database=postgresql&docker=false' | tar -xzf -",
        "",
        "  # answers as JSON",
        f"  curl -fsSL -o demo.zip -H 'Content-Type: application/json' "
        f"""-d '{{"framework": "{first}", "docker": false}}' {base_url}/starter.zip""",
        "",
        "  # the files that would be generated, and one of them",
        f"  curl -fsSL '{base_url}/preview?framework={first}'",
        f"  curl -fsSL '{base_url}/preview/pyproject.toml?framework={first}'",
        "",
        "  # frameworks and questions as JSON",
        f"  curl -fsSL {base_url}/metadata",
        "",
        "The same project from the command line: webstarter new demo -f "
        f"{first} --defaults --no-git",
        "Bad answers get a 400 with a JSON body naming the field.",
        "",
    ]
    return "\n".join(lines)
