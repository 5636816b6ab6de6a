"""The folder pane under the profiles: the unified views, then each profile's folder tree.

The unified views (Inbox, Sent, Drafts, Archive, Trash, Flagged over every profile) come first
because they are what a person with several accounts reads most; each profile's own folders
follow as the server nests them, each with its unread count. Clicking one lists it; messages
dragged from the list onto a folder are moved there (onto the unified Archive or Trash: to each
message's own profile's), which the pane only announces (``messages_dropped``). The pane
only follows the session's folder tree (:class:`desktop.gui.session.folders.SessionFolders`);
it keeps the chosen view across reloads so that a sync does not jump the list elsewhere.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop.core.folders import FolderRole
from desktop.core.mail_views import INBOX_VIEW, MailView
from desktop.gui.inbox.drag import MESSAGE_IDS, dragged_ids
from desktop.gui.session.folders import FolderTree

ViewRole = Qt.ItemDataRole.UserRole + 1
TitleRole = Qt.ItemDataRole.UserRole + 2


class FolderPane(QTreeWidget):
    """Emits ``view_chosen`` (a :class:`MailView` and the words that name it)."""

    view_chosen = Signal(object, str)
    messages_dropped = Signal(object, object)  # tuple[int, ...] message ids, MailView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setAccessibleName(self.tr("Folders"))
        self.setAccessibleDescription(
            self.tr("Each view over all profiles, then each profile's folders, with unread counts")
        )
        self.setIndentation(12)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDragDropOverwriteMode(True)  # a drop lands on a folder, never between two
        self.setDropIndicatorShown(True)
        self.invisibleRootItem().setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.chosen: MailView = INBOX_VIEW
        self.itemClicked.connect(self._clicked)

    def set_tree(self, tree: FolderTree) -> None:
        self.blockSignals(True)
        self.clear()
        every = self._heading(self.tr("All profiles"))
        for view, unread in tree.unified:
            label, title = self._names(view)
            self._add(every, view, label, unread, title)
        for profile in tree.profiles:
            top = self._heading(profile.email)
            parents: list[QTreeWidgetItem] = [top]
            for folder in profile.folders:
                del parents[folder.depth + 1 :]
                label = (
                    self.tr("Imported")
                    if folder.role is FolderRole.PLAIN and (folder.view.folder == "Imported")
                    else folder.label
                )
                parents.append(self._add(parents[-1], folder.view, label, folder.unread))
            top.setExpanded(True)
            for item in parents:
                item.setExpanded(True)
        self.expandAll()
        self.blockSignals(False)
        self._select(self.chosen)

    def choose(self, view: MailView) -> bool:
        """Lists ``view`` as a click on it would; False when the pane does not show it."""
        item = self._select(view)
        if item is None:
            return False
        self._clicked(item, 0)
        return True

    def mimeTypes(self) -> list[str]:
        return [MESSAGE_IDS]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def dropMimeData(
        self, parent: QTreeWidgetItem | None, index: int, data: QMimeData, action: Qt.DropAction
    ) -> bool:
        """Dropped on a folder: the window decides whether the move may happen, and says why
        not; the drag's source changes nothing by itself."""
        ids = dragged_ids(data)
        view = parent.data(0, ViewRole) if parent is not None else None
        if not ids or not isinstance(view, MailView) or not _takes_drops(view):
            return False
        self.messages_dropped.emit(ids, view)
        return True

    def _names(self, view: MailView) -> tuple[str, str]:
        """A unified view's name under "All profiles", and what the list above it says."""
        tr = self.tr
        names = {
            FolderRole.INBOX: (tr("Inbox"), tr("All inboxes")),
            FolderRole.SENT: (tr("Sent"), tr("All sent")),
            FolderRole.DRAFTS: (tr("Drafts"), tr("All drafts")),
            FolderRole.ARCHIVE: (tr("Archive"), tr("All archives")),
            FolderRole.TRASH: (tr("Trash"), tr("All trash")),
            FolderRole.FLAGGED: (tr("Flagged"), tr("All flagged")),
        }
        return names[view.role] if view.role is not None else (view.title, view.title)

    def _heading(self, text: str) -> QTreeWidgetItem:
        top = QTreeWidgetItem(self, [text, ""])
        top.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        return top

    def _add(
        self,
        parent: QTreeWidget | QTreeWidgetItem,
        view: MailView,
        label: str,
        unread: int,
        title: str | None = None,
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label, str(unread) if unread else ""])
        if not _takes_drops(view):
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
        item.setData(0, ViewRole, view)
        item.setData(0, TitleRole, title or label)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        described = self.tr("{name}, {n} unread").format(name=label, n=unread)
        item.setData(0, Qt.ItemDataRole.AccessibleTextRole, described)
        item.setToolTip(0, described)
        return item

    def _select(self, view: MailView) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, ViewRole) == view:
                self.blockSignals(True)
                self.setCurrentItem(item)
                self.blockSignals(False)
                return item
        return None

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        pending = [self.invisibleRootItem()]
        while pending:
            item = pending.pop()
            children = (item.child(i) for i in range(item.childCount()))
            pending.extend(reversed([child for child in children if child is not None]))
            found.append(item)
        return found[1:]

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        view = item.data(0, ViewRole)
        if not isinstance(view, MailView):
            return
        self.chosen = view
        self.view_chosen.emit(view, str(item.data(0, TitleRole)))


def _takes_drops(view: MailView) -> bool:
    """One folder, or the unified Archive and Trash (each profile has its own)."""
    return view.role in (None, FolderRole.ARCHIVE, FolderRole.TRASH)
