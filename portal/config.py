"""Typed settings, read and validated once from the environment."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when settings are missing or invalid (production refuses to start)."""


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(value: object, default: float = 10.0) -> float:
    if value is None or value == "":
        return default
    try:
        seconds = float(str(value))
    except ValueError as exc:
        raise ConfigError("ASK_LLM_TIMEOUT must be a number of seconds") from exc
    if not 0 < seconds <= 60:
        raise ConfigError("ASK_LLM_TIMEOUT must be between 0 and 60 seconds")
    return seconds


@dataclass(frozen=True)
class SsoProvider:
    """An OpenID Connect issuer people may sign in with (staff, or one client company)."""

    name: str
    label: str
    server_metadata_url: str
    client_id: str
    client_secret: str
    scope: str = "openid email profile"
    company_slug: str | None = None  # None: a staff provider


def _sso_providers(raw: object) -> tuple[SsoProvider, ...]:
    if not raw:
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    providers = []
    for item in items:  # type: ignore[union-attr]
        try:
            metadata = item.get("server_metadata_url") or (
                item["issuer"].rstrip("/") + "/.well-known/openid-configuration"
            )
            providers.append(
                SsoProvider(
                    name=item["name"],
                    label=item.get("label") or item["name"].title(),
                    server_metadata_url=metadata,
                    client_id=item["client_id"],
                    client_secret=item["client_secret"],
                    scope=item.get("scope", "openid email profile"),
                    company_slug=item.get("company_slug"),
                )
            )
        except (KeyError, AttributeError, TypeError) as exc:
            raise ConfigError(f"STOA_SSO_PROVIDERS entry is incomplete: {exc}") from exc
    return tuple(providers)


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    secret_key: str
    encryption_keys: tuple[str, ...]
    database_url: str
    redis_url: str | None
    storage_url: str
    smtp_url: str | None
    mail_from: str
    outbox_dir: Path
    trusted_proxies: int
    base_url: str | None
    login_ip_limit: int = 300
    sso_providers: tuple[SsoProvider, ...] = ()
    # Network tab: the UniFi-style controller the background sync reads (None: no controller)
    network_controller_url: str | None = None
    network_controller_key: str = ""
    # Online payment (Stripe Checkout): both set, or "Pay now" is not offered. The API base
    # points the stripe library at a local fake in tests and the demo.
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str | None = None
    # Results tab: where the platform connectors send their requests (None: connections off)
    results_platform_url: str | None = None
    # Catalog: the distributor whose inventory refreshes items' on-hand counts (None: none)
    distributor_url: str | None = None
    distributor_key: str = ""
    # Results "Ask": an optional OpenAI-compatible chat model that words the answer from the
    # numbers the deterministic answerer computed (None: the deterministic answer only)
    ask_llm_url: str | None = None
    ask_llm_key: str = field(default="", repr=False)
    ask_llm_model: str = ""
    ask_llm_timeout: float = 10.0
    # Feedback: the same model words the summary of raw feedback (off: the deterministic one)
    feedback_llm_summary: bool = False
    # Sales: the upstream CRM opportunities refresh from (None: Stoa keeps them itself)
    crm_url: str | None = None
    crm_key: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Build settings from the environment, with explicit overrides (tests) winning."""
    o = dict(overrides or {})
    env = str(o.get("STOA_ENV") or os.environ.get("STOA_ENV") or "development")
    instance = Path(
        str(
            o.get("INSTANCE_PATH")
            or os.environ.get("STOA_INSTANCE_PATH")
            or (PROJECT_ROOT / "instance")
        )
    )
    production = env == "production"

    secret = str(o.get("SECRET_KEY") or os.environ.get("SECRET_KEY") or "")
    keys_raw = str(o.get("STOA_ENCRYPTION_KEYS") or os.environ.get("STOA_ENCRYPTION_KEYS") or "")
    base_url = str(o.get("BASE_URL") or os.environ.get("STOA_BASE_URL") or "") or None
    if production:
        if not secret:
            raise ConfigError("SECRET_KEY is required in production")
        if not base_url:
            raise ConfigError(
                "STOA_BASE_URL is required in production: emailed links are built from it"
            )
        if not keys_raw:
            raise ConfigError("STOA_ENCRYPTION_KEYS is required in production")
    if not secret:
        secret = _read_or_create(instance / "secret_key", lambda: secrets.token_hex(32))
    if not keys_raw:
        keys_raw = _read_or_create(
            instance / "encryption_keys", lambda: Fernet.generate_key().decode()
        )
    keys = tuple(k.strip() for k in keys_raw.split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ConfigError("STOA_ENCRYPTION_KEYS holds a key that is not a Fernet key") from exc

    default_db = f"sqlite:///{instance / 'stoa.db'}"
    database_url = str(o.get("DATABASE_URL") or os.environ.get("DATABASE_URL") or default_db)
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    storage = str(
        o.get("STORAGE_URL") or os.environ.get("STORAGE_URL") or f"file://{instance / 'storage'}"
    )
    redis_url = o.get("REDIS_URL", os.environ.get("REDIS_URL")) or None
    return Settings(
        env=env,
        instance_path=instance,
        secret_key=secret,
        encryption_keys=keys,
        database_url=database_url,
        redis_url=str(redis_url) if redis_url else None,
        storage_url=storage,
        smtp_url=str(o.get("SMTP_URL") or os.environ.get("SMTP_URL") or "") or None,
        mail_from=str(
            o.get("MAIL_FROM") or os.environ.get("MAIL_FROM") or "Stoa <portal@stoa.local>"
        ),
        outbox_dir=Path(str(o.get("OUTBOX_DIR") or instance / "outbox")),
        trusted_proxies=int(
            str(o.get("TRUSTED_PROXIES") or os.environ.get("TRUSTED_PROXIES") or 0)
        ),
        base_url=base_url,
        login_ip_limit=int(
            str(o.get("LOGIN_IP_LIMIT") or os.environ.get("STOA_LOGIN_IP_LIMIT") or 300)
        ),
        sso_providers=_sso_providers(
            o.get("SSO_PROVIDERS") or os.environ.get("STOA_SSO_PROVIDERS")
        ),
        network_controller_url=str(
            o.get("NETWORK_CONTROLLER_URL") or os.environ.get("NETWORK_CONTROLLER_URL") or ""
        )
        or None,
        network_controller_key=str(
            o.get("NETWORK_CONTROLLER_KEY") or os.environ.get("NETWORK_CONTROLLER_KEY") or ""
        ),
        stripe_secret_key=str(
            o.get("STRIPE_SECRET_KEY") or os.environ.get("STRIPE_SECRET_KEY") or ""
        ),
        stripe_webhook_secret=str(
            o.get("STRIPE_WEBHOOK_SECRET") or os.environ.get("STRIPE_WEBHOOK_SECRET") or ""
        ),
        stripe_api_base=str(o.get("STRIPE_API_BASE") or os.environ.get("STRIPE_API_BASE") or "")
        or None,
        results_platform_url=str(
            o.get("RESULTS_PLATFORM_URL") or os.environ.get("RESULTS_PLATFORM_URL") or ""
        )
        or None,
        distributor_url=str(o.get("DISTRIBUTOR_URL") or os.environ.get("DISTRIBUTOR_URL") or "")
        or None,
        distributor_key=str(o.get("DISTRIBUTOR_KEY") or os.environ.get("DISTRIBUTOR_KEY") or ""),
        ask_llm_url=str(o.get("ASK_LLM_URL") or os.environ.get("ASK_LLM_URL") or "") or None,
        ask_llm_key=str(o.get("ASK_LLM_KEY") or os.environ.get("ASK_LLM_KEY") or ""),
        ask_llm_model=str(o.get("ASK_LLM_MODEL") or os.environ.get("ASK_LLM_MODEL") or ""),
        ask_llm_timeout=_seconds(o.get("ASK_LLM_TIMEOUT") or os.environ.get("ASK_LLM_TIMEOUT")),
        feedback_llm_summary=_bool(
            str(o.get("FEEDBACK_LLM_SUMMARY") or os.environ.get("FEEDBACK_LLM_SUMMARY") or "")
        ),
        crm_url=str(o.get("CRM_URL") or os.environ.get("CRM_URL") or "") or None,
        crm_key=str(o.get("CRM_KEY") or os.environ.get("CRM_KEY") or ""),
        extra={k: v for k, v in o.items() if k.isupper()},
    )
