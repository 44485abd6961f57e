"""`GET /metadata`: everything a script, an IDE or the page needs to build a request.

The frameworks come from the catalog and the questions from copier.yml, as they are written
there (a `when` or a Jinja default stays Jinja: the server evaluates it, see /preview). The
document is versioned by its content type and carries an ETag of its own bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from webstarter.web.source import ServedTemplate

MEDIA_TYPE = "application/vnd.webstarter.metadata.v1+json"
ACCEPTED = (MEDIA_TYPE, "application/json")


def question_entry(question: Any) -> dict[str, Any]:
    """One question: type, help, choices (label and value), default, `when`, validator."""
    return {
        "name": question.name,
        "type": question.type,
        "help": question.help,
        "choices": [
            {"label": label, "value": value}
            for label, value in zip(question.labels, question.choices, strict=True)
        ],
        "default": question.default,
        "required": not question.has_default,
        "when": question.when,
        "validated": bool(question.validator),
    }


def metadata(template: ServedTemplate, base_url: str) -> dict[str, Any]:
    """The metadata document for `template`, with links under `base_url` (no trailing /)."""
    return {
        "template": {
            "version": template.version,
            "fingerprint": template.fingerprint(),
            "installed": template.installed,
        },
        "frameworks": [framework.as_dict() for framework in template.catalog().values()],
        "questions": [question_entry(question) for question in template.questions().values()],
        "links": {
            "page": f"{base_url}/",
            "metadata": f"{base_url}/metadata",
            "zip": f"{base_url}/starter.zip{{?answers*}}",
            "tar.gz": f"{base_url}/starter.tar.gz{{?answers*}}",
            "preview": f"{base_url}/preview{{?answers*}}",
            "file": f"{base_url}/preview/{{path}}{{?answers*}}",
        },
    }


def encoded(document: dict[str, Any]) -> tuple[bytes, str]:
    """The document's bytes and their entity tag (unquoted)."""
    body = json.dumps(document, indent=2, default=str).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]
