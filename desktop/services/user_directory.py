"""The users a sign-in screen may offer to pick from, like an OS login screen does.

Only login and display name: nothing that needs a sign-in to see.
"""

from __future__ import annotations

from sqlalchemy import select

from desktop.services.accounts import UserInfo
from desktop.services.authorization import without_actor
from desktop.store.models import User
from desktop.store.session import SessionFactory, unit_of_work


@without_actor("the sign-in screen's list of logins and names, shown before anyone signs in")
def list_users(session_factory: SessionFactory) -> list[UserInfo]:
    with unit_of_work(session_factory) as session:
        rows = session.execute(select(User.id, User.login, User.display_name).order_by(User.login))
        return [UserInfo(row.id, row.login, row.display_name) for row in rows]
