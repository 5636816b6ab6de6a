"""Copying messages into a folder of another of the user's profiles, once the person said yes.

A message never *moves* across profiles: each profile is an account at another organization, and
mail about patients must not leave one employer's account for another's unnoticed. So across
profiles a move is a copy, and only after the person confirmed a question that names both
organizations and both addresses (:attr:`CopyPlan.question`); :meth:`ProfileCopy.copy_to_profile`
refuses without ``confirmed`` (:class:`ConfirmationNeededError`), so neither the window nor the
command line can skip it.

Local first, as every mail action: in one transaction with the audit entry, each copy becomes a
new row of the target profile in the chosen folder (the source row is not touched) and an
APPEND row of :class:`~desktop.store.models.MailAction` for the target profile's queue
(:mod:`desktop.services.mail.copy_append` runs it). Until the server has the copy its row has
UID 0 and no UIDVALIDITY, what :class:`~desktop.services.mail.action_plan.Row` calls pending: a
move, delete or flag change of the copy made meanwhile waits for the APPEND and follows it.

The store keeps no raw bytes of mail it could parse, so the copy is the message rebuilt from
what is stored (:func:`~desktop.services.mail.originals.rebuilt`): its headers the store never
kept (Received, DKIM signatures) are not in the copy, and a message fetched with its headers only
cannot be copied until its body is here. Of the flags, the store keeps seen and flagged; the
copy has those (never ``\\Deleted``). A copy always has a Message-ID (one is added to a message
without), because that is how a restart finds an APPEND that reached the server before the app
could record it, so that nothing is appended twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.utils import make_msgid

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import AccountError, NotFoundError
from desktop.services.mail.action_audit import COPY_MAIL, audit_action, count_words
from desktop.services.mail.action_plan import Row, folder_role, owned_rows, refuse_unowned
from desktop.services.mail.actions import ActionResult, ConfirmationNeededError
from desktop.services.mail.copy_append import PENDING_UID, message_id_of
from desktop.services.mail.draft import DraftAttachment
from desktop.services.mail.originals import Original, load_original, original_attachments, rebuilt
from desktop.services.mail.parse import parse_message
from desktop.services.mail.storing import Placement, stored_rows
from desktop.services.mail.sync_owner import MailSync
from desktop.store.models import MailAction, Message, Profile
from desktop.store.models.mail_actions import APPEND
from desktop.store.session import SessionFactory, read_only, unit_of_work

INBOX = "INBOX"


@dataclass(frozen=True)
class CopySide:
    """One end of a copy: whose account it is, as the person knows it."""

    profile_id: int
    organization: str
    email: str

    @property
    def words(self) -> str:
        return f"{self.organization} ({self.email})"


@dataclass(frozen=True)
class CopyPlan:
    """What a copy would do, for the question asked before it: how many, from whom, to whom."""

    count: int
    sources: tuple[CopySide, ...]
    target: CopySide
    folder: str

    @property
    def question(self) -> str:
        sources = " and ".join(side.words for side in self.sources)
        return (
            f"Copy {count_words(self.count)} from {sources} to {self.target.words}? "
            f"The copies go to its folder {self.folder}; the messages stay where they are."
        )


class ProfileCopy:
    def __init__(
        self, session_factory: SessionFactory, authorizer: Authorizer, mail_sync: MailSync
    ) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer
        self._mail_sync = mail_sync

    @gated(Action.READ_OWN_MAIL, profile="target_profile_id")
    def copy_plan(
        self,
        actor: SignedInUser,
        message_ids: Sequence[int],
        target_profile_id: int,
        folder: str = INBOX,
    ) -> CopyPlan:
        """The question to ask, once every check has passed (so a "yes" is never refused)."""
        return self._checked(actor, message_ids, target_profile_id, folder)

    @gated(Action.READ_OWN_MAIL, profile="target_profile_id")
    def copy_to_profile(
        self,
        actor: SignedInUser,
        message_ids: Sequence[int],
        target_profile_id: int,
        folder: str = INBOX,
        *,
        confirmed: bool = False,
    ) -> ActionResult:
        """Copy the messages into ``folder`` of the target profile; its queue tells its server.

        Without ``confirmed`` nothing is copied: :class:`ConfirmationNeededError` carries the
        question (:attr:`CopyPlan.question`) the person must answer first.
        """
        plan = self._checked(actor, message_ids, target_profile_id, folder)
        if not confirmed:
            raise ConfirmationNeededError(f"{plan.question} Confirm to copy them.")
        batch = uuid.uuid4().hex
        with unit_of_work(self._session_factory) as session:
            plan, rows = _plan(session, actor.user_id, message_ids, target_profile_id, folder)
            actions = [
                {
                    "profile_id": target_profile_id,
                    "user_id": actor.user_id,
                    "batch": batch,
                    "kind": APPEND,
                    "message_id": _copy_row(session, actor.user_id, row, plan),
                    "folder": folder,
                    "uidvalidity": 0,
                    "uid": 0,
                    "after": None,
                    "target": folder,
                }
                for row in rows
            ]
            session.execute(insert(MailAction), actions)
            where = f"{folder} of {plan.target.words}"
            audit_action(
                session, actor, COPY_MAIL, rows, {s.profile_id: where for s in plan.sources}
            )
        self._mail_sync.apply_actions(actor, target_profile_id)
        return ActionResult(len(actions), (target_profile_id,))

    def _checked(
        self, actor: SignedInUser, message_ids: Sequence[int], target_id: int, folder: str
    ) -> CopyPlan:
        """Every check, in reads of their own before any write (see ``refuse_unowned``)."""
        refuse_unowned(self._session_factory, self._authorizer, actor, message_ids)
        with read_only(self._session_factory) as session:
            return _plan(session, actor.user_id, message_ids, target_id, folder)[0]


def _plan(
    session: Session, user_id: int, message_ids: Sequence[int], target_id: int, folder: str
) -> tuple[CopyPlan, list[Row]]:
    """The checks of a copy, each refusal in words that say what to do instead."""
    sides = {
        row.id: CopySide(row.id, row.organization, row.email)
        for row in session.execute(
            select(Profile.id, Profile.organization, Profile.email).where(
                Profile.user_id == user_id
            )
        )
    }
    target = sides[target_id]
    rows = owned_rows(session, user_id, message_ids, lock=False)
    if not rows:
        raise AccountError("Choose the messages to copy.")
    here = [row.id for row in rows if row.profile_id == target_id]
    if here:
        raise AccountError(
            f"{_named(here)} already in {target.words}: within one profile a message is moved, "
            "not copied. Nothing was copied."
        )
    server = session.scalar(select(Profile.imap_host).where(Profile.id == target_id))
    if not server:
        raise AccountError(
            f"{target.words} has no mail server set up, so a copy could not be kept there. "
            "Set up its server first."
        )
    if folder_role(session, target_id, folder) is None:
        raise NotFoundError(
            f"There is no folder named {folder!r} in {target.words}. Sync it to fetch its folders."
        )
    partial = session.scalars(
        select(Message.id).where(
            Message.id.in_([row.id for row in rows]), Message.body_loaded.is_(False)
        )
    ).all()
    if partial:
        raise AccountError(
            f"Only the headers of message {min(partial)} are stored here, not the message "
            "itself, so it cannot be copied yet. Sync its profile, then copy it again."
        )
    sources = tuple(sides[pid] for pid in sorted({row.profile_id for row in rows}))
    return CopyPlan(len(rows), sources, target, folder), rows


def _named(message_ids: list[int]) -> str:
    if len(message_ids) == 1:
        return f"Message {message_ids[0]} is"
    return f"Messages {', '.join(map(str, message_ids))} are"


def _copy_row(session: Session, user_id: int, row: Row, plan: CopyPlan) -> int:
    """The copy as a new row of the target profile, pending until the server has it.

    One insert per copy: the writer tells the rows of a batch apart by their server identity,
    which copies do not have yet.
    """
    original = load_original(session, user_id, row.id)
    assert original is not None  # owned_rows found it in this transaction
    seen, flagged = session.execute(
        select(Message.seen, Message.flagged).where(Message.id == row.id)
    ).one()
    domain = plan.target.email.rpartition("@")[2] or None
    data = _copy_bytes(original, original_attachments(session, row.id), domain)
    placement = Placement(plan.folder, None, PENDING_UID, seen=seen, flagged=flagged)
    [(_position, copy_id)] = stored_rows(
        session, plan.target.profile_id, [(parse_message(data, original.date), placement)]
    )
    return copy_id


def _copy_bytes(
    original: Original, attachments: tuple[DraftAttachment, ...], domain: str | None
) -> bytes:
    if original.raw is None and not original.message_id:
        original = replace(original, message_id=make_msgid(domain=domain))
    data = rebuilt(original, attachments)
    if message_id_of(data) is None:  # the bytes kept of mail that could not be parsed
        data = f"Message-ID: {make_msgid(domain=domain)}\n".encode() + data
    return data
