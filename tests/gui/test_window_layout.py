"""The whole window at 800x600 and 1280x800, reader beside and below: nothing cut off or hidden.

Checked by widget geometry, not pixels, with the profile names and subjects that made the window
grow past the screen before: a long organization in the reader's chip, in the sidebar and in the
status bar, and a 40-character subject in the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from conftest import Seeded, import_messages, mail, open_window, services_session
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.inbox.model import Role
from desktop.gui.inbox.row_delegate import row_layout
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage

pytestmark = pytest.mark.gui

LONG_NAME = "St Mary's University Teaching Hospital Foundation Trust"
SUBJECT = "Re: Night shift rota for the week of 9th"
SIZES = [(800, 600), (1280, 800)]


@pytest.fixture
def seeded_long(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    accounts = seeded.services.accounts
    hospital = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.hospital_id)
    draft = replace(hospital.as_draft(), organization=LONG_NAME)
    accounts.update_profile(seeded.actor, seeded.hospital_id, draft)
    folder = tmp_path_factory.mktemp("long")
    import_messages(seeded.services, folder, seeded.hospital_id, [mail(9, SUBJECT)])
    return seeded


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def inside(widget: QWidget, outer: QWidget) -> bool:
    where = QRect(widget.mapTo(outer, QPoint(0, 0)), widget.size())
    return outer.rect().contains(where)


def shown_window(qtbot: QtBot, seeded: Seeded, size: tuple[int, int], below: bool) -> MainWindow:
    window = open_window(qtbot, services_session(seeded), size)
    page = page_of(window)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 6)
    window.place_reader(below)
    page.inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: page.reader.message is not None)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    return window


@pytest.mark.parametrize("below", [False, True], ids=["beside", "below"])
@pytest.mark.parametrize("size", SIZES, ids=["800x600", "1280x800"])
def test_nothing_is_cut_off_or_pushed_out_of_the_window(
    qtbot: QtBot, seeded_long: Seeded, size: tuple[int, int], below: bool
) -> None:
    assert_nothing_cut_off(qtbot, seeded_long, size, below)


@pytest.fixture
def double_font(qapp: QApplication) -> Iterator[None]:
    """The font at 200%, as a person with low vision sets it for every app."""
    normal = qapp.font()
    large = QFont(normal)
    large.setPointSizeF(normal.pointSizeF() * 2)
    qapp.setFont(large)
    yield
    qapp.setFont(normal)


@pytest.mark.parametrize("below", [False, True], ids=["beside", "below"])
@pytest.mark.usefixtures("double_font")
def test_at_200_percent_font_nothing_is_cut_off(
    qtbot: QtBot, seeded_long: Seeded, below: bool
) -> None:
    assert_nothing_cut_off(qtbot, seeded_long, (1280, 800), below)


def assert_nothing_cut_off(
    qtbot: QtBot, seeded_long: Seeded, size: tuple[int, int], below: bool
) -> None:
    window = shown_window(qtbot, seeded_long, size, below)
    page = page_of(window)
    assert window.minimumSizeHint().width() <= size[0]
    assert page.reader_below is below

    sidebar = page.sidebar
    assert sidebar.horizontalScrollBar().maximum() == 0
    for row in range(sidebar.model().rowCount()):
        rect = sidebar.visualRect(sidebar.model().index(row, 0))
        assert rect.right() < sidebar.viewport().width(), row

    toolbar = window.toolbar
    assert inside(window.switcher, toolbar)
    for action in toolbar.actions():
        if action.isVisible() and not action.isSeparator():
            button = toolbar.widgetForAction(action)
            assert button is not None
            assert button.isVisible(), action.text()
            assert inside(button, toolbar), action.text()

    status = window.sync_status
    for profile in window.profiles:
        button = status.button_for(profile.id)
        assert button.isVisible()
        assert inside(button, window.statusBar()), profile.organization
        assert button.text().endswith("not set up — Set up…")
        assert button.width() >= button.sizeHint().width()

    chip = page.reader.headers.profile
    assert chip.isVisible()
    assert inside(chip, page.reader)
    assert chip.text().endswith(" · member")
    assert chip.width() >= chip.fontMetrics().horizontalAdvance(chip.text())

    table = page.inbox.table
    index = next(
        page.inbox_model.index(row, 0)
        for row in range(page.inbox_model.rowCount())
        if page.inbox_model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) == SUBJECT
    )
    mark = index.data(Role.MARK)
    assert mark
    parts = row_layout(table.visualRect(index), table.font(), index.data(Role.DATE), mark)
    bold = QFont(table.font())
    bold.setBold(True)
    assert parts.subject.width() >= QFontMetrics(bold).horizontalAdvance(SUBJECT)
    assert parts.subject.right() < table.viewport().width()
    window.close()


def test_the_reader_below_gives_the_list_its_width_and_a_wide_window_whole_names(
    qtbot: QtBot, seeded_long: Seeded
) -> None:
    window = shown_window(qtbot, seeded_long, (1280, 800), below=False)
    page = page_of(window)
    hospital = window.sync_status.button_for(seeded_long.hospital_id)
    assert hospital.text() == f"{LONG_NAME}: not set up — Set up…"
    switcher = window.switcher
    assert switcher.width() >= switcher.fontMetrics().horizontalAdvance(switcher.currentText())
    beside = page.inbox.table.viewport().width()

    below = next(a for a in window.reading.reader_actions if "low" in a.text())
    below.trigger()
    qtbot.waitUntil(lambda: page.inbox.table.viewport().width() > beside + 300)
    assert page.reader_below
    assert page.reader.width() == page.inbox.width()
    chip = page.reader.headers.profile
    qtbot.waitUntil(lambda: chip.text() == f"{LONG_NAME} · member")
    window.close()


def test_a_narrow_window_shortens_names_but_keeps_the_state_words(
    qtbot: QtBot, seeded_long: Seeded
) -> None:
    window = shown_window(qtbot, seeded_long, (800, 600), below=False)
    hospital = window.sync_status.button_for(seeded_long.hospital_id)
    assert hospital.text() != hospital.accessibleName()
    assert hospital.accessibleName() == f"{LONG_NAME}: not set up — Set up…"
    assert "…:" in hospital.text()
    assert LONG_NAME in hospital.toolTip()
    window.close()
