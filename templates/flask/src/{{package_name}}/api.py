"""The JSON API under /api: views return dicts, Flask serialises them."""

from flask import Blueprint, request

API_PREFIX = "/api"
MAX_NAME_LENGTH = 64

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


class ValidationError(Exception):
    """Invalid input; answered as 400 JSON naming the field, so clients can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@bp.errorhandler(ValidationError)
def validation_error(error: ValidationError) -> tuple[dict[str, str], int]:
    """Turn a ValidationError raised by any API view into a 400 response."""
    return {"error": error.message, "field": error.field}, 400


@bp.get("/hello")
def hello() -> dict[str, str]:
    """Greet `?name=` (the world by default); refuse names longer than 64 characters."""
    name = request.args.get("name", "").strip() or "world"
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", f"name must be at most {MAX_NAME_LENGTH} characters")
    return {"message": f"Hello, {name}!"}
