"""oauth: a profile signs in to its servers with a password or with OAuth2

Adds ``profiles.auth_method`` ("password", the default for every existing profile, or
"oauth2") and the provider an OAuth2 profile signs in with: ``oauth_provider`` (a preset name
or an issuer URL), ``oauth_tenant`` (Microsoft's directory) and ``oauth_client_id``. No token is
ever stored here: the refresh token lives in the keyring, the access token in memory.

Revision ID: 0121
Revises: 0120
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0121"
down_revision = "0120"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "profiles",
        sa.Column("auth_method", sa.String(length=16), nullable=False, server_default="password"),
    )
    op.add_column("profiles", sa.Column("oauth_provider", sa.String(length=2048), nullable=True))
    op.add_column("profiles", sa.Column("oauth_tenant", sa.String(length=200), nullable=True))
    op.add_column("profiles", sa.Column("oauth_client_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("oauth_client_id")
        batch.drop_column("oauth_tenant")
        batch.drop_column("oauth_provider")
        batch.drop_column("auth_method")
