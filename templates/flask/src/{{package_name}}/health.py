"""Health check for load balancers and orchestrators: cheap, public and always JSON."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer while the process can serve requests; add a database ping once there is one."""
    return {"status": "ok"}
