"""The unified inbox pages lazily in the chosen order, and filters and searches by its query."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from gui_memory_workspace import MemoryWorkspace
from PySide6.QtCore import QDateTime, QLocale, QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from pytestqt.qtbot import QtBot

from desktop.gui.icons import icon
from desktop.gui.inbox.model import InboxModel, Role, sender_name, short_date
from desktop.gui.inbox.row_delegate import row_layout
from desktop.gui.inbox.view import InboxView
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.records import PageKey, Sort
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.services.mail.inbox import InboxRow

pytestmark = pytest.mark.gui

START = datetime(2026, 1, 1, tzinfo=UTC)
PROFILES = {
    1: ProfileCard(1, "Hospital", "Nurse", "n@h.example", "member", "#e11d48", 11),
    2: ProfileCard(2, "Clinic", "Head", "h@c.example", "admin", "#2563eb", 22),
}


class Mailbox:
    """An in-memory mailbox answering keyset page queries, counting what it was asked."""

    def __init__(self, count: int) -> None:
        self.rows = sorted(
            (
                InboxRow(
                    id=i,
                    profile_email="",
                    flagged=False,
                    profile_id=1 + i % 2,
                    sender=f"sender{i}@example.org",
                    subject=f"Message {i}" + (" invoice" if i % 10 == 0 else ""),
                    date=START + timedelta(minutes=i // 2),
                    seen=i % 3 == 0,
                )
                for i in range(count)
            ),
            key=lambda r: r.key,
            reverse=True,
        )
        self.calls: list[tuple[InboxQuery, PageKey | None, int]] = []
        self.threads: set[int] = set()

    def _matching(self, query: InboxQuery) -> list[InboxRow]:
        return [
            r
            for r in self.rows
            if (query.profile_ids is None or r.profile_id in query.profile_ids)
            and query.search.lower() in r.subject.lower()
        ]

    def count(self, query: InboxQuery) -> int:
        self.threads.add(threading.get_ident())
        return len(self._matching(query))

    def page(self, query: InboxQuery, after: PageKey | None, limit: int) -> Sequence[InboxRow]:
        self.calls.append((query, after, limit))
        self.threads.add(threading.get_ident())
        newest = query.sort is Sort.NEWEST
        ordered = sorted(self._matching(query), key=lambda r: r.key_for(query.sort), reverse=newest)
        matching = (
            r
            for r in ordered
            if after is None
            or (r.key_for(query.sort) < after if newest else r.key_for(query.sort) > after)
        )
        result = []
        for row in matching:
            result.append(row)
            if len(result) == limit:
                break
        return result


def make_view(qtbot: QtBot, mailbox: Mailbox, page_size: int = 50) -> InboxView:
    model = InboxModel(mailbox.page, page_size=page_size, count_matches=mailbox.count)
    model.set_profiles(PROFILES)
    view = InboxView(model)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(model.page_loaded):
        model.reload()
    return view


def test_first_page_newest_first_marked_with_profile_and_unread_bold(qtbot: QtBot) -> None:
    mailbox = Mailbox(1000)
    view = make_view(qtbot, mailbox)
    model = view.model
    assert model.rowCount() == 50
    keys = [model.row_at(r).key for r in range(model.rowCount())]
    assert keys == sorted(keys, reverse=True)
    assert model.row_at(0).id == 999
    assert threading.get_ident() not in mailbox.threads

    first = model.index(0, 0)
    assert model.data(first) == "Message 999"
    assert model.data(first, Role.SENDER) == "sender999@example.org"
    assert model.data(first, Qt.ItemDataRole.DecorationRole).name() == "#2563eb"
    assert model.data(first, Role.MARK) == "Cl"  # colour is never the only sign of the profile
    assert "Clinic (h@c.example)" in model.data(first, Qt.ItemDataRole.ToolTipRole)
    assert "Profile: Clinic (h@c.example)" in model.data(first, Qt.ItemDataRole.AccessibleTextRole)
    unread_row = next(r for r in range(50) if not model.row_at(r).seen)
    font = model.data(model.index(unread_row, 0), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()
    assert model.data(model.index(unread_row, 0), Role.UNREAD) is True
    seen_row = next(r for r in range(50) if model.row_at(r).seen)
    assert model.data(model.index(seen_row, 0), Qt.ItemDataRole.FontRole) is None


def test_keyboard_to_the_end_loads_a_page_at_a_time(qtbot: QtBot) -> None:
    mailbox = Mailbox(10_000)
    view = make_view(qtbot, mailbox)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    for _ in range(3):
        qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not view.model.loading)
    assert 50 < view.model.rowCount() <= 250
    assert view.model.rowCount() < len(mailbox.rows)
    afters = [after for _q, after, _l in mailbox.calls]
    assert afters[0] is None
    assert all(a is not None for a in afters[1:])


def test_the_same_query_again_keeps_the_rows_and_asks_for_nothing(qtbot: QtBot) -> None:
    mailbox = Mailbox(1000)
    view = make_view(qtbot, mailbox)
    model = view.model
    view.table.setCurrentIndex(model.index(40, 0))
    asked = len(mailbox.calls)
    view.set_scope(None, "All inboxes")
    assert len(mailbox.calls) == asked
    assert not model.loading
    assert view.table.currentIndex().row() == 40
    view.set_scope(frozenset({1}), "Hospital")
    qtbot.waitUntil(lambda: len(mailbox.calls) == asked + 1 and not model.loading)
    assert {model.row_at(r).profile_id for r in range(model.rowCount())} == {1}


def test_space_pages_down_and_enter_opens(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(500))
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    selected: list[int] = []
    view.message_selected.connect(lambda message_id, _profile: selected.append(message_id))
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    assert view.table.currentIndex().row() > 5
    assert selected == [view.model.row_at(view.table.currentIndex().row()).id]
    with qtbot.waitSignal(view.open_requested) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [selected[-1]]
    before = view.table.currentIndex().row()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.table.currentIndex().row() == before + 1


def test_filter_to_one_profile_and_to_several(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(400))
    with qtbot.waitSignal(view.model.page_loaded):
        view.set_scope(frozenset({1}), "Hospital")
    rows = [view.model.row_at(r) for r in range(view.model.rowCount())]
    assert rows
    assert {r.profile_id for r in rows} == {1}
    assert view.scope.text() == "Hospital"
    with qtbot.waitSignal(view.model.page_loaded):
        view.set_scope(frozenset({1, 2}), "2 profiles")
    assert {view.model.row_at(r).profile_id for r in range(view.model.rowCount())} == {1, 2}


def test_search_by_typing_and_no_match_message(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(400))
    with qtbot.waitSignal(view.model.page_loaded):
        qtbot.keyClicks(view.search, "invoice")
    subjects = [view.model.row_at(r).subject for r in range(view.model.rowCount())]
    assert len(subjects) == 40
    assert all("invoice" in s for s in subjects)
    with qtbot.waitSignal(view.model.page_loaded):
        view.search.setText("no such thing")
    assert view.model.rowCount() == 0
    qtbot.waitUntil(lambda: view.status.text() == "No message matches")


def test_stale_page_for_an_old_query_is_dropped(qtbot: QtBot) -> None:
    gate = threading.Event()
    mailbox = Mailbox(100)

    def slow_page(query: InboxQuery, after: PageKey | None, limit: int) -> Sequence[InboxRow]:
        if query.search == "slow":
            gate.wait(5)
        return mailbox.page(query, after, limit)

    model = InboxModel(slow_page, page_size=10)
    model.set_query(InboxQuery(search="slow"))
    with qtbot.waitSignal(model.page_loaded):
        model.set_query(InboxQuery(profile_ids=frozenset({2})))
    gate.set()
    qtbot.wait(100)
    assert {model.row_at(r).profile_id for r in range(model.rowCount())} == {2}
    assert model.rowCount() == 10


def test_load_error_is_shown(qtbot: QtBot) -> None:
    def broken(_q: InboxQuery, _a: PageKey | None, _l: int) -> Sequence[InboxRow]:
        raise sqlite3.OperationalError("database is locked")

    model = InboxModel(broken)
    view = InboxView(model)
    qtbot.addWidget(view)
    with qtbot.waitSignal(model.load_failed):
        model.reload()
    assert view.status.text().startswith("Could not load messages: The store is busy")
    assert "database is locked" not in view.status.text()
    assert not model.canFetchMore(QModelIndex())


def test_marking_seen_unbolds_the_row(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(30))
    unread = next(r for r in range(view.model.rowCount()) if not view.model.row_at(r).seen)
    view.model.set_seen(view.model.row_at(unread).id)
    index = view.model.index(unread, 0)
    assert view.model.data(index, Qt.ItemDataRole.FontRole) is None


def test_marking_unseen_makes_the_row_bold_again(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(30))
    read = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).seen)
    index = view.model.index(read, 0)
    with qtbot.waitSignal(view.model.dataChanged):
        view.model.set_seen(view.model.row_at(read).id, seen=False)
    assert not view.model.row_at(read).seen
    assert view.model.data(index, Qt.ItemDataRole.FontRole).bold()


def test_icons_load() -> None:
    for name in ("inbox", "search", "sync", "lock", "support", "audit", "admin", "retry"):
        assert not icon(name).isNull(), name


def test_the_from_line_names_the_sender_without_the_address() -> None:
    assert sender_name("Zoë Müller <z.mueller@stolaf-hospital.example>") == "Zoë Müller"
    assert sender_name("alerts@northwind-health.example") == "alerts@northwind-health.example"
    assert sender_name("") == ""


def test_the_search_says_how_many_matched_counted_off_the_gui_thread(qtbot: QtBot) -> None:
    mailbox = Mailbox(400)
    view = make_view(qtbot, mailbox, page_size=10)
    qtbot.keyClicks(view.search, "invoice")
    qtbot.waitUntil(lambda: view.status.text() == "40 messages match")
    assert view.model.rowCount() == 10  # counted by the service, not by loading every match
    assert threading.get_ident() not in mailbox.threads
    view.search.setText("Message 123")
    qtbot.waitUntil(lambda: view.status.text() == "1 message matches")
    assert view.search.accessibleDescription() == "1 message matches"


def test_esc_in_the_search_clears_it_and_lists_all_mail_again(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(400))
    view.search.setFocus()
    with qtbot.waitSignal(view.model.page_loaded):
        qtbot.keyClicks(view.search, "invoice")
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.model.query.search == "invoice"
    view.search.setFocus()
    with qtbot.waitSignal(view.model.page_loaded):
        qtbot.keyClick(view.search, Qt.Key.Key_Escape)
    assert view.search.text() == ""
    assert view.model.query.search == ""
    assert view.model.row_at(0).id == 399
    assert view.status.text() == ""


@pytest.mark.parametrize(
    ("label", "order"),
    [("Oldest first", Sort.OLDEST), ("By sender", Sort.SENDER), ("By subject", Sort.SUBJECT)],
)
def test_the_order_control_sorts_and_pages_in_that_order(
    qtbot: QtBot, label: str, order: Sort
) -> None:
    mailbox = Mailbox(300)
    view = make_view(qtbot, mailbox)
    assert view.sort.accessibleName()
    assert view.sort.currentText() == "Newest first"
    with qtbot.waitSignal(view.model.page_loaded):
        view.sort.setCurrentIndex(view.sort.findText(label))
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.model.rowCount() > 50 and not view.model.loading)
    keys = [view.model.row_at(r).key_for(order) for r in range(view.model.rowCount())]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert mailbox.calls[-1][0].sort is order
    assert mailbox.calls[-1][1] == keys[49]


def test_the_chip_is_hidden_when_one_profile_is_listed(qtbot: QtBot) -> None:
    view = make_view(qtbot, Mailbox(40))
    first = view.model.index(0, 0)
    assert view.model.data(first, Qt.ItemDataRole.DecorationRole) is not None
    with qtbot.waitSignal(view.model.page_loaded):
        view.set_scope(frozenset({1}), "Hospital")
    first = view.model.index(0, 0)
    assert view.model.data(first, Qt.ItemDataRole.DecorationRole) is None
    # Without the chip the profile is still named for assistive technology.
    assert "Profile: Hospital (n@h.example)" in view.model.data(
        first, Qt.ItemDataRole.AccessibleTextRole
    )


def test_dates_are_shown_whole_today_this_year_and_before() -> None:
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    today = datetime(2026, 3, 3, 12, 0).astimezone()
    assert short_date(today, today.date(), locale) == locale.toString(
        QDateTime.fromSecsSinceEpoch(int(today.timestamp())).time(), QLocale.FormatType.ShortFormat
    )
    assert short_date(datetime(2026, 1, 5, 12, 0).astimezone(), today.date(), locale) == "5 Jan"
    older = datetime(2024, 11, 20, 12, 0).astimezone()
    assert short_date(older, today.date(), locale) == "20 Nov 2024"


def test_a_narrow_row_elides_the_sender_but_never_the_date(qtbot: QtBot) -> None:
    font = QFont()
    metrics = QFontMetrics(font)
    date = "20 Nov 2024"
    parts = row_layout(QRect(0, 0, 180, 40), font, date, mark="SO")
    assert parts.date.width() >= metrics.horizontalAdvance(date)
    assert parts.sender.right() < parts.date.left()
    assert parts.chip.right() < parts.sender.left()
    assert parts.subject.left() < parts.chip.right()  # the subject has the whole second line


@pytest.mark.parametrize("size", [(800, 600), (1280, 800)])
def test_in_the_window_a_40_character_subject_and_the_date_are_shown_whole(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    subject = "Re: Night shift rota for the week of 9th"
    assert len(subject) == 40
    workspace = MemoryWorkspace(count=30)
    workspace.rows = [replace(r, subject=subject, seen=False) for r in workspace.rows]
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_session(Session(workspace))
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() > 0)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    assert window.minimumSizeHint().width() <= size[0]

    table = page.inbox.table
    index = page.inbox_model.index(0, 0)
    date = page.inbox_model.data(index, Role.DATE)
    shows_chip = page.inbox_model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    mark = page.inbox_model.data(index, Role.MARK) if shows_chip else None
    parts = row_layout(table.visualRect(index), table.font(), date, mark)
    bold = QFont(table.font())
    bold.setBold(True)
    assert parts.subject.width() >= QFontMetrics(bold).horizontalAdvance(subject)
    assert parts.date.width() >= QFontMetrics(table.font()).horizontalAdvance(date)
    assert parts.subject.right() < table.viewport().width()
    assert parts.subject.bottom() < table.visualRect(index).bottom()
    inbox = page.inbox
    for widget in (inbox.scope, inbox.sort, inbox.search, inbox.table):
        assert widget.isVisible()
        where = widget.geometry().translated(widget.parentWidget().mapTo(inbox, QPoint(0, 0)))
        assert inbox.rect().contains(where), widget
        assert widget.width() >= widget.minimumSizeHint().width(), widget
    assert page.reader.isVisible()
    assert page.reader.width() > 0
    window.close()
