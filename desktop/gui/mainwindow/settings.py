"""Window state and per-user choices kept in the INI file at ``desktop.paths.settings_file()``.

Only layout and preferences live here: never a password, a token or message content, because an
INI file is readable by anyone who can read the app home.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from desktop.gui.reader.read_timer import DEFAULT_DELAY_MS
from desktop.gui.theme import Contrast
from desktop.paths import settings_file


def open_settings() -> QSettings:
    return QSettings(str(settings_file()), QSettings.Format.IniFormat)


class WindowSettings:
    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def geometry(self, name: str) -> QByteArray | None:
        value = self._settings.value(f"window/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, name: str, value: QByteArray) -> None:
        self._settings.setValue(f"window/{name}", value)

    def last_profile(self, login: str) -> int | None:
        value = self._settings.value(f"users/{login}/last_profile")
        try:
            return int(str(value)) if value is not None else None
        except ValueError:
            return None

    def set_last_profile(self, login: str, profile_id: int) -> None:
        self._settings.setValue(f"users/{login}/last_profile", profile_id)

    def muted(self, login: str) -> set[int]:
        value = self._settings.value(f"users/{login}/muted", "")
        return {int(part) for part in str(value).split(",") if part.strip().isdigit()}

    def set_muted(self, login: str, muted: set[int]) -> None:
        self._settings.setValue(f"users/{login}/muted", ",".join(str(i) for i in sorted(muted)))

    def auto_lock_minutes(self) -> int:
        value = self._settings.value("security/auto_lock_minutes", 0)
        try:
            return max(0, int(str(value)))
        except ValueError:
            return 0

    def set_auto_lock_minutes(self, minutes: int) -> None:
        self._settings.setValue("security/auto_lock_minutes", max(0, minutes))

    def mark_read_delay_ms(self) -> int | None:
        """How long a message stays open before it counts as read; None: only by hand."""
        value = self._settings.value("reading/mark_read_after_ms", DEFAULT_DELAY_MS)
        try:
            delay = int(str(value))
        except ValueError:
            return DEFAULT_DELAY_MS
        return None if delay < 0 else delay

    def set_mark_read_delay_ms(self, delay_ms: int | None) -> None:
        self._settings.setValue("reading/mark_read_after_ms", -1 if delay_ms is None else delay_ms)

    def reader_below(self) -> bool:
        return str(self._settings.value("reading/reader_below", "false")).lower() == "true"

    def set_reader_below(self, below: bool) -> None:
        self._settings.setValue("reading/reader_below", "true" if below else "false")

    def contrast(self) -> Contrast:
        """For everyone on this computer, like the window's size: set before anyone signs in."""
        value = str(self._settings.value("view/high_contrast", Contrast.SYSTEM.value))
        return next((c for c in Contrast if c.value == value), Contrast.SYSTEM)

    def set_contrast(self, contrast: Contrast) -> None:
        self._settings.setValue("view/high_contrast", contrast.value)

    def sync(self) -> None:
        self._settings.sync()
