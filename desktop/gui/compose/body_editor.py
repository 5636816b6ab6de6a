"""The message text: plain by default, formatted only when the person asks for it.

Plain text is what reaches every reader intact, so it is the default. Formatting (bold, italics,
lists) is one switch away; the message then goes out as sanitized HTML with a plain-text copy
beside it (``services.mail.building``). Switching back to plain text keeps every word and drops
only the formatting, after saying so, since that cannot be undone by switching again.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QFont, QKeySequence, QTextCharFormat, QTextListFormat
from PySide6.QtWidgets import QMessageBox, QTextEdit, QToolBar, QVBoxLayout, QWidget


class BodyEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.text = QTextEdit()
        self.text.setAcceptRichText(False)
        self.text.setAccessibleName(tr("Message"))
        self.text.setAccessibleDescription(tr("The text of the message"))
        self.toolbar = QToolBar(tr("Formatting"))
        self.toolbar.setAccessibleName(tr("Formatting"))
        self.rich = self._action(tr("Formatted text"), tr("Format the message (Ctrl+Shift+T)"))
        self.rich.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.rich.toggled.connect(self._rich_toggled)
        self.toolbar.addSeparator()
        self.bold = self._action(
            tr("Bold"), tr("Bold (Ctrl+B)"), "B", QKeySequence.StandardKey.Bold
        )
        self.bold.toggled.connect(self._set_bold)
        self.italic = self._action(
            tr("Italic"), tr("Italic (Ctrl+I)"), "I", QKeySequence.StandardKey.Italic
        )
        self.italic.toggled.connect(self.text.setFontItalic)
        self.underline = self._action(
            tr("Underline"), tr("Underline (Ctrl+U)"), "U", QKeySequence.StandardKey.Underline
        )
        self.underline.toggled.connect(self.text.setFontUnderline)
        self.bullets = self._plain_action(tr("• List"), tr("Bulleted list"))
        self.bullets.triggered.connect(lambda: self._make_list(QTextListFormat.Style.ListDisc))
        self.numbers = self._plain_action(tr("1. List"), tr("Numbered list"))
        self.numbers.triggered.connect(lambda: self._make_list(QTextListFormat.Style.ListDecimal))
        self._formatting = (self.bold, self.italic, self.underline, self.bullets, self.numbers)
        self.text.currentCharFormatChanged.connect(self._show_format)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.text, 1)
        self._enable_formatting(False)

    def _action(
        self,
        name: str,
        tip: str,
        label: str | None = None,
        keys: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = self._plain_action(label or name, tip)
        action.setCheckable(True)
        if label is not None:
            font = QFont(action.font())
            font.setBold(label == "B")
            font.setItalic(label == "I")
            font.setUnderline(label == "U")
            action.setFont(font)
            self.toolbar.widgetForAction(action).setAccessibleName(name)
        if keys is not None:
            action.setShortcut(keys)
        return action

    def _plain_action(self, label: str, tip: str) -> QAction:
        action = self.toolbar.addAction(label)
        action.setToolTip(tip)
        self.toolbar.widgetForAction(action).setAccessibleName(tip)
        return action

    @property
    def is_rich(self) -> bool:
        return self.rich.isChecked()

    @property
    def body(self) -> str:
        """What to save and send: HTML when formatted (sanitized before it leaves), else text."""
        return self.text.toHtml() if self.is_rich else self.text.toPlainText()

    def show_body(self, body: str, html: bool) -> None:
        self.rich.blockSignals(True)
        self.rich.setChecked(html)
        self.rich.blockSignals(False)
        self._enable_formatting(html)
        if html:
            self.text.setHtml(body)
        else:
            self.text.setPlainText(body)

    def _rich_toggled(self, rich: bool) -> None:
        if not rich and self.text.toPlainText().strip() and not self._drop_formatting():
            self.rich.blockSignals(True)
            self.rich.setChecked(True)
            self.rich.blockSignals(False)
            return
        if not rich:
            self.text.setPlainText(self.text.toPlainText())
        self._enable_formatting(rich)
        self.text.setFocus()

    def _drop_formatting(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Send as plain text?"),
            self.tr(
                "Bold, italics and lists will be removed from this message. The words stay as "
                "they are."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _enable_formatting(self, rich: bool) -> None:
        self.text.setAcceptRichText(rich)
        for action in self._formatting:
            action.setEnabled(rich)

    def _set_bold(self, bold: bool) -> None:
        self.text.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)

    def _make_list(self, style: QTextListFormat.Style) -> None:
        self.text.textCursor().createList(style)
        self.text.setFocus()

    def _show_format(self, char_format: QTextCharFormat) -> None:
        for action, on in (
            (self.bold, char_format.fontWeight() >= QFont.Weight.Bold),
            (self.italic, char_format.fontItalic()),
            (self.underline, char_format.fontUnderline()),
        ):
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)
