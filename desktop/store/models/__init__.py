"""All mapped classes, imported here so that ``Base.metadata`` knows every table."""

from desktop.store.models.accounts import AuditEvent, Profile, Role, User
from desktop.store.models.base import Base

__all__ = ["AuditEvent", "Base", "Profile", "Role", "User"]
