"""Contracts, a section of the Invoices tab (/p/<slug>/invoices/contracts): the contracts a
signer of the group must sign, each with its document, who signed and their receipts; the
signer signs here; staff prepare a contract (document and signers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, BinaryIO, cast

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.contract import MAX_SIGNERS, ContractCreate, ContractSign
from portal.storage import Upload
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.downloads import send_blob
from portal.web.htmx import hx_redirect, perform, render_page
from portal.web.limits import large_body
from services.billing import contracts as service

# Signing is the signer's own act, whatever their client role: the service checks that the
# person signing is the one named (a viewer who is a signer signs; nobody signs for another).
bp = portal_blueprint(
    "contracts", __name__, open_writes=frozenset({"contracts.sign"}), tab="invoices"
)

TEMPLATE = "invoices/contracts.html"
BLANK_SIGNERS = 3


def _signers(form: Mapping[str, Any]) -> list[dict[str, str]]:
    names = form.getlist("signer_name")  # type: ignore[attr-defined]
    emails = form.getlist("signer_email")  # type: ignore[attr-defined]
    rows = []
    for i in range(min(max(len(names), len(emails)), MAX_SIGNERS + BLANK_SIGNERS)):
        name = (names[i] if i < len(names) else "").strip()
        email = (emails[i] if i < len(emails) else "").strip()
        if name or email:
            rows.append({"name": name, "email": email})
    return rows


def _upload() -> Upload:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise Invalid(errors={"file": ["Choose the contract document to upload."]})
    return Upload(stream=cast(BinaryIO, file.stream), filename=file.filename)


def _render(status_code: int = 200, *, contract_id: int | None = None, **extra: Any) -> Response:
    """The one Contracts page: the list, or (``contract_id``) one contract."""
    ctx = portal_ctx()
    session = get_session()
    context: dict[str, Any] = {
        "form": {},
        "form_signers": [],
        "errors": {},
        "open_form": False,
        "view": None,
        "detail": None,
    }
    context.update(extra)
    if contract_id is None:
        context["view"] = service.contracts_page(
            session,
            actor=ctx.actor,
            can_write=ctx.can_write,
            q=request.args.get("q", ""),
            page=page_arg(request.args),
        )
        title = "Contracts"
    else:
        context["detail"] = service.contract_detail(
            session, actor=ctx.actor, contract_id=contract_id
        )
        title = context["detail"].contract.title
    return render_page(
        TEMPLATE,
        status=status_code,
        ctx=ctx,
        blank_signers=BLANK_SIGNERS,
        active_tab="invoices",
        page_title=title,
        **context,
    )


@bp.get("/invoices/contracts")
def index() -> Response:
    return _render()


@bp.post("/invoices/contracts")
@large_body
def create() -> Response:
    ctx = portal_ctx()
    signers = _signers(request.form)
    raw = {**form_data(request.form), "signers": signers}
    raw = {k: v for k, v in raw.items() if not k.startswith("signer_")}
    try:
        contract = service.create_contract(
            get_session(),
            actor=ctx.company_actor,
            portal=ctx.portal,
            data=validated(ContractCreate, raw),
            upload=_upload(),
        )
    except Invalid as exc:
        return _render(
            422, form=request.form, form_signers=signers, errors=exc.errors, open_form=True
        )
    flash(f"{contract.title} was sent for signature.", "success")
    return hx_redirect(url_for("contracts.detail", contract_id=contract.id))


@bp.get("/invoices/contracts/<int:contract_id>")
def detail(contract_id: int) -> Response:
    return _render(contract_id=contract_id)


@bp.post("/invoices/contracts/<int:contract_id>/sign")
def sign(contract_id: int) -> Response:
    ctx = portal_ctx()
    fields = form_data(request.form)
    raw = {"typed_name": fields.get("typed_name", ""), "consent": fields.get("consent") == "on"}
    return perform(
        lambda: service.sign_contract(
            get_session(),
            actor=ctx.actor,
            contract_id=contract_id,
            data=validated(ContractSign, raw),
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        ),
        message="Signed. Your signature receipt is below.",
        location=url_for("contracts.detail", contract_id=contract_id),
        refused=lambda status, **why: _render(
            status, contract_id=contract_id, form=request.form, **why
        ),
    )


@bp.get("/invoices/contracts/<int:contract_id>/document")
def document(contract_id: int) -> Response:
    blob = service.open_document(get_session(), actor=portal_ctx().actor, contract_id=contract_id)
    return send_blob(blob, inline=request.args.get("inline") == "1")


@bp.get("/invoices/contracts/<int:contract_id>/receipts/<int:signature_id>")
def receipt(contract_id: int, signature_id: int) -> Response:
    blob = service.receipt_file(
        get_session(),
        actor=portal_ctx().actor,
        contract_id=contract_id,
        signature_id=signature_id,
        as_text=request.args.get("format") == "txt",
    )
    return send_blob(blob)
