"""Writing mail as the right profile: start, answer, forward, change From, build, drafts.

Every entry point takes the signed-in user and passes the gate (``send own mail`` for the active
role); a profile or message id from outside must be the user's own. Answers are from the profile
that received the original, whichever profile is active (``desktop.core.compose.identity``),
and a draft moved to another organization's profile is built only once the person confirmed
the warning that names both. The records are in ``desktop.services.mail.draft``.

API (``composer = services.composer``)::

    composer.new_message(actor, profile_id=None) -> Draft           # None: the active profile
    composer.reply(actor, message_id, *, reply_all=False) -> Draft
    composer.forward(actor, message_id, *, as_attachment=False) -> Draft
    composer.change_from(actor, draft, profile_id) -> FromChange     # .warning, .confirmed()
    composer.build(actor, draft) -> OutgoingMessage                  # no Bcc header; envelope
    composer.save_draft(actor, draft) -> DraftSummary
    composer.list_drafts(actor, profile_id=None) -> list[DraftSummary]
    composer.open_draft(actor, key) -> Draft
    composer.delete_draft(actor, key) -> bool
    composer.signature(actor, profile_id) -> str
    composer.set_signature(actor, profile_id, text) -> None
    composer.complete_addresses(actor, prefix, limit=10) -> list[KnownRecipient]
"""

from __future__ import annotations

from dataclasses import replace
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.core.compose import quoting
from desktop.core.compose.identity import Kind, organization_warning, sender_profile_id
from desktop.core.compose.recipients import (
    Recipients,
    mailboxes,
    reply_all_recipients,
    reply_recipients,
)
from desktop.core.compose.subject import forward_subject, reply_subject
from desktop.core.compose.thread_headers import reply_thread
from desktop.core.roles import Action
from desktop.services.audit_events import add_event
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import NotFoundError
from desktop.services.mail import address_book, drafts
from desktop.services.mail.building import build_outgoing
from desktop.services.mail.draft import (
    RFC822,
    CrossOrganizationError,
    Draft,
    DraftAttachment,
    DraftSummary,
    FromChange,
    KnownRecipient,
    OutgoingMessage,
    new_key,
)
from desktop.services.mail.originals import (
    Original,
    load_original,
    original_attachments,
    rebuilt,
    user_profiles,
)
from desktop.store.models import Signature
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, read_only, unit_of_work
from desktop.store.side_writes import QUICK_LOCK_WAIT, is_busy

SEND = Action.SEND_OWN_MAIL


class Composer:
    def __init__(self, session_factory: SessionFactory, authorizer: Authorizer) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer

    @gated(SEND, profile="profile_id", target="new message")
    def new_message(self, actor: SignedInUser, profile_id: int | None = None) -> Draft:
        """A blank message from ``profile_id``, or from the active profile, with its signature."""
        chosen = sender_profile_id(
            Kind.NEW,
            active_profile_id=profile_id or actor.active_profile_id,
            original_profile_id=None,
        )
        with read_only(self._session_factory) as session:
            signature = _signature(session, chosen)
        return Draft(new_key(), Kind.NEW, chosen, body=quoting.new_body(signature))

    @gated(SEND, target="message {message_id}")
    def reply(self, actor: SignedInUser, message_id: int, *, reply_all: bool = False) -> Draft:
        """An answer from the profile that received the message, quoting it under the signature.

        Reply-all leaves out every address of every profile of the user.
        """
        kind = Kind.REPLY_ALL if reply_all else Kind.REPLY
        with read_only(self._session_factory) as session:
            original = self._original(session, actor, message_id)
            own = user_profiles(session, actor.user_id).addresses
            from_id = self._sender(kind, actor, original)
            signature = _signature(session, from_id)
        recipients: Recipients
        if reply_all:
            recipients = reply_all_recipients(
                original.sender, original.reply_to, original.to, original.cc, own
            )
        else:
            recipients = reply_recipients(original.sender, original.reply_to, original.to, own)
        thread = reply_thread(original.message_id, original.references)
        body = quoting.reply_body(
            original.readable_text, original.date.astimezone(), _name(original.sender), signature
        )
        return Draft(
            new_key(),
            kind,
            from_id,
            to=recipients.to,
            cc=recipients.cc,
            subject=reply_subject(original.subject),
            body=body,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            original_message_id=original.id,
            origin_profile_id=original.profile_id,
        )

    @gated(SEND, target="message {message_id}")
    def forward(
        self, actor: SignedInUser, message_id: int, *, as_attachment: bool = False
    ) -> Draft:
        """The message passed on from the profile that received it, with its attachments.

        Inline: its text under a block of its headers, its attachments attached again. As an
        attachment: the whole message as one ``message/rfc822`` part (see ``originals``).
        """
        kind = Kind.FORWARD_AS_ATTACHMENT if as_attachment else Kind.FORWARD
        with read_only(self._session_factory) as session:
            original = self._original(session, actor, message_id)
            from_id = self._sender(kind, actor, original)
            signature = _signature(session, from_id)
            files = original_attachments(session, original.id)
        if as_attachment:
            name = f"{' '.join(original.subject.split()) or 'Forwarded message'}.eml"
            attachments: tuple[DraftAttachment, ...] = (
                DraftAttachment(name.replace("/", "-"), RFC822, rebuilt(original, files)),
            )
            body = quoting.new_body(signature)
        else:
            attachments = files
            body = quoting.forward_body(
                _forwarded_headers(original), original.readable_text, signature
            )
        return Draft(
            new_key(),
            kind,
            from_id,
            subject=forward_subject(original.subject),
            body=body,
            attachments=attachments,
            original_message_id=original.id,
            origin_profile_id=original.profile_id,
        )

    @gated(SEND, profile="profile_id")
    def change_from(self, actor: SignedInUser, draft: Draft, profile_id: int) -> FromChange:
        """The draft from another of the user's profiles, its signature swapped with it.

        ``warning`` is set when the new profile is of another organization than the profile
        that received the original; the draft then needs :meth:`FromChange.confirmed` before
        :meth:`build` accepts it.
        """
        with read_only(self._session_factory) as session:
            profiles = user_profiles(session, actor.user_id).profiles
            old_signature = _signature(session, draft.from_profile_id)
            new_signature = _signature(session, profile_id)
        origin = profiles.get(draft.origin_profile_id) if draft.origin_profile_id else None
        warning = organization_warning(origin, profiles[profile_id])
        changed = replace(
            draft,
            from_profile_id=profile_id,
            body=quoting.swap_signature(draft.body, old_signature, new_signature),
            organization_confirmed=False,
        )
        return FromChange(changed, warning)

    @gated(SEND, target="message to send")
    def build(self, actor: SignedInUser, draft: Draft) -> OutgoingMessage:
        """The message to queue: addresses checked, Bcc only in the envelope.

        Raises :class:`InvalidAddressError` (every bad address named), :class:`NoRecipientError`,
        or :class:`CrossOrganizationError` for an unconfirmed change of organization.
        """
        self._authorizer.require_profile(actor, draft.from_profile_id, SEND)
        with read_only(self._session_factory) as session:
            people = user_profiles(session, actor.user_id)
        sender = people.profiles[draft.from_profile_id]
        origin = people.profiles.get(draft.origin_profile_id) if draft.origin_profile_id else None
        warning = organization_warning(origin, sender)
        if warning is not None and not draft.organization_confirmed:
            raise CrossOrganizationError(warning)
        return build_outgoing(draft, sender, people.display_name)

    @gated(SEND, target="draft")
    def save_draft(self, actor: SignedInUser, draft: Draft) -> DraftSummary:
        """Insert or update the draft, committed at once; an unchanged draft writes nothing."""
        self._authorizer.require_profile(actor, draft.from_profile_id, SEND)
        with unit_of_work(self._session_factory) as session:
            return drafts.save(session, actor.user_id, draft)

    @gated(SEND, profile="profile_id", target="drafts")
    def list_drafts(self, actor: SignedInUser, profile_id: int | None = None) -> list[DraftSummary]:
        """The user's drafts, of one profile or of all, the most recently saved first."""
        with read_only(self._session_factory) as session:
            return drafts.listed(session, actor.user_id, profile_id)

    @gated(SEND, target="draft")
    def open_draft(self, actor: SignedInUser, key: str) -> Draft:
        """The draft as last saved: From, recipients, body, attachments, what it answers."""
        with read_only(self._session_factory) as session:
            return drafts.reopened(session, actor.user_id, key)

    @gated(SEND, target="draft")
    def delete_draft(self, actor: SignedInUser, key: str) -> bool:
        """Remove a draft (once sent, or discarded); False when it was already gone."""
        with unit_of_work(self._session_factory) as session:
            return drafts.deleted(session, actor.user_id, key)

    @gated(SEND, profile="profile_id")
    def signature(self, actor: SignedInUser, profile_id: int) -> str:
        with read_only(self._session_factory) as session:
            return _signature(session, profile_id)

    @gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
    def set_signature(self, actor: SignedInUser, profile_id: int, text: str) -> None:
        """Store the profile's signature (empty: none); new messages and answers then carry it."""
        with unit_of_work(self._session_factory) as session:
            row = session.get(Signature, profile_id)
            if row is None:
                row = Signature(profile_id=profile_id)
                session.add(row)
            row.text = text.replace("\r\n", "\n").strip("\n")
            row.updated_at = utcnow()
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action="set signature",
                target=f"profile {profile_id}",
            )

    @gated(SEND, target="address completion")
    def complete_addresses(
        self, actor: SignedInUser, prefix: str, limit: int = address_book.DEFAULT_COMPLETIONS
    ) -> list[KnownRecipient]:
        """Addresses from the user's mail whose address or name starts with ``prefix``.

        Mail stored since the last call is counted in first, unless another writer holds the
        store: then the answer comes at once from what was counted before.
        """
        with read_only(self._session_factory) as session:
            if not address_book.is_behind(session, actor.user_id):
                return address_book.matching(session, actor.user_id, prefix, limit)
        try:
            with unit_of_work(self._session_factory, lock_wait=QUICK_LOCK_WAIT) as session:
                address_book.bring_up_to_date(session, actor.user_id)
                return address_book.matching(session, actor.user_id, prefix, limit)
        except OperationalError as error:
            if not is_busy(error):
                raise
        with read_only(self._session_factory) as session:
            return address_book.matching(session, actor.user_id, prefix, limit)

    @staticmethod
    def _original(session: Session, actor: SignedInUser, message_id: int) -> Original:
        original = load_original(session, actor.user_id, message_id)
        if original is None:
            raise NotFoundError(f"There is no message {message_id}.")
        return original

    @staticmethod
    def _sender(kind: Kind, actor: SignedInUser, original: Original) -> int:
        return sender_profile_id(
            kind, active_profile_id=actor.active_profile_id, original_profile_id=original.profile_id
        )


def _signature(session: Session, profile_id: int) -> str:
    return session.scalar(select(Signature.text).where(Signature.profile_id == profile_id)) or ""


def _name(sender: str) -> str:
    found = mailboxes(sender)
    if not found:
        return sender or "someone"
    return found[0].name or found[0].address


def _forwarded_headers(original: Original) -> list[tuple[str, str]]:
    return [
        ("Subject", original.subject),
        ("Date", format_datetime(original.date.astimezone())),
        ("From", original.sender),
        ("Reply-To", original.reply_to),
        ("To", original.to),
        ("Cc", original.cc),
    ]
