"""View > Conversations: the list groups mail into threads that expand into their messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Seeded, import_messages, mail, services_session
from conftest import open_window as window_with
from pytestqt.qtbot import QtBot

from desktop.gui.inbox.model import Role
from desktop.gui.mainwindow.window import MainWindow

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def replies(seeded: Seeded, tmp_path: Path) -> None:
    """Two answers to Ward report 1 (one of them from Ada, as a sent copy would be)."""
    first = mail(11, "Re: Ward report 1")
    first["In-Reply-To"] = "<m1@example.org>"
    second = mail(12, "RE: Ward report 1")
    second.replace_header("From", "Ada Lovelace <ada@stmarys.example>")
    second["References"] = "<m1@example.org> <m11@example.org>"
    import_messages(seeded.services, tmp_path, seeded.hospital_id, [first, second])


def conversations_on(qtbot: QtBot, seeded: Seeded, size: tuple[int, int]) -> MainWindow:
    window = window_with(qtbot, services_session(seeded), size)
    window.conversations.action.trigger()
    listing = window.conversations.list
    assert listing is not None
    qtbot.waitUntil(lambda: listing.isVisible() and listing.model().rowCount() > 0)
    return window


def test_the_view_lists_conversations_with_counts_and_people(
    qtbot: QtBot, seeded: Seeded, tmp_path: Path
) -> None:
    replies(seeded, tmp_path)
    window = conversations_on(qtbot, seeded, (1280, 800))
    model = window.conversations.model
    page = window.workspace_page
    assert model is not None
    assert page is not None
    assert not page.inbox.table.isVisible()
    subjects = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert subjects[0] == "Ward report 1  (3 of 3 unread)"  # its latest reply is the newest mail
    assert len(subjects) == 5  # three ward reports (one with two replies) and two invoices
    first = model.index(0, 0)
    assert first.data(Role.SENDER) == "Sender 1, Sender 11, Ada Lovelace"
    assert first.data(Role.UNREAD) is True
    assert "3 messages, 3 unread" in first.data(0x03)  # the tooltip says it in words


def test_a_conversation_expands_and_its_message_opens_in_the_reader(
    qtbot: QtBot, seeded: Seeded, tmp_path: Path
) -> None:
    replies(seeded, tmp_path)
    window = conversations_on(qtbot, seeded, (1280, 800))
    model, listing, page = (
        window.conversations.model,
        window.conversations.list,
        window.workspace_page,
    )
    assert model is not None
    assert listing is not None
    assert page is not None
    listing.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: model.rowCount(model.index(0, 0)) == 3)
    assert listing.isExpanded(model.index(0, 0))
    children = [model.index(row, 0, model.index(0, 0)) for row in range(3)]
    assert [child.data(Role.SENDER) for child in children] == [
        "Sender 1",
        "Sender 11",
        "Ada Lovelace",
    ]
    listing.setCurrentIndex(children[1])
    qtbot.waitUntil(lambda: page.reader.headers.subject.text() == "Re: Ward report 1")


def test_a_one_message_conversation_opens_straight_in_the_reader(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = conversations_on(qtbot, seeded, (1280, 800))
    model, listing = window.conversations.model, window.conversations.list
    page = window.workspace_page
    assert model is not None
    assert listing is not None
    assert page is not None
    assert not model.hasChildren(model.index(0, 0))
    listing.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: page.reader.headers.subject.text() == "Ward report 5")


def test_turning_the_view_off_brings_the_message_list_back(qtbot: QtBot, seeded: Seeded) -> None:
    window = conversations_on(qtbot, seeded, (1280, 800))
    page = window.workspace_page
    assert page is not None
    window.conversations.action.trigger()
    assert page.inbox.table.isVisible()
    assert window.conversations.list is not None
    assert not window.conversations.list.isVisible()


@pytest.mark.skipif(not os.environ.get("SWITCHBOARD_SCREENSHOTS"), reason="screenshots on demand")
@pytest.mark.parametrize("size", [(800, 600), (1280, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_screenshot(qtbot: QtBot, seeded: Seeded, tmp_path: Path, size: tuple[int, int]) -> None:
    replies(seeded, tmp_path)
    window = conversations_on(qtbot, seeded, size)
    model, listing = window.conversations.model, window.conversations.list
    assert model is not None
    assert listing is not None
    listing.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: model.rowCount(model.index(0, 0)) == 3)
    listing.setCurrentIndex(model.index(2, 0, model.index(0, 0)))
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.reader.headers.subject.text() == "RE: Ward report 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / f"threads-{size[0]}x{size[1]}.png"))
