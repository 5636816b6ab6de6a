"""The inbox list with its search field and order: arrows move, Enter opens, Space pages down,
Esc in the search field clears the search."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.folders import FolderRole
from desktop.core.mail_views import FLAGGED_EXCLUDES, INBOX_VIEW, MailView
from desktop.gui.icons import icon
from desktop.gui.inbox.model import InboxModel
from desktop.gui.inbox.row_delegate import MARGIN, RowDelegate, row_height
from desktop.gui.session.mail_actions import Destination
from desktop.gui.session.records import InboxRow, Sort

SEARCH_DELAY_MS = 250
# The list is never narrower than this subject in bold (40 characters): a subject must be
# readable at 800x600 (issue 12); the reader beside it gives way first.
READABLE_SUBJECT = "Quarterly budget review for the new ward"
SORT_LABELS = {
    Sort.NEWEST: "Newest first",
    Sort.OLDEST: "Oldest first",
    Sort.SENDER: "By sender",
    Sort.SUBJECT: "By subject",
}


class SearchField(QLineEdit):
    """Esc clears a search at once (and so lists all mail again); on an empty field it is left
    to the window."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setPlaceholderText(tr("Search all mail (Ctrl+F)"))
        self.setAccessibleName(tr("Search mail"))
        self.setToolTip(tr("Search subject, sender and text across the listed profiles"))
        self.setClearButtonEnabled(True)
        # The field's two buttons are Qt's own: without text they are nameless to a screen reader.
        clear = self.findChild(QAction, "_q_qlineeditclearaction")
        if clear is not None:
            clear.setText(tr("Clear the search"))
            clear.setToolTip(tr("Clear the search and list all mail again (Esc)"))
        glass = self.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        glass.setText(tr("Search"))
        glass.setToolTip(tr("Type words to find in the listed profiles' mail"))
        glass.triggered.connect(self.setFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self.cleared.emit()
            return
        super().keyPressEvent(event)


class InboxTable(QTableView):
    open_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Shift and Ctrl pick several messages for one action; a drag carries them to a folder.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(RowDelegate(self))
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights let the view skip measuring every row: essential with huge lists.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(row_height(self.font()))

    def width_for(self, subject: str) -> int:
        """The width at which ``subject``, bold, fits whole on a row's second line."""
        bold = QFont(self.font())
        bold.setBold(True)
        chrome = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return QFontMetrics(bold).horizontalAdvance(subject) + 2 * MARGIN + chrome + 1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        if key == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            action = QAbstractItemView.CursorAction.MovePageDown
            target = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
            if target.isValid():
                self.setCurrentIndex(target)
            return
        super().keyPressEvent(event)


class InboxView(QWidget):
    """Emits ``message_selected`` for the row the user moved to and ``open_requested`` on Enter."""

    message_selected = Signal(int, int)
    open_requested = Signal(int)
    emptied = Signal()  # the last rows were moved or deleted: nothing is chosen any more

    def __init__(self, model: InboxModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

        self.scope = QLabel(self.tr("All inboxes"))
        self.scope.setTextFormat(Qt.TextFormat.PlainText)
        scope_font = self.scope.font()
        scope_font.setBold(True)
        self.scope.setFont(scope_font)
        self.search = SearchField()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setEnabled(False)
        self.sort = self._sort_control()

        self.table = InboxTable()
        self.table.setModel(model)
        self.table.setAccessibleName(self.tr("Messages"))
        self.table.setAccessibleDescription(
            self.tr("The mail of the listed profiles; Enter opens the selected message")
        )
        self.table.open_requested.connect(self._open)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search_now)
        self.search.cleared.connect(self._search_cleared)

        self._keep: int | None = None
        model.modelAboutToBeReset.connect(self._remember_current)
        model.page_loaded.connect(self._restore_current)
        model.loading_changed.connect(self._loading_changed)
        model.load_failed.connect(self._load_failed)
        model.modelReset.connect(self._loading_changed)
        model.match_count_changed.connect(self._loading_changed)

        # Two short rows rather than one long one, so that nothing is cut off in a narrow window.
        top = QHBoxLayout()
        top.addWidget(self.scope, 1)
        top.addWidget(self.sort)
        finder = QHBoxLayout()
        finder.addWidget(self.search, 1)
        finder.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(finder)
        layout.addWidget(self.table, 1)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self.table.width_for(READABLE_SUBJECT)), hint.height())

    def _sort_control(self) -> QComboBox:
        control = QComboBox()
        control.setAccessibleName(self.tr("Order of the messages"))
        control.setToolTip(self.tr("Choose how the messages are ordered"))
        for order, label in SORT_LABELS.items():
            control.addItem(self.tr(label), order)
        control.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        control.currentIndexChanged.connect(self._sort_changed)
        return control

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_scope(self, profile_ids: frozenset[int] | None, description: str) -> None:
        self.scope.setText(description)
        query = self.model.query
        # One folder belongs to one profile: choosing profiles goes back to the unified views.
        view = query.view if query.view.role is not None else INBOX_VIEW
        self.model.set_query(replace(query, profile_ids=profile_ids, view=view))

    def set_view(self, view: MailView, description: str) -> None:
        """Lists ``view`` (the folder pane's choice): a unified view, or one folder."""
        self.scope.setText(description)
        query = self.model.query
        profile_ids = query.profile_ids if view.role is not None else None
        self.model.set_query(replace(query, profile_ids=profile_ids, view=view))

    def selected_rows(self) -> list[InboxRow]:
        """The chosen messages in list order; the current one when nothing is selected."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        current = self.table.currentIndex()
        if not rows and current.isValid():
            rows = [current.row()]
        return [self.model.row_at(row) for row in rows]

    def follow_move(self, message_ids: frozenset[int], where: Destination) -> None:
        """Moved messages leave this list unless it also shows where they went."""
        view = self.model.query.view
        stays = (
            (view.role is FolderRole.FLAGGED and where.role not in FLAGGED_EXCLUDES)
            or (view.role is not None and view.role is where.role)
            or (view.folder is not None and view.folder == where.folder)
        )
        if not stays:
            self.take_out(message_ids)

    def follow_flags(
        self, message_ids: frozenset[int], seen: bool | None, flagged: bool | None
    ) -> None:
        if flagged is False and self.model.query.view.role is FolderRole.FLAGGED:
            self.take_out(message_ids)
        else:
            self.model.set_flags(message_ids, seen=seen, flagged=flagged)

    def take_out(self, message_ids: frozenset[int]) -> None:
        """The rows go; the message after them is chosen, as in every desktop mail program."""
        first = next(
            (
                row
                for row in range(self.model.rowCount())
                if self.model.row_at(row).id in message_ids
            ),
            None,
        )
        if first is None:
            return
        self.model.remove(message_ids)
        self.table.clearSelection()
        left = self.model.rowCount()
        if left:
            self.table.selectRow(min(first, left - 1))
        else:
            self.emptied.emit()

    def _remember_current(self) -> None:
        """A reload (new mail, another filter) should not lose the message being read."""
        current = self.table.currentIndex()
        self._keep = self.model.row_at(current.row()).id if current.isValid() else None

    def _restore_current(self, _count: int) -> None:
        keep, self._keep = self._keep, None
        row = self.model.row_of(keep) if keep is not None else None
        if row is None:
            return
        selection = self.table.selectionModel()
        # Quietly: the reader already shows this message, and opening it again would re-mark it.
        selection.blockSignals(True)
        self.table.selectRow(row)
        selection.blockSignals(False)
        self.table.viewport().update()

    def _apply_search_now(self) -> None:
        self._search_timer.stop()
        self._apply_search()
        self.table.setFocus()

    def _apply_search(self) -> None:
        text = self.search.text().strip()
        query = self.model.query
        if text != query.search:
            self.model.set_query(replace(query, search=text))

    def _search_cleared(self) -> None:
        self._search_timer.stop()
        self._apply_search()

    def _sort_changed(self, _index: int) -> None:
        query = self.model.query
        order = Sort(self.sort.currentData())
        if order is not query.sort:
            self.model.set_query(replace(query, sort=order))

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            item = self.model.row_at(indexes[0].row())
            self.message_selected.emit(item.id, item.profile_id)

    def _open(self, index: QModelIndex) -> None:
        self.open_requested.emit(self.model.row_at(index.row()).id)

    def _loading_changed(self, loading: bool = False) -> None:
        model = self.model
        matched = model.match_count
        if model.query.search and matched is not None:
            self.status.setText(self._matches(matched))
        elif model.loading and model.rowCount() == 0:
            self.status.setText(self.tr("Loading…"))
        elif model.rowCount() == 0 and model.exhausted and not model.query.search:
            self.status.setText(self.tr("No messages"))
        else:
            self.status.clear()
        self.search.setAccessibleDescription(self.status.text())

    def _matches(self, count: int) -> str:
        if count == 0:
            return self.tr("No message matches")
        if count == 1:
            return self.tr("1 message matches")
        return self.tr("{count} messages match").format(count=self.locale().toString(count))

    def _load_failed(self, reason: str) -> None:
        self.status.setText(self.tr("Could not load messages: %s") % reason)
