"""Changes made on the controller: create a site, update a WiFi network, create WLAN groups,
speed profiles and private pre-shared keys.

No request waits on the controller for them. A request checks the change locally (the input,
the staff node, the site and the WiFi network), records a :class:`NetworkOperation` and queues
the ``network.operation`` job; it answers at once with the operation, ``pending``. The job makes
the call: the controller's answer updates that site's snapshot and writes the activity row
(``succeeded``); a refusal (4xx) is ``rejected`` with the controller's message; an unreachable,
failing or slow controller is ``failed``. The connector retries only idempotent calls (the
WiFi update's PUT); a create is sent at most once, even when its job is run again.

The operation row is the durable part: a job lost with Redis or with a process is found by the
``network.operations.sweep`` periodic job and queued again (a create that was already sent is
marked failed instead, never sent twice). The request body may hold a passphrase or a private
key: it is stored encrypted and never shown, nor written to the activity log.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal import crypto
from portal.db import commit
from portal.errors import Conflict, Forbidden, NotFound
from portal.jobs import dispatch, enqueue, job
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.network import (
    NetworkOperation,
    NetworkSite,
    NetworkWlan,
    OperationKind,
    OperationStatus,
    PrivateKeyCreate,
    SiteCreate,
    SpeedProfileCreate,
    WlanGroupCreate,
    WlanUpdate,
)
from portal.sweeper import periodic
from portal.tenancy import Actor, get_for_actor, require_staff, scoped, staff_can
from services.events.activity import record
from services.network.connector import (
    ControllerClient,
    ControllerError,
    ControllerRejected,
    fetch_snapshot,
    parse_groups,
    parse_wlan,
)
from services.network.queries import get_site
from services.network.sync import (
    apply_snapshot,
    controller_from_settings,
    record_failure,
    store_wlan,
    wlan_secrets,
)

log = logging.getLogger(__name__)

OPERATION_JOB = "network.operation"
SWEEP_JOB = "network.operations.sweep"
# A pending operation this old has lost its job (Redis or a process died): the sweep re-queues it.
SWEEP_GRACE = timedelta(seconds=60)
# The staff node each kind of change needs (reading its operations needs the same).
NODES: dict[str, str] = {
    OperationKind.create_site: "network.sites.create",
    OperationKind.update_wifi: "network.wifi.update",
    OperationKind.create_wlan_group: "network.wlan-groups.create",
    OperationKind.create_speed_profile: "network.speed-profiles.create",
    OperationKind.create_private_key: "network.wifi.ppsk.create",
}
IDEMPOTENT = frozenset({OperationKind.update_wifi.value})


# Requests: check locally, record, queue -------------------------------------------------------


def _ensure_configured() -> None:
    if controller_from_settings() is None:
        # a state of this installation, not a passing outage: queueing would not help
        raise Conflict(
            "No network controller is configured (NETWORK_CONTROLLER_URL).",
            code="controller_not_configured",
        )


def _queue(
    session: Session,
    actor: Actor,
    kind: OperationKind,
    site: NetworkSite | None,
    payload: dict[str, Any],
    wlan_id: str | None = None,
) -> NetworkOperation:
    _ensure_configured()
    op = NetworkOperation(
        kind=kind.value,
        site_id=site.id if site else None,
        company_id=site.company_id if site else None,
        wlan_id=wlan_id,
        payload_encrypted=crypto.encrypt(json.dumps(payload)),
        actor_id=actor.user_id,
        actor_label=actor.label[:200],
    )
    session.add(op)
    session.flush()
    enqueue(session, OPERATION_JOB, op.id)
    return op


def _wlan(session: Session, site: NetworkSite, wlan_id: str) -> NetworkWlan:
    wlan = session.exec(
        select(NetworkWlan).where(
            NetworkWlan.site_id == site.id, NetworkWlan.controller_id == wlan_id
        )
    ).first()
    if wlan is None:
        raise NotFound()
    return wlan


def create_site(*, session: Session, actor: Actor, data: SiteCreate) -> NetworkOperation:
    """Queue the creation of a site on the controller (``network.sites.create``); the job
    tracks it (not linked yet) and reads its snapshot."""
    require_staff(actor, NODES[OperationKind.create_site], "Only the agency can create sites.")
    return _queue(session, actor, OperationKind.create_site, None, data.model_dump())


def update_wlan(
    *, session: Session, actor: Actor, site_id: int, wlan_id: str, data: WlanUpdate
) -> NetworkOperation:
    """Queue a change of a WiFi network (``network.wifi.update``); only the fields sent change."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = _wlan(session, site, wlan_id)
    require_staff(
        actor, NODES[OperationKind.update_wifi], "Only the agency can change WiFi networks."
    )
    payload = data.model_dump(exclude_unset=True)
    return _queue(session, actor, OperationKind.update_wifi, site, payload, wlan.controller_id)


def create_wlan_group(
    *, session: Session, actor: Actor, site_id: int, data: WlanGroupCreate
) -> NetworkOperation:
    site = get_site(session=session, actor=actor, site_id=site_id)
    require_staff(
        actor, NODES[OperationKind.create_wlan_group], "Only the agency can create WLAN groups."
    )
    return _queue(session, actor, OperationKind.create_wlan_group, site, data.model_dump())


def create_speed_profile(
    *, session: Session, actor: Actor, site_id: int, data: SpeedProfileCreate
) -> NetworkOperation:
    site = get_site(session=session, actor=actor, site_id=site_id)
    require_staff(
        actor,
        NODES[OperationKind.create_speed_profile],
        "Only the agency can create speed profiles.",
    )
    return _queue(session, actor, OperationKind.create_speed_profile, site, data.model_dump())


def create_private_key(
    *, session: Session, actor: Actor, site_id: int, wlan_id: str, data: PrivateKeyCreate
) -> NetworkOperation:
    """Queue a private pre-shared key for a WiFi network (turning PPSK on)."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = _wlan(session, site, wlan_id)
    require_staff(
        actor, NODES[OperationKind.create_private_key], "Only the agency can create WiFi keys."
    )
    payload = data.model_dump()
    return _queue(
        session, actor, OperationKind.create_private_key, site, payload, wlan.controller_id
    )


# Reading operations ---------------------------------------------------------------------------


def _require_operation_nodes(actor: Actor) -> None:
    require_staff(actor)
    if not any(staff_can(actor, node) for node in NODES.values()):
        raise Forbidden("Only the agency sees changes made on the controller.")


def get_operation(*, session: Session, actor: Actor, operation_id: int) -> NetworkOperation:
    """One operation the actor may see (its site's company; foreign: 404), for staff holding
    the node its kind of change needs."""
    require_staff(actor)
    op = get_for_actor(session, NetworkOperation, operation_id, actor)
    require_staff(actor, NODES.get(op.kind), "Only the agency sees this change.")
    return op


def site_operations(
    *, session: Session, actor: Actor, site_id: int, limit: int, offset: int
) -> tuple[list[NetworkOperation], int]:
    """A site's operations, newest first (staff holding any of the change nodes)."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    _require_operation_nodes(actor)
    stmt = scoped(select(NetworkOperation), actor, NetworkOperation).where(
        NetworkOperation.site_id == site.id
    )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(NetworkOperation.created_at).desc(), col(NetworkOperation.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


# The job -----------------------------------------------------------------------------------------


def _finish(
    session: Session, op: NetworkOperation, status: OperationStatus, error: str | None = None
) -> None:
    op.status = status.value
    op.error = error[:500] if error else None
    op.finished_at = utcnow()
    session.add(op)
    session.flush()


@job(OPERATION_JOB)
def run_operation(session: Session, operation_id: int) -> None:
    """Make one queued change on the controller and record how it ended."""
    op = session.get(NetworkOperation, operation_id)
    if op is None or op.status != OperationStatus.pending.value:
        return  # done already (a job queued twice, or by the sweep)
    if op.kind not in IDEMPOTENT:
        if op.started_at is not None:
            _finish(
                session,
                op,
                OperationStatus.failed,
                "The change was sent, but its answer was lost; it is not sent twice. The next "
                "sync shows whether the controller applied it.",
            )
            return
        # claim it before sending: a create goes to the controller at most once
        claimed = session.execute(
            update(NetworkOperation)
            .where(
                col(NetworkOperation.id) == op.id,
                col(NetworkOperation.status) == OperationStatus.pending.value,
                col(NetworkOperation.started_at).is_(None),
            )
            .values(started_at=utcnow())
        )
        commit(session)
        if getattr(claimed, "rowcount", 1) != 1:
            return
        session.refresh(op)
    else:
        op.started_at = op.started_at or utcnow()
    client = controller_from_settings()
    if client is None:
        _finish(session, op, OperationStatus.failed, "No network controller is configured.")
        return
    payload = json.loads(crypto.decrypt(op.payload_encrypted))
    try:
        site = _apply(session, op, client, payload)
    except ControllerRejected as exc:
        _finish(session, op, OperationStatus.rejected, exc.message)
        return
    except ControllerError as exc:
        message = exc.message
        if exc.timed_out:
            message += " The next sync shows whether the controller applied the change."
        _finish(session, op, OperationStatus.failed, message)
        return
    _finish(session, op, OperationStatus.succeeded)
    _refresh(session, client, site)


def _refresh(session: Session, client: ControllerClient, site: NetworkSite) -> None:
    """Read the changed site's snapshot again (a failure is the site's sync error)."""
    try:
        snapshot = fetch_snapshot(client, site.controller_site)
    except ControllerError as exc:
        record_failure(session, site, exc.message, utcnow())
        session.flush()
        return
    apply_snapshot(session=session, site=site, snapshot=snapshot)


def _activity(
    session: Session, op: NetworkOperation, site: NetworkSite, action: Action, label: str, text: str
) -> None:
    actor = Actor(kind="staff", user_id=op.actor_id, label=op.actor_label)
    record(
        session,
        actor=actor,
        company_id=site.company_id,
        action=action,
        object_type="network_site",
        object_id=site.id,
        object_label=label,
        description=f"{op.actor_label} {text}",
    )


def _apply(
    session: Session, op: NetworkOperation, client: ControllerClient, payload: dict[str, Any]
) -> NetworkSite:
    """Send the change; on the controller's answer update the snapshot and write the activity
    row (secrets never go into it). Returns the site changed."""
    if op.kind == OperationKind.create_site:
        created = client.create_site(str(payload["description"]))
        name = str(created.get("name") or "")[:64]
        new = NetworkSite(
            controller_site=name, name=str(created.get("desc") or payload["description"])[:200]
        )
        session.add(new)
        session.flush()
        op.site_id = new.id
        _activity(
            session, op, new, Action.network_site_created, new.name,
            f"created the network site {new.name}",
        )  # fmt: skip
        return new
    site = session.get(NetworkSite, op.site_id)
    if site is None:
        raise ControllerRejected("The site is no longer tracked.")
    if op.kind == OperationKind.update_wifi:
        wlan = _job_wlan(session, site, op.wlan_id)
        changes = dict(payload)
        if "band" in changes:
            changes["wlan_band"] = changes.pop("band")
        raw = client.update_wlan(site.controller_site, wlan.controller_id, changes)
        wlan = store_wlan(session, site, parse_wlan(raw), existing=wlan)
        what = ", ".join(sorted("passphrase" if k == "x_passphrase" else k for k in payload))
        _activity(
            session, op, site, Action.wifi_network_updated, f"{wlan.name} ({site.name})",
            f"changed {what} of {wlan.name}",
        )  # fmt: skip
    elif op.kind == OperationKind.create_wlan_group:
        raw = client.create_wlan_group(site.controller_site, str(payload["name"]))
        _add_group(site, "wlanGroups", parse_groups([raw], [], [])["wlanGroups"][0])
        _activity(
            session, op, site, Action.wlan_group_created, str(payload["name"]),
            f"created the WLAN group {payload['name']} at {site.name}",
        )  # fmt: skip
    elif op.kind == OperationKind.create_speed_profile:
        raw = client.create_speed_profile(
            site.controller_site,
            str(payload["name"]),
            int(payload["downloadLimitKbps"]),
            int(payload["uploadLimitKbps"]),
        )
        _add_group(site, "speedProfiles", parse_groups([], [], [raw])["speedProfiles"][0])
        _activity(
            session, op, site, Action.speed_profile_created, str(payload["name"]),
            f"created the speed profile {payload['name']} at {site.name}",
        )  # fmt: skip
    elif op.kind == OperationKind.create_private_key:
        wlan = _job_wlan(session, site, op.wlan_id)
        current = wlan_secrets(wlan).get("privatePreSharedKeys")
        keys = [k for k in (current if isinstance(current, list) else []) if isinstance(k, dict)]
        keys.append(
            {
                "key": payload["key"],
                "name": payload["name"],
                "mac": payload.get("mac"),
                "vlan_id": payload.get("vlanId"),
            }
        )
        raw = client.update_wlan(
            site.controller_site,
            wlan.controller_id,
            {"private_preshared_keys_enabled": True, "private_preshared_keys": keys},
        )
        wlan = store_wlan(session, site, parse_wlan(raw), existing=wlan)
        _activity(
            session, op, site, Action.private_psk_created, f"{wlan.name} ({site.name})",
            f"added the WiFi key {payload['name']} to {wlan.name}",
        )  # fmt: skip
    else:
        raise ControllerRejected(f"Unknown change {op.kind!r}.")
    site.updated_at = utcnow()
    session.add(site)
    session.flush()
    return site


def _job_wlan(session: Session, site: NetworkSite, wlan_id: str | None) -> NetworkWlan:
    try:
        return _wlan(session, site, wlan_id or "")
    except NotFound:
        raise ControllerRejected("That WiFi network is no longer on the controller.") from None


def _add_group(site: NetworkSite, kind: str, item: dict[str, Any]) -> None:
    groups = site.groups or {}
    site.groups = {**groups, kind: [*groups.get(kind, []), item]}


# The sweep: a pending operation whose job was lost is queued again ----------------------------


@job(SWEEP_JOB)
def sweep_operations(session: Session) -> None:
    due = utcnow() - SWEEP_GRACE
    ids = session.exec(
        select(NetworkOperation.id).where(
            NetworkOperation.status == OperationStatus.pending.value,
            col(NetworkOperation.created_at) <= due,
        )
    ).all()
    for operation_id in ids:
        dispatch(OPERATION_JOB, operation_id)
    if ids:
        log.info("re-queued %d network operation(s) whose job was lost", len(ids))


periodic(SWEEP_JOB, setting="NETWORK_OPERATIONS_SWEEP_SECONDS", default=60.0, first_after=30)
