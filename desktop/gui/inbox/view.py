"""The inbox list with its search field: arrows move, Enter opens, Space pages down."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.icons import icon
from desktop.gui.inbox.model import Column, InboxModel, InboxQuery

SEARCH_DELAY_MS = 250


class InboxTable(QTableView):
    open_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights let the view skip measuring every row: essential with huge lists.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)

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

    def __init__(self, model: InboxModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

        self.scope = QLabel(self.tr("All inboxes"))
        self.scope.setTextFormat(Qt.TextFormat.PlainText)
        scope_font = self.scope.font()
        scope_font.setBold(True)
        self.scope.setFont(scope_font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search all mail (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search mail"))
        self.search.setToolTip(
            self.tr("Search subject, sender and text across the listed profiles")
        )
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setEnabled(False)

        self.table = InboxTable()
        self.table.setModel(model)
        self.table.setAccessibleName(self.tr("Messages"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.PROFILE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.SENDER, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.DATE, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(Column.PROFILE, 140)
        header.resizeSection(Column.SENDER, 180)
        header.setHighlightSections(False)
        self.table.open_requested.connect(self._open)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search_now)

        self._keep: int | None = None
        model.modelAboutToBeReset.connect(self._remember_current)
        model.page_loaded.connect(self._restore_current)
        model.loading_changed.connect(self._loading_changed)
        model.load_failed.connect(self._load_failed)
        model.modelReset.connect(self._loading_changed)

        top = QHBoxLayout()
        top.addWidget(self.scope)
        top.addWidget(self.search, 1)
        top.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_scope(self, profile_ids: frozenset[int] | None, description: str) -> None:
        self.scope.setText(description)
        self.model.set_query(InboxQuery(profile_ids, self.model.query.search))

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
        if text != self.model.query.search:
            self.model.set_query(InboxQuery(self.model.query.profile_ids, text))

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            item = self.model.row_at(indexes[0].row())
            self.message_selected.emit(item.id, item.profile_id)

    def _open(self, index: QModelIndex) -> None:
        self.open_requested.emit(self.model.row_at(index.row()).id)

    def _loading_changed(self, loading: bool = False) -> None:
        if self.model.loading:
            self.status.setText(self.tr("Loading…"))
        elif self.model.rowCount() == 0 and self.model.exhausted:
            self.status.setText(
                self.tr("No messages match") if self.model.query.search else self.tr("No messages")
            )
        else:
            self.status.clear()

    def _load_failed(self, reason: str) -> None:
        self.status.setText(self.tr("Could not load messages: %s") % reason)
