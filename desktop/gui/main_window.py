"""The main window: the frame every screen of the app lives in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from desktop import __version__


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Switchboard")
        self.setObjectName("mainWindow")
        welcome = QLabel(f"Switchboard {__version__}")
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        welcome.setAccessibleName("Welcome")
        self.setCentralWidget(welcome)
        self.resize(1100, 720)
