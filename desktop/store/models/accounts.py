"""The person (User), their accounts (Profile), what happened (AuditEvent), remembered sign-ins.

Mail and activity hang off a Profile, never directly off a User: one person's hospital account
and clinic account must stay apart even though the same person signs in once for both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.core.roles import Role
from desktop.store.models.base import Base, UTCDateTime, utcnow

__all__ = ["AuditEvent", "Profile", "RememberedSignIn", "Role", "User"]

COLOUR_LENGTH = 7
"""``#rrggbb``: migration 0103 narrowed the column to this after checking no value was longer."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sign_in_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    profiles: Mapped[list[Profile]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Profile.id"
    )


class Profile(Base):
    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str] = mapped_column(String(64), default="")
    colour: Mapped[str] = mapped_column(String(COLOUR_LENGTH), default="#3b82f6")
    support_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    imap_host: Mapped[str | None] = mapped_column(String(255), default=None)
    imap_port: Mapped[int | None] = mapped_column(Integer, default=None)
    imap_security: Mapped[str] = mapped_column(String(16), default="ssl")
    imap_user: Mapped[str | None] = mapped_column(String(320), default=None)
    ca_file: Mapped[str | None] = mapped_column(Text, default=None)
    # "password" or "oauth2" (migration 0121); an OAuth2 profile names its provider: a preset
    # ("microsoft", "google") or an issuer URL. Its tokens are never here (keyring, memory).
    auth_method: Mapped[str] = mapped_column(
        String(16), default="password", server_default="password"
    )
    oauth_provider: Mapped[str | None] = mapped_column(String(2048), default=None)
    oauth_tenant: Mapped[str | None] = mapped_column(String(200), default=None)
    oauth_client_id: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="profiles")


class RememberedSignIn(Base):
    """A "remember me" grant: only the token's hash is here, the token itself is in the keyring.

    One row per machine that remembers the user, so that a shared PostgreSQL directory can
    remember the same person on two desks and signing out on one forgets only that one.
    """

    __tablename__ = "remembered_sign_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """One thing a user did or had done for them. Never message content, never a secret."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(32))
