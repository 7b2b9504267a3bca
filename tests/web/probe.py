"""The cross-tenant probe: every route taking a slug or an id, requested by another tenant.

New routes are covered automatically: a route argument the probe cannot resolve to a foreign
object fails the test until it is added to ``ARG_RESOLVERS`` (or, for arguments that are not
tenant data at all, to ``NOT_TENANT_ARGS`` with a reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

# argument name -> value naming an object of the Acme tenant (the "foreign" one for Globex)
ARG_RESOLVERS: dict[str, Callable[[Any], Any]] = {
    "slug": lambda t: t.acme.slug,
    "company_id": lambda t: t.acme.id,
    "portal_id": lambda t: t.acme_portal_id,
    "project_id": lambda t: t.acme_project.id,
    "user_id": lambda t: t.acme_admin.id,
    "invitation_id": lambda t: t.acme_invitation.id,
    "page_id": lambda t: t.acme_page.id,
    "goal_id": lambda t: t.acme_goal.id,
    "task_id": lambda t: t.acme_task_id,
    "webhook_id": lambda t: t.acme_webhook.id,
    "delivery_id": lambda t: t.acme_delivery.id,
    "deliverable_id": lambda t: t.acme_deliverable.id,
    "version_id": lambda t: t.acme_version_id,
    "receipt_id": lambda t: t.acme_receipt.id,
    "key_id": lambda t: t.acme_api_key_id,
    "note_id": lambda t: t.acme_note.id,
    "notification_id": lambda t: t.acme_notification.id,
    "announcement_id": lambda t: t.acme_announcement.id,
    "file_id": lambda t: t.acme_file_id,
    "link_id": lambda t: t.acme_link_id,
    "upload_id": lambda t: t.acme_upload_token,
    "attachment_id": lambda t: t.acme_attachment_id,
    "invoice_id": lambda t: t.acme_invoice.id,
    "budget_id": lambda t: t.acme_budget.id,
    "contract_id": lambda t: t.acme_contract.id,
    "signature_id": lambda t: t.acme_signature.id,
    "opportunity_id": lambda t: t.acme_opportunity.id,
    "proposal_id": lambda t: t.acme_proposal.id,
    "site_id": lambda t: t.acme_site.id,
    "wlan_id": lambda t: t.acme_wlan_id,
    "operation_id": lambda t: t.acme_operation.id,
    "connection_id": lambda t: t.acme_connection.id,
    "qbr_id": lambda t: t.acme_qbr.id,
    # a milestone of the agency's template, as Acme's onboarding runs it
    "milestone_id": lambda t: t.acme_milestone_id,
    "post_key": lambda t: t.acme_post.key,
    "item_key": lambda t: t.acme_post.key,
    "comment_id": lambda t: t.acme_comment.id,
    "category_id": lambda t: t.acme_category.id,
    "tag_id": lambda t: t.acme_tag.id,
    "group_id": lambda t: t.acme_group.id,
    "item_type": lambda t: "post",
    "item_id": lambda t: t.acme_post.key,
    "credential_id": lambda t: t.acme_credential.id,
    "sub_id": lambda t: t.acme_sub_credential.id,
    "field_id": lambda t: "password",
    "tool_id": lambda t: t.acme_tool.id,
    "guide_id": lambda t: t.acme_guide.id,
    "role_id": lambda t: t.pm_role.id,
    "widget_key": lambda t: t.acme_widget.key,
    "entry_id": lambda t: t.acme_entry.id,
    "section_id": lambda t: t.acme_section.id,
}

# argument name -> a value naming nothing at all (what an unknown object answers)
NONEXISTENT: dict[str, Any] = {"slug": "no-such-portal", "upload_id": "no-such-upload"}
NONEXISTENT_ID = 987_654_321


def nonexistent(name: str) -> Any:
    return NONEXISTENT.get(name, NONEXISTENT_ID)


# arguments that carry no tenant data, with the reason
NOT_TENANT_ARGS: dict[str, str] = {
    "filename": "static assets are public",
    "token": "one-time secrets: an unknown token is already a 404/410",
    "provider": "SSO provider names are configuration, not tenant data",
    "status_id": "feedback statuses are the agency's workflow shared by every board",
    "anonymous_id": "an anonymous voter's id; the post in the same path is the tenant's",
    "type_id": "credential types are the agency's catalogue, shared by every company",
    "template_id": "portal templates are the agency's, shared by every portal",
    "logo_key": "a public logo named by its image's own hash (portal sign-in pages show it)",
    "identifier": "catalog items are the agency's, not a tenant's: clients get 403 on all of them",
    "category": "permission categories are the product's catalogue, the same for everyone",
    "tab_key": "a feedback board's tabs are the product's three fixed views, on every board",
    "embed_key": "a feedback widget's public key: it sits in the client's public site by design,"
    " and its page only offers a form",
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def probed_rules(app: Flask) -> tuple[list[tuple[str, str, dict[str, Any]]], list[str]]:
    """(rule, method, argument resolvers) for every probe-able route, and unresolved args."""
    rules: list[tuple[str, str, dict[str, Any]]] = []
    unresolved: list[str] = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments)
        if not args or args <= set(NOT_TENANT_ARGS):
            continue
        missing = [a for a in args if a not in ARG_RESOLVERS and a not in NOT_TENANT_ARGS]
        if missing:
            unresolved.append(f"{rule.rule} ({', '.join(missing)})")
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append(
                (rule.rule, method, {a: ARG_RESOLVERS[a] for a in args if a in ARG_RESOLVERS})
            )
    return rules, unresolved


def probe(
    client: FlaskClient,
    rules: list[tuple[str, str, dict[str, Any]]],
    world: Any,
    variants: list[dict[str, Any]],
) -> list[str]:
    """Every rule requested for the world's foreign objects; the leaks found.

    A 404 is right. Any other success or redirect is a leak. Any other refusal (401, 403, 422…)
    is a leak unless an unknown id gets the very same answer — otherwise the status itself
    tells whether the foreign object exists.
    """
    leaks = []
    for rule, method, resolvers in rules:
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        for kwargs in variants:
            resp = client.open(path, method=method, **kwargs)
            resp.close()
            if resp.status_code == 404:
                continue
            if resp.status_code < 400:
                leaks.append(f"{method} {path} {kwargs.get('headers')} -> {resp.status_code}")
                continue
            unknown = build_path(rule, {name: nonexistent(name) for name in resolvers})
            same = client.open(unknown, method=method, **kwargs)
            same.close()
            if same.status_code != resp.status_code:
                leaks.append(
                    f"{method} {path} {kwargs.get('headers')} -> {resp.status_code}, "
                    f"but {same.status_code} for an unknown id"
                )
    return leaks


def build_path(rule: str, values: dict[str, Any]) -> str:
    path = rule
    for name, value in values.items():
        for conv in ("", "int:", "string:", "path:"):
            path = path.replace(f"<{conv}{name}>", str(value))
    return path


def portal_write_rules(app: Flask) -> list[tuple[str, str]]:
    """Every portal write a read-only role is refused (the gate's open endpoints excepted: their
    services decide, e.g. a viewer's vote where the portal allows it — tested with the area)."""
    from blueprints._portal import OPEN_WRITE_ENDPOINTS

    return [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/p/<slug>/")
        and rule.endpoint not in OPEN_WRITE_ENDPOINTS
        # the portal's branded sign-in is auth's, outside the portal gate (anyone may sign in)
        and not rule.endpoint.startswith("auth.")
        for method in sorted((rule.methods or set()) & WRITE_METHODS)
    ]
