"""Initial schema: the list store's tables and the service's records.

The list store's tables are created only when missing: stores made before
migrations existed (by ``metadata.create_all`` in :class:`redline.store.Store`)
are adopted as they are, and keep their data.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.String(32)

_REFUSE = "audit_log is append-only: UPDATE, DELETE and TRUNCATE are refused"


def upgrade() -> None:
    _store_tables()
    _service_tables()
    _audit_triggers()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS redline_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for table in ("suppressions", "alert_decisions", "alerts", "audit_log", "api_keys", "users"):
        op.drop_table(table)
    # The list store's tables are left alone: they hold the lists, and predate migrations.


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _store_tables() -> None:
    """As :mod:`redline.store.schema` defined them when migrations began (frozen here)."""
    if _missing("source_version"):
        op.create_table(
            "source_version",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("source", sa.String(64), nullable=False, index=True),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("published", sa.String(10), nullable=True),
            sa.Column("published_basis", sa.String(16), nullable=False),
            sa.Column("files", sa.JSON, nullable=False),
            sa.Column("origin", sa.Text, nullable=False),
            sa.Column("counts", sa.JSON, nullable=False),
            sa.Column("entity_count", sa.Integer, nullable=False),
            sa.Column("target_count", sa.Integer, nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index(
            "ix_source_version_source_seq", "source_version", ["source", "seq"], unique=True
        )
    if _missing("entity"):
        op.create_table(
            "entity",
            sa.Column(
                "version_id", sa.Integer, sa.ForeignKey("source_version.id"), primary_key=True
            ),
            sa.Column("entity_id", sa.String(255), primary_key=True),
            sa.Column("schema", sa.String(64), nullable=False),
            sa.Column("source_id", sa.String(255), nullable=True),
            sa.Column("is_target", sa.Boolean, nullable=False),
            sa.Column("caption", sa.Text, nullable=False),
            sa.Column("data", sa.JSON, nullable=False),
        )
        op.create_index("ix_entity_entity_id", "entity", ["entity_id"])
    if _missing("active_version"):
        op.create_table(
            "active_version",
            sa.Column("source", sa.String(64), primary_key=True),
            sa.Column("version_id", sa.Integer, sa.ForeignKey("source_version.id"), nullable=False),
            sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing("load_attempt"):
        op.create_table(
            "load_attempt",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("source", sa.String(64), nullable=False),
            sa.Column("sha256", sa.String(64), nullable=True),
            sa.Column("origin", sa.Text, nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.Column("version_id", sa.Integer, nullable=True),
            sa.Column("message", sa.Text, nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        )


def _service_tables() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), sa.ForeignKey("users.username"), nullable=True),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", _TS, nullable=False, index=True),
        sa.Column("event", sa.String(64), nullable=False, index=True),
        sa.Column("actor_id", sa.String(128), nullable=True),
        sa.Column("actor_name", sa.String(128), nullable=True),
        sa.Column("actor_role", sa.String(16), nullable=True),
        sa.Column("actor_kind", sa.String(8), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", _TS, nullable=False, index=True),
        sa.Column("status", sa.String(24), nullable=False, index=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("query_name", sa.Text, nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("source", sa.String(64), nullable=False, index=True),
        sa.Column("list_version", sa.Integer, nullable=True),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("matched_name", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(32), nullable=False, index=True),
        sa.Column("entity_hash", sa.String(64), nullable=True),
        sa.Column("entity_changed", sa.Boolean, nullable=False),
        sa.Column("raised_by", sa.String(128), nullable=False),
        sa.Column("resolution", sa.String(24), nullable=True),
        sa.Column("pending_decision", sa.String(24), nullable=True),
        sa.Column("pending_reason", sa.Text, nullable=True),
        sa.Column("pending_by", sa.String(128), nullable=True),
        sa.Column("pending_person", sa.String(128), nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_alerts_party_entity", "alerts", ["party_key", "entity_id"])
    op.create_table(
        "alert_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False, index=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(24), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("actor_name", sa.String(128), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_kind", sa.String(8), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=False),
        sa.Column("to_status", sa.String(24), nullable=False),
    )
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("entity_hash", sa.String(64), nullable=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_index("ix_suppressions_party_entity", "suppressions", ["party_key", "entity_id"])


def _audit_triggers() -> None:
    """The database itself refuses to change or remove audit records."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION redline_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN RAISE EXCEPTION '{_REFUSE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION redline_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
            " FOR EACH STATEMENT EXECUTE FUNCTION redline_audit_append_only()"
        )
    else:
        for name, operation in (("no_update", "UPDATE"), ("no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER audit_log_{name} BEFORE {operation} ON audit_log"
                f" BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
            )
