"""Grouping mail into conversations: Jamie Zawinski's threading algorithm (jwz.org/doc/threading).

References (or a lone In-Reply-To) link each message to its ancestors; the links build a forest of
containers, some of them empty ("phantoms": a parent that was referenced but never arrived), and
each tree is one conversation. Mail in the wild breaks the rules, so every step is defensive:

* a link that would close a cycle is not made (A says B is its parent, B says A is);
* a message's own last reference wins over what other messages said its parent was;
* a Message-ID seen twice (the same mail in two folders, or a broken client) keeps the first
  holder, and the later one gets a container of its own, linked by its own references;
* a message without a Message-ID is a tree of its own unless its references place it.

Subjects are only a fallback, and narrower than in JWZ's paper: a tree whose top message is a
reply (a "Re:" subject, or references to mail that never arrived) joins the tree of the same
subject key whose top is not a reply, the latest one dated at or before it (or the earliest, if
all are later); reply trees with no such partner join each other. Two unrelated messages that
both happen to be called "Meeting" therefore stay apart.

The result depends only on the set of messages, never on their order, so the store can regroup
just the conversations a new message touches and agree with a grouping of everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.compose.thread_headers import message_ids
from desktop.core.subjects import subject_key


@dataclass(frozen=True, slots=True)
class Envelope:
    """What threading reads of one message; ``key`` is the caller's handle (a row id)."""

    key: int
    message_id: str | None
    references: str
    subject: str
    date: datetime


@dataclass(frozen=True, slots=True)
class Conversation:
    """One thread: its messages (keys, oldest first), the message whose subject it shows, the
    subject key it goes by, and every Message-ID it holds or references (phantoms included)."""

    keys: tuple[int, ...]
    top: Envelope
    subject_key: str
    mentioned: frozenset[str]


@dataclass(eq=False)
class _Container:
    message_id: str
    envelope: Envelope | None = None
    parent: _Container | None = None
    children: list[_Container] = field(default_factory=list)

    def is_ancestor_of(self, other: _Container) -> bool:
        walker: _Container | None = other
        while walker is not None:
            if walker is self:
                return True
            walker = walker.parent
        return False

    def adopt(self, child: _Container) -> None:
        if child.parent is not None:
            child.parent.children.remove(child)
        child.parent = self
        self.children.append(child)

    def orphan(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None


def _order(envelope: Envelope) -> tuple[datetime, int]:
    return (envelope.date, envelope.key)


def own_id(message_id: str | None) -> str | None:
    """A Message-ID as threading compares it: the first ``<...>`` token, or None."""
    found = message_ids(message_id or "")
    return found[0] if found else None


def _link(envelopes: Sequence[Envelope]) -> dict[str, _Container]:
    """Step 1 of JWZ: one container per Message-ID, each message under its last reference."""
    table: dict[str, _Container] = {}

    def container(message_id: str) -> _Container:
        found = table.get(message_id)
        if found is None:
            found = table[message_id] = _Container(message_id)
        return found

    for envelope in sorted(envelopes, key=_order):
        message_id = own_id(envelope.message_id)
        holder = table.get(message_id) if message_id is not None else None
        if message_id is None or (holder is not None and holder.envelope is not None):
            message_id = f"\0{envelope.key}"  # no ID, or a duplicate: a container of its own
        else:
            holder = None
        this = container(message_id)
        this.envelope = envelope
        parent: _Container | None = None
        for reference in message_ids(envelope.references):
            if reference == message_id:
                continue
            linked = container(reference)
            if parent is not None and linked.parent is None and not linked.is_ancestor_of(parent):
                parent.adopt(linked)
            parent = linked
        if parent is not None and not this.is_ancestor_of(parent):
            parent.adopt(this)
        elif parent is not None:
            this.orphan()  # its own references would close a cycle: it stands alone
        if this.parent is None and holder is not None:
            holder.adopt(this)  # a copy of a message (another folder) sits with the original
    return table


def _top(container: _Container) -> _Container:
    while container.parent is not None:
        container = container.parent
    return container


@dataclass
class _Tree:
    envelopes: list[Envelope]
    mentioned: set[str]
    top: Envelope
    is_reply: bool
    subject_key: str


def _trees(table: dict[str, _Container]) -> list[_Tree]:
    members: dict[int, tuple[_Container, list[Envelope], set[str]]] = {}
    for container in table.values():
        top = _top(container)
        _, envelopes, mentioned = members.setdefault(id(top), (top, [], set()))
        if not container.message_id.startswith("\0"):
            mentioned.add(container.message_id)
        if container.envelope is not None:
            envelopes.append(container.envelope)
    trees = []
    for top, envelopes, mentioned in members.values():
        if not envelopes:
            continue
        envelopes.sort(key=_order)
        shown = top.envelope or envelopes[0]
        key = subject_key(shown.subject)
        # A phantom at the top: its messages answer mail that never arrived.
        is_reply = top.envelope is None or key.is_reply
        trees.append(_Tree(envelopes, mentioned, shown, is_reply, key.key))
    return trees


def _partner(tree: _Tree, starters: list[_Tree], replies: list[_Tree]) -> _Tree:
    """The tree a reply tree joins: see the module's docstring."""
    if not starters:
        return replies[0]
    earlier = [starter for starter in starters if _order(starter.top) <= _order(tree.top)]
    return earlier[-1] if earlier else starters[0]


def _by_subject(trees: list[_Tree]) -> list[list[_Tree]]:
    """Step 5 of JWZ, for replies only: reply trees join their subject's tree."""
    groups: dict[int, list[_Tree]] = {id(tree): [tree] for tree in trees}
    by_key: dict[str, list[_Tree]] = {}
    for tree in trees:
        if tree.subject_key:
            by_key.setdefault(tree.subject_key, []).append(tree)
    for same in by_key.values():
        same.sort(key=lambda tree: _order(tree.top))
        starters = [tree for tree in same if not tree.is_reply]
        replies = [tree for tree in same if tree.is_reply]
        for tree in replies:
            partner = _partner(tree, starters, replies)
            if partner is not tree:
                groups[id(partner)].extend(groups.pop(id(tree)))
    return list(groups.values())


def conversations(envelopes: Iterable[Envelope]) -> list[Conversation]:
    """The conversations of ``envelopes``, newest last message first, each message in one."""
    trees = _trees(_link(list(envelopes)))
    ordered = []
    for group in _by_subject(trees):
        head = min(group, key=lambda tree: (tree.is_reply, _order(tree.top)))
        members = sorted((e for tree in group for e in tree.envelopes), key=_order)
        mentioned = frozenset(m for tree in group for m in tree.mentioned)
        conversation = Conversation(
            tuple(e.key for e in members), head.top, head.subject_key, mentioned
        )
        ordered.append((_order(members[-1]), conversation))
    ordered.sort(key=lambda pair: pair[0], reverse=True)
    return [conversation for _, conversation in ordered]
