"""Vault factories: a Router-like type with plain, secure and multi-credential fields, and
credentials made through the service (so secure values are encrypted as in production)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal.models import Company, User
from portal.models.vault import Credential, CredentialCreate, CredentialType, CredentialTypeCreate
from services import vault
from tests.factories import actor_of

ROUTER_FIELDS: list[dict[str, Any]] = [
    {"id": "managementIp", "name": "Management IP", "valueType": "ip_address", "required": True},
    {"id": "username", "name": "Username", "required": True},
    {
        "id": "password",
        "name": "Password",
        "secure": True,
        "valueType": "password",
        "required": True,
    },
    {"id": "recoveryKey", "name": "Recovery key", "secure": True, "valueType": "bitlocker_key"},
    {
        "id": "tunnels",
        "name": "Tunnels",
        "valueType": "multi_credential",
        "subFields": [
            {"id": "peer", "name": "Peer", "required": True},
            {"id": "psk", "name": "Pre-shared key", "secure": True, "valueType": "generic_secret"},
        ],
    },
]


def make_type(db: Session, admin: User, name: str = "Router", **extra: Any) -> CredentialType:
    data = CredentialTypeCreate.model_validate(
        {"name": name, "permissionScope": "network.credentials", "fields": ROUTER_FIELDS, **extra}
    )
    return vault.create_type(session=db, actor=actor_of(db, admin), data=data)


def make_credential(
    db: Session,
    admin: User,
    company: Company,
    ctype: CredentialType,
    name: str = "HQ gateway",
    password: str = "s3cret-Pa55 ",
    **extra: Any,
) -> Credential:
    data = CredentialCreate.model_validate(
        {
            "name": name,
            "typeId": ctype.id,
            "companyId": company.id,
            "fields": [
                {"fieldId": "managementIp", "value": "192.168.1.1"},
                {"fieldId": "username", "value": "admin"},
                {"fieldId": "password", "value": password},
            ],
            **extra,
        }
    )
    return vault.create_credential(session=db, actor=actor_of(db, admin), data=data)
