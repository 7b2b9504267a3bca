"""Demo vault: three credential types and a few credentials for Acme and Globex (through the
service, so secure values are encrypted and each addition is in the audit log). Idempotent."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal.models import Company, User
from portal.models.vault import Credential, CredentialCreate, CredentialType, CredentialTypeCreate
from portal.tenancy import actor_for_user
from services import vault

TYPES: list[dict[str, Any]] = [
    {
        "name": "Website admin",
        "permissionScope": "website.credentials",
        "fields": [
            {"id": "url", "name": "Admin URL", "required": True},
            {"id": "username", "name": "Username", "required": True},
            {
                "id": "password",
                "name": "Password",
                "secure": True,
                "valueType": "password",
                "required": True,
            },
        ],
    },
    {
        "name": "Email account",
        "permissionScope": "email.credentials",
        "fields": [
            {"id": "address", "name": "Address", "required": True},
            {"id": "imapServer", "name": "IMAP server"},
            {
                "id": "password",
                "name": "Password",
                "secure": True,
                "valueType": "password",
                "required": True,
            },
        ],
    },
    {
        "name": "Router",
        "permissionScope": "network.credentials",
        "fields": [
            {
                "id": "managementIp",
                "name": "Management IP",
                "valueType": "ip_address",
                "required": True,
            },
            {"id": "username", "name": "Username", "required": True},
            {
                "id": "password",
                "name": "Password",
                "secure": True,
                "valueType": "password",
                "required": True,
            },
            {
                "id": "vpnTunnels",
                "name": "VPN tunnels",
                "valueType": "multi_credential",
                "subFields": [
                    {"id": "peer", "name": "Peer", "required": True},
                    {
                        "id": "psk",
                        "name": "Pre-shared key",
                        "secure": True,
                        "valueType": "generic_secret",
                        "required": True,
                    },
                ],
            },
        ],
    },
]

CREDENTIALS: list[tuple[str, str, str, str, dict[str, str], dict[str, Any]]] = [
    (
        "acme",
        "Website admin",
        "Acme WordPress",
        "Main marketing site.",
        {
            "url": "https://acme.test/wp-admin",
            "username": "northwind",
            "password": "correct-Horse-7-battery",
        },
        {},
    ),
    (
        "acme",
        "Email account",
        "Support mailbox",
        "",
        {
            "address": "support@acme.test",
            "imapServer": "imap.acme.test",
            "password": "Mailbox!2026",
        },
        {},
    ),
    (
        "acme",
        "Router",
        "HQ gateway",
        "Rack 2, top unit.",
        {"managementIp": "192.168.1.1", "username": "admin", "password": "Gw-8812-acme"},
        {
            "vpnTunnels": [
                {
                    "name": "Retail store",
                    "fields": [
                        {"fieldId": "peer", "value": "203.0.113.40"},
                        {"fieldId": "psk", "value": "tunnel-psk-retail-01"},
                    ],
                }
            ]
        },
    ),
    (
        "globex",
        "Website admin",
        "Globex intranet",
        "",
        {
            "url": "https://intranet.globex.test/admin",
            "username": "ops",
            "password": "Globex-intranet-44",
        },
        {},
    ),
    (
        "globex",
        "Router",
        "Office firewall",
        "",
        {"managementIp": "10.20.0.1", "username": "root", "password": "Fw-globex-9"},
        {},
    ),
]


def load_demo_vault(session: Session, companies: dict[str, Company], admin: User) -> bool:
    actor = actor_for_user(session, admin)
    created = False
    types: dict[str, CredentialType] = {}
    for spec in TYPES:
        ctype = session.exec(
            select(CredentialType).where(CredentialType.name == spec["name"])
        ).first()
        if ctype is None:
            ctype = vault.create_type(
                session=session, actor=actor, data=CredentialTypeCreate.model_validate(spec)
            )
            created = True
        types[spec["name"]] = ctype
    for slug, type_name, name, notes, values, subs in CREDENTIALS:
        company = companies[slug]
        exists = session.exec(
            select(Credential.id).where(
                Credential.company_id == company.id, Credential.name == name
            )
        ).first()
        if exists is not None:
            continue
        data = CredentialCreate.model_validate(
            {
                "name": name,
                "notes": notes,
                "typeId": types[type_name].id,
                "companyId": company.id,
                "fields": [{"fieldId": k, "value": v} for k, v in values.items()],
                "subCredentials": subs,
            }
        )
        vault.create_credential(session=session, actor=actor, data=data)
        created = True
    return created
