"""The high-contrast palette and when it applies: the person's choice, or the desktop's.

"Follow the system" reads, in this order, what is there without new dependencies: Qt's own
contrast preference (``QStyleHints.accessibility().contrastPreference()``, which Qt fills from
the desktop portal's ``org.freedesktop.appearance contrast`` key on Linux and from the Windows and
macOS settings), then GNOME's ``org.gnome.desktop.a11y.interface high-contrast`` key through the
``gsettings`` command when it is installed. The desktop's colour scheme (Qt 6.5+
``colorScheme()``) decides whether the high-contrast palette is white on black or black on white.

Every text colour of both palettes meets WCAG AAA (7:1) on the backgrounds it is drawn on; Fusion
is the style while high contrast is on, because it draws every control from the palette alone.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAccessibilityHints, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop.gui.focus_ring import FocusRing

GNOME_KEY = ("org.gnome.desktop.a11y.interface", "high-contrast")
GSETTINGS_TIMEOUT_S = 1.0


class Contrast(Enum):
    SYSTEM = "system"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class HighContrastColours:
    """Colours by role; ``text`` pairs are what :func:`text_pairs` checks for 7:1."""

    window: str
    text: str
    base: str
    alternate_base: str
    button: str
    highlight: str
    highlighted_text: str
    link: str
    link_visited: str
    disabled_text: str
    placeholder: str
    focus: str


DARK = HighContrastColours(
    window="#000000",
    text="#ffffff",
    base="#000000",
    alternate_base="#141414",
    button="#000000",
    highlight="#ffff00",
    highlighted_text="#000000",
    link="#00ffff",
    link_visited="#ff99ff",
    disabled_text="#a6a6a6",
    placeholder="#b3b3b3",
    focus="#ffff00",
)
LIGHT = HighContrastColours(
    window="#ffffff",
    text="#000000",
    base="#ffffff",
    alternate_base="#ededed",
    button="#ffffff",
    highlight="#00007a",
    highlighted_text="#ffffff",
    link="#00007a",
    link_visited="#5c0070",
    disabled_text="#4d4d4d",
    placeholder="#4d4d4d",
    focus="#00007a",
)


def text_pairs(colours: HighContrastColours) -> dict[str, tuple[str, str]]:
    """Every (text, background) pair the palette draws, named for a failing test to say."""
    backgrounds = {
        "window": colours.window,
        "base": colours.base,
        "alternate base": colours.alternate_base,
        "button": colours.button,
    }
    pairs = {
        f"{name} on {where}": (colour, background)
        for where, background in backgrounds.items()
        for name, colour in (
            ("text", colours.text),
            ("link", colours.link),
            ("visited link", colours.link_visited),
            ("disabled text", colours.disabled_text),
            ("placeholder", colours.placeholder),
        )
    }
    pairs["selected text"] = (colours.highlighted_text, colours.highlight)
    pairs["focus ring on window"] = (colours.focus, colours.window)
    return pairs


def field_outlines(colours: HighContrastColours) -> str:
    """Fusion draws field frames a shade darker than the window, which on black is black: in
    high contrast every field one types into gets an outline in the text colour."""
    return (
        "QLineEdit, QComboBox, QAbstractSpinBox {"
        f" border: 1px solid {colours.text}; border-radius: 2px; padding: 2px 4px; }}"
    )


def high_contrast_palette(colours: HighContrastColours) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    text_roles = (role.WindowText, role.Text, role.ButtonText, role.ToolTipText, role.BrightText)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for each in text_roles:
            palette.setColor(group, each, QColor(colours.text))
        for each, colour in (
            (role.Window, colours.window),
            (role.Base, colours.base),
            (role.AlternateBase, colours.alternate_base),
            (role.Button, colours.button),
            (role.ToolTipBase, colours.window),
            (role.Highlight, colours.highlight),
            (role.HighlightedText, colours.highlighted_text),
            (role.Link, colours.link),
            (role.LinkVisited, colours.link_visited),
            (role.PlaceholderText, colours.placeholder),
            (role.Light, colours.text),
            (role.Midlight, colours.text),
            (role.Mid, colours.disabled_text),
            (role.Dark, colours.text),
            (role.Shadow, colours.text),
            (role.Accent, colours.highlight),
        ):
            palette.setColor(group, each, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    palette.setCurrentColorGroup(QPalette.ColorGroup.Active)
    for each in (role.Window, role.Base, role.AlternateBase, role.Button, role.ToolTipBase):
        palette.setColor(disabled, each, palette.color(QPalette.ColorGroup.Active, each))
    for each in (*text_roles, role.PlaceholderText, role.Light, role.Midlight, role.Dark):
        palette.setColor(disabled, each, QColor(colours.disabled_text))
    palette.setColor(disabled, role.Highlight, QColor(colours.disabled_text))
    palette.setColor(disabled, role.HighlightedText, QColor(colours.window))
    return palette


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def system_high_contrast(hints: QAccessibilityHints | None) -> bool:
    """What Qt hears from the desktop (the portal on Linux, the OS settings elsewhere)."""
    return hints is not None and hints.contrastPreference() == Qt.ContrastPreference.HighContrast


def gnome_high_contrast() -> bool:
    """GNOME's switch in Settings > Accessibility, where ``gsettings`` exists to read it."""
    command = shutil.which("gsettings")
    if command is None:
        return False
    try:
        done = subprocess.run(
            [command, "get", *GNOME_KEY],
            capture_output=True,
            text=True,
            timeout=GSETTINGS_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


class Theme(QObject):
    """Applies the chosen contrast to the whole application at once and keeps following the
    desktop while the choice is "follow the system". Emits ``changed(bool)``: high contrast on."""

    changed = Signal(bool)

    def __init__(self, app: QApplication, choice: Contrast = Contrast.SYSTEM) -> None:
        super().__init__(app)
        self._app = app
        self._choice = choice
        self._normal_style = app.style().name()
        self._normal_palette = app.palette()
        self._normal_style_sheet = app.styleSheet()
        self._high = False
        self._gnome: bool | None = None
        # Both kept: PySide6 6.11's ``accessibility()`` returns an object it already considers
        # deleted, and the child found instead lives only as long as this wrapper of its parent.
        self._style_hints = QGuiApplication.styleHints()
        self._style_hints.colorSchemeChanged.connect(self._system_changed)
        self._accessibility = self._style_hints.findChild(QAccessibilityHints)
        if self._accessibility is not None:
            self._accessibility.contrastPreferenceChanged.connect(self._system_changed)
        self.apply()

    @property
    def choice(self) -> Contrast:
        return self._choice

    @property
    def high_contrast(self) -> bool:
        return self._high

    @property
    def focus_colour(self) -> QColor:
        """The ring around the focused control: one that stands out on this palette."""
        if self._high:
            return QColor((DARK if system_prefers_dark() else LIGHT).focus)
        return self._app.palette().color(QPalette.ColorRole.Highlight).darker(130)

    def set_choice(self, choice: Contrast) -> None:
        if choice is not self._choice:
            self._choice = choice
            self.apply()

    def wanted(self) -> bool:
        if self._choice is not Contrast.SYSTEM:
            return self._choice is Contrast.ON
        if system_high_contrast(self._accessibility):
            return True
        if self._gnome is None:  # GNOME's key is read once: it sends no signal Qt relays
            self._gnome = gnome_high_contrast()
        return self._gnome

    def apply(self) -> None:
        high = self.wanted()
        if high:
            if not self._high:  # the style is named before our style sheet wraps it
                self._normal_style = self._app.style().name()
                self._normal_palette = self._app.palette()
                self._normal_style_sheet = self._app.styleSheet()
                fusion = QStyleFactory.create("Fusion")
                if fusion is not None and self._normal_style.lower() != "fusion":
                    self._app.setStyle(fusion)
            colours = DARK if system_prefers_dark() else LIGHT
            self._app.setPalette(high_contrast_palette(colours))
            self._app.setStyleSheet(field_outlines(colours))
        elif self._high:
            self._app.setStyleSheet(self._normal_style_sheet)
            normal = QStyleFactory.create(self._normal_style)
            if normal is not None and self._normal_style.lower() != "fusion":
                self._app.setStyle(normal)
            self._app.setPalette(self._normal_palette)
        changed = high != self._high
        self._high = high
        if changed:
            self.changed.emit(high)

    def _system_changed(self) -> None:
        self._gnome = None
        if self._choice is Contrast.SYSTEM or self._high:
            self.apply()


def high_contrast_active() -> bool:
    """For painters with colours of their own (faded second lines, grey pills) to draw them
    at full strength, without making a theme where none was asked for."""
    app = QApplication.instance()
    theme = app.findChild(Theme) if isinstance(app, QApplication) else None
    return theme is not None and theme.high_contrast


def app_theme() -> Theme:
    """The application's one theme and focus ring, made on first use by whichever window asks."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("the theme needs a QApplication")
    theme = app.findChild(Theme)
    if theme is None:
        theme = Theme(app)
        FocusRing(app, lambda: theme.focus_colour)
    return theme
