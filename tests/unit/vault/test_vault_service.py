"""The vault's service: encryption at rest, validation against the type, tenancy, audited
reads, sub-credentials, types."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal import crypto
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Role
from portal.models.vault import (
    Credential,
    CredentialTypeCreate,
    CredentialTypeUpdate,
    CredentialUpdate,
    FieldValue,
    SubCredentialAdd,
)
from services import vault
from services.vault import queries
from tests.factories import actor_of
from tests.factories.vault import make_credential, make_type


@pytest.fixture
def world(db, tenants):
    tenants.router = make_type(db, tenants.staff_admin)
    tenants.acme_cred = make_credential(
        db,
        tenants.staff_admin,
        tenants.acme,
        tenants.router,
        subCredentials={
            "tunnels": [
                {
                    "name": "Store",
                    "fields": [
                        {"fieldId": "peer", "value": "203.0.113.4"},
                        {"fieldId": "psk", "value": "tunnel-psk"},
                    ],
                }
            ]
        },
    )
    tenants.globex_cred = make_credential(
        db, tenants.staff_admin, tenants.globex, tenants.router, name="Globex fw", password="gx-pw"
    )
    return tenants


def test_secure_values_are_ciphertext_in_the_raw_row(db, world) -> None:
    raw = (
        db.execute(text("SELECT * FROM credential WHERE id = :id"), {"id": world.acme_cred.id})
        .mappings()
        .one()
    )
    row_text = " ".join(str(v) for v in raw.values())
    assert "s3cret-Pa55" not in row_text
    assert "admin" in row_text and "192.168.1.1" in row_text  # plain fields stay plain
    token = world.acme_cred.secrets["password"]
    assert crypto.decrypt(token) == "s3cret-Pa55 "  # spaces kept: a password is not trimmed
    sub = db.exec(select(Credential).where(Credential.parent_id == world.acme_cred.id)).one()
    assert (
        "tunnel-psk" not in str(sub.secrets) and crypto.decrypt(sub.secrets["psk"]) == "tunnel-psk"
    )


def test_reading_a_secure_value_is_audited_every_time(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    for _ in range(2):
        _, field, value = vault.read_secure_value(
            session=db, actor=actor, credential_id=world.acme_cred.id, field_id="password"
        )
        assert value == "s3cret-Pa55 " and field["name"] == "Password"
    rows = db.exec(
        select(ActivityLog).where(
            ActivityLog.action == "credential_secret_read",
            ActivityLog.object_id == world.acme_cred.id,
        )
    ).all()
    assert len(rows) == 2
    assert rows[0].company_id == world.acme.id and rows[0].actor_id == world.staff_admin.id
    assert "Password" in rows[0].description and "s3cret" not in rows[0].description


def test_unknown_or_plain_field_is_secure_field_not_found(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    for field_id in ("nope", "username"):
        with pytest.raises(NotFound) as exc:
            vault.read_secure_value(
                session=db, actor=actor, credential_id=world.acme_cred.id, field_id=field_id
            )
        assert exc.value.code == "SecureFieldNotFound"
        assert exc.value.message == f"Secure field not found: {field_id}"


def test_a_pm_without_the_node_is_refused_and_not_audited(db, world) -> None:
    with pytest.raises(Forbidden):
        vault.read_secure_value(
            session=db,
            actor=actor_of(db, world.pm),
            credential_id=world.acme_cred.id,
            field_id="password",
        )
    assert not db.exec(
        select(ActivityLog).where(ActivityLog.action == "credential_secret_read")
    ).all()


def test_a_pm_granted_the_node_reads_its_companies_only(db, world) -> None:
    role = Role(name="Vault reader", permissions=["credential.secure_values.read"])
    db.add(role)
    db.flush()
    from services.accounts.users import grant_role

    grant_role(db, user=world.pm, role=role)
    actor = actor_of(db, world.pm)
    _, _, value = vault.read_secure_value(
        session=db, actor=actor, credential_id=world.acme_cred.id, field_id="password"
    )
    assert value == "s3cret-Pa55 "
    with pytest.raises(NotFound):  # Globex is not the PM's: it does not exist for them
        vault.read_secure_value(
            session=db, actor=actor, credential_id=world.globex_cred.id, field_id="password"
        )


def test_clients_never_see_the_vault(db, world) -> None:
    actor = actor_of(db, world.acme_admin)
    with pytest.raises(NotFound):
        queries.get_credential(db, actor=actor, credential_id=world.acme_cred.id)
    with pytest.raises(NotFound):
        queries.list_credentials(db, actor=actor)
    # the vault's history never reaches a client's activity feed
    from services.events.activity import list_activity

    rows, _ = list_activity(db, actor=actor)
    assert not [r for r in rows if r.action.startswith("credential")]


def test_pm_lists_only_assigned_companies(db, world) -> None:
    rows, total = queries.list_credentials(db, actor=actor_of(db, world.pm))
    assert [r.name for r in rows] == ["HQ gateway"] and total == 1
    rows, total = queries.list_credentials(db, actor=actor_of(db, world.staff_admin), q="glob")
    assert [r.name for r in rows] == ["Globex fw"]


def test_values_are_checked_against_the_type(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    with pytest.raises(Invalid) as exc:
        vault.update_credential(
            session=db,
            actor=actor,
            credential_id=world.acme_cred.id,
            data=CredentialUpdate(
                fields=[
                    FieldValue(fieldId="managementIp", value="not an ip"),
                    FieldValue(fieldId="ghost", value="x"),
                    FieldValue(fieldId="password", value=""),
                ]
            ),
        )
    assert set(exc.value.errors) == {
        "fields.managementIp",
        "fields.ghost",
        "fields.password",
    }


def test_update_re_encrypts_and_clears(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    cred = vault.update_credential(
        session=db,
        actor=actor,
        credential_id=world.acme_cred.id,
        data=CredentialUpdate(
            name="HQ router",
            fields=[
                FieldValue(fieldId="password", value="new-pw"),
                FieldValue(fieldId="recoveryKey", value="123-456"),
            ],
        ),
    )
    assert cred.name == "HQ router" and crypto.decrypt(cred.secrets["password"]) == "new-pw"
    cred = vault.update_credential(
        session=db,
        actor=actor,
        credential_id=cred.id,
        data=CredentialUpdate(fields=[FieldValue(fieldId="recoveryKey", value="")]),
    )
    assert "recoveryKey" not in cred.secrets


def test_sub_credentials_add_and_remove(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    sub = vault.add_sub_credential(
        session=db,
        actor=actor,
        credential_id=world.acme_cred.id,
        data=SubCredentialAdd(
            fieldId="tunnels",
            name="Branch",
            fields=[FieldValue(fieldId="peer", value="198.51.100.2")],
        ),
    )
    names = [
        s.name for s in queries.sub_credentials(db, actor=actor, credential_id=world.acme_cred.id)
    ]
    assert names == ["Store", "Branch"]
    with pytest.raises(Invalid):
        vault.add_sub_credential(
            session=db,
            actor=actor,
            credential_id=world.acme_cred.id,
            data=SubCredentialAdd(fieldId="username", name="x", fields=[]),
        )
    with pytest.raises(Conflict):
        vault.add_sub_credential(
            session=db,
            actor=actor,
            credential_id=sub.id,
            data=SubCredentialAdd(fieldId="tunnels", name="x", fields=[]),
        )
    with pytest.raises(NotFound) as exc:
        vault.remove_sub_credential(
            session=db, actor=actor, credential_id=world.acme_cred.id, sub_id=world.globex_cred.id
        )
    assert exc.value.code == "SubCredentialNotFound"
    vault.remove_sub_credential(
        session=db, actor=actor, credential_id=world.acme_cred.id, sub_id=sub.id
    )
    _, _, psk = vault.read_secure_value(
        session=db,
        actor=actor,
        credential_id=queries.sub_credentials(db, actor=actor, credential_id=world.acme_cred.id)[
            0
        ].id,
        field_id="psk",
    )
    assert psk == "tunnel-psk"


def test_delete_takes_sub_credentials_along(db, world) -> None:
    with pytest.raises(Forbidden):  # PMs do not delete credentials by default
        vault.delete_credential(
            session=db, actor=actor_of(db, world.pm), credential_id=world.acme_cred.id
        )
    actor = actor_of(db, world.staff_admin)
    vault.delete_credential(session=db, actor=actor, credential_id=world.acme_cred.id)
    assert not db.exec(select(Credential).where(Credential.company_id == world.acme.id)).all()


def test_type_rules(db, world) -> None:
    actor = actor_of(db, world.staff_admin)
    with pytest.raises(Invalid):
        vault.create_type(
            session=db,
            actor=actor,
            data=CredentialTypeCreate.model_validate(
                {"name": "router", "fields": [{"id": "a", "name": "A"}]}
            ),
        )
    for bad in (
        [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}],
        [{"id": "a", "name": "A", "valueType": "multi_credential", "secure": True}],
        [{"id": "a", "name": "A", "subFields": [{"id": "b", "name": "B"}]}],
        [{"id": "1a", "name": "A"}],
    ):
        with pytest.raises(ValueError):
            CredentialTypeCreate.model_validate({"name": "X", "fields": bad})
    updated = vault.update_type(
        session=db,
        actor=actor,
        type_id=world.router.id,
        data=CredentialTypeUpdate(name="Gateway"),
    )
    assert updated.name == "Gateway"
    with pytest.raises(Forbidden):
        vault.create_type(
            session=db,
            actor=actor_of(db, world.pm),
            data=CredentialTypeCreate.model_validate(
                {"name": "Y", "fields": [{"id": "a", "name": "A"}]}
            ),
        )
    vault.delete_type(session=db, actor=actor, type_id=world.router.id)
    assert not db.exec(select(Credential)).all()  # reference 004: cascade
