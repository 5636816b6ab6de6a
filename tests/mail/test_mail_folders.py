"""Every server folder against a real Dovecot: roles, subscriptions, folders created, renamed and
deleted on the server, and the unified views over two profiles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from mail_helpers import (
    PASSWORD,
    MailAccount,
    Passwords,
    actor_of,
    configure_server,
    server_client,
    simple_message,
    sync_profile,
)
from sqlalchemy import select

from desktop.core.folders import FolderRole
from desktop.core.mail_views import INBOX_VIEW, MailView
from desktop.services.authorization import Authorizer
from desktop.services.mail.folder_tree import ProfileFolders, unified_unread
from desktop.services.mail.mailbox import Mailbox
from desktop.store.models import MailSyncState, Message
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap


@pytest.fixture(scope="module")
def unmarked_dovecot() -> Iterator[Dovecot]:
    """A server that marks no folder with SPECIAL-USE, as many older ones do."""
    server = Dovecot(MAIL_SERVER_PASSWORD, special_use=False)
    server.start()
    yield server
    server.destroy()


def mailbox(session_factory: SessionFactory) -> Mailbox:
    return Mailbox(session_factory, Authorizer(session_factory))


def tree_of(session_factory: SessionFactory, profile_id: int) -> ProfileFolders:
    [profile] = mailbox(session_factory).folder_tree(actor_of(session_factory, profile_id))
    return profile


def create(dovecot: Dovecot, login: str, *names: str, subscribe: bool = True) -> None:
    options = ["-s"] if subscribe else []
    dovecot.doveadm("mailbox", "create", *options, "-u", login, *names)


def append(dovecot: Dovecot, login: str, folder: str, *subjects: str) -> None:
    with server_client(dovecot, login) as client:
        for number, subject in enumerate(subjects):
            client.append(folder, simple_message(number, subject=subject))


def folder_of(session_factory: SessionFactory, profile_id: int) -> dict[str, str]:
    with unit_of_work(session_factory) as session:
        return dict(
            session.execute(
                select(Message.subject, Message.folder).where(Message.profile_id == profile_id)
            ).all()
        )


def test_folders_are_listed_with_their_roles_and_only_subscribed_ones_are_synced(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    create(dovecot, account.login, "Sent", "Trash", "Work", "Work.Clinic")
    create(dovecot, account.login, "Old", subscribe=False)
    dovecot.deliver(account.login, [simple_message(1, subject="Hello")])
    append(dovecot, account.login, "Work.Clinic", "Rota")
    append(dovecot, account.login, "Old", "Forgotten")
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.folders == 5  # INBOX, Sent, Trash, Work, Work.Clinic; not Old
    folders = {f.name: f for f in tree_of(session_factory, account.profile_id).folders}
    assert {name: f.role for name, f in folders.items()} == {
        "INBOX": FolderRole.INBOX,
        "Sent": FolderRole.SENT,
        "Trash": FolderRole.TRASH,
        "Work": FolderRole.PLAIN,
        "Work.Clinic": FolderRole.PLAIN,
        "Old": FolderRole.PLAIN,
    }
    assert not folders["Old"].subscribed
    assert folders["Work"].subscribed
    assert folders["Work.Clinic"].path == ("Work", "Clinic")
    assert (folders["Work.Clinic"].total, folders["Work.Clinic"].unread) == (1, 1)
    assert (folders["Old"].total, folders["INBOX"].total) == (0, 1)
    assert folder_of(session_factory, account.profile_id) == {
        "Hello": "INBOX",
        "Rota": "Work.Clinic",
    }


def test_a_server_that_marks_no_folder_gets_the_roles_by_their_names(
    unmarked_dovecot: Dovecot, session_factory: SessionFactory, profile_id: int
) -> None:
    login = unmarked_dovecot.add_user()
    configure_server(session_factory, profile_id, unmarked_dovecot, login)
    create(unmarked_dovecot, login, "Sent Items", "Deleted Items", "Spam", "Projects")
    with server_client(unmarked_dovecot, login) as client:
        assert all(b"\\Sent" not in flags for flags, _d, _n in client.list_folders())
    sync_profile(session_factory, profile_id, Passwords({profile_id: PASSWORD}))
    roles = {f.name: f.role for f in tree_of(session_factory, profile_id).folders}
    assert roles == {
        "INBOX": FolderRole.INBOX,
        "Sent Items": FolderRole.SENT,
        "Deleted Items": FolderRole.TRASH,
        "Spam": FolderRole.JUNK,
        "Projects": FolderRole.PLAIN,
    }


def test_folders_created_renamed_and_deleted_on_the_server_follow(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    sync_profile(session_factory, account.profile_id, account.passwords)
    create(dovecot, account.login, "Projects")
    append(dovecot, account.login, "Projects", "Plan A", "Plan B")
    assert sync_profile(session_factory, account.profile_id, account.passwords).new == 2
    dovecot.doveadm("mailbox", "rename", "-s", "-u", account.login, "Projects", "Done")
    renamed = sync_profile(session_factory, account.profile_id, account.passwords)
    assert (renamed.new, renamed.removed) == (0, 0)  # moved, not fetched again
    assert folder_of(session_factory, account.profile_id) == {"Plan A": "Done", "Plan B": "Done"}
    names = [f.name for f in tree_of(session_factory, account.profile_id).folders]
    assert names == ["INBOX", "Done"]
    dovecot.doveadm("mailbox", "delete", "-u", account.login, "Done")
    sync_profile(session_factory, account.profile_id, account.passwords)
    assert folder_of(session_factory, account.profile_id) == {}
    assert [f.name for f in tree_of(session_factory, account.profile_id).folders] == ["INBOX"]
    with unit_of_work(session_factory) as session:
        assert list(session.scalars(select(MailSyncState.folder))) == ["INBOX"]


def test_the_unified_sent_view_holds_each_profiles_sent_mail_and_the_inbox_none(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    second_profile_id: int,
) -> None:
    second = dovecot.add_user()
    configure_server(session_factory, second_profile_id, dovecot, second)
    passwords = Passwords({account.profile_id: PASSWORD, second_profile_id: PASSWORD})
    for login, name in ((account.login, "clinic"), (second, "hospital")):
        create(dovecot, login, "Sent", "Trash")
        dovecot.deliver(login, [simple_message(1, subject=f"To {name}")])
        append(dovecot, login, "Sent", f"From {name}")
        append(dovecot, login, "Trash", f"Thrown away at {name}")
    for profile_id in (account.profile_id, second_profile_id):
        sync_profile(session_factory, profile_id, passwords)
    actor = actor_of(session_factory, account.profile_id)
    box = mailbox(session_factory)

    def subjects(view: MailView) -> set[str]:
        return {row.subject for row in box.page(actor, view=view)}

    assert subjects(MailView(FolderRole.SENT)) == {"From clinic", "From hospital"}
    assert subjects(INBOX_VIEW) == {"To clinic", "To hospital"}
    assert subjects(MailView(FolderRole.TRASH)) == {
        "Thrown away at clinic",
        "Thrown away at hospital",
    }
    assert box.count(actor, view=MailView(FolderRole.SENT)) == 2
    assert subjects(MailView.of_folder(second_profile_id, "Sent")) == {"From hospital"}
    unread = unified_unread(box.folder_tree(actor))
    assert (unread[FolderRole.INBOX], unread[FolderRole.SENT], unread[FolderRole.DRAFTS]) == (
        2,
        2,
        0,
    )
