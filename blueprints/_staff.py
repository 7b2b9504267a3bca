"""The staff area's gate: the twin of ``portal_blueprint`` for every page under /admin and /dev."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response
from flask_login import current_user

from portal.errors import NotFound
from portal.extensions import login_manager
from portal.principal import current_actor
from portal.tenancy import require_staff


def staff_blueprint(
    name: str,
    import_name: str,
    *,
    node: str | None = None,
    available: Callable[[], bool] | None = None,
) -> Blueprint:
    """A blueprint only staff reach; for clients the staff area does not exist (404).

    ``node`` additionally requires a permission node (403 for staff without it);
    ``available`` switches the whole blueprint off (404 for everyone) when it returns False.
    """
    bp = Blueprint(name, import_name)

    @bp.before_request
    def _staff_only() -> Response | None:
        if available is not None and not available():
            raise NotFound()
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        actor = current_actor()
        if not actor.is_staff:
            raise NotFound()
        if node is not None:
            require_staff(actor, node)
        return None

    return bp
