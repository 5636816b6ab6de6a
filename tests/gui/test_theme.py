"""High contrast: WCAG AAA colours, the View menu's three choices, kept and applied at once,
and the ring that marks the focused control in either theme."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Seeded, open_window, services_session
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.profile_colours import PALETTE, contrast_ratio
from desktop.gui.mainwindow.settings import WindowSettings
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.profiles.chip import readable_text_colour
from desktop.gui.theme import DARK, LIGHT, Contrast, app_theme, system_prefers_dark, text_pairs

pytestmark = pytest.mark.gui

AAA = 7.0


@pytest.fixture(autouse=True)
def normal_contrast_after(qapp: QApplication) -> object:
    """The theme belongs to the application, which outlives the test: leave it as found."""
    yield
    app_theme().set_choice(Contrast.OFF)


@pytest.mark.parametrize("colours", [DARK, LIGHT], ids=["white on black", "black on white"])
def test_every_text_colour_meets_aaa_on_its_background(colours: object) -> None:
    pairs = text_pairs(colours)  # type: ignore[arg-type]
    low = {
        name: round(contrast_ratio(text, background), 2)
        for name, (text, background) in pairs.items()
        if contrast_ratio(text, background) < AAA
    }
    assert low == {}
    assert len(pairs) >= 20


def test_the_applied_palette_is_the_checked_one(qapp: QApplication) -> None:
    theme = app_theme()
    theme.set_choice(Contrast.ON)
    palette = qapp.palette()
    role = QPalette.ColorRole
    for text, background in (
        (role.WindowText, role.Window),
        (role.Text, role.Base),
        (role.ButtonText, role.Button),
        (role.HighlightedText, role.Highlight),
        (role.PlaceholderText, role.Base),
    ):
        for group in QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive:
            ratio = contrast_ratio(
                palette.color(group, text).name(), palette.color(group, background).name()
            )
            assert ratio >= AAA, (group, text, background, ratio)
    disabled = QPalette.ColorGroup.Disabled
    assert (
        contrast_ratio(
            palette.color(disabled, role.Text).name(), palette.color(disabled, role.Base).name()
        )
        >= AAA
    )


def test_profile_chips_keep_readable_initials_in_high_contrast() -> None:
    """The chips keep their colours (a person knows their profiles by them), with black or
    white initials on each; the colours stay apart from one another by their initials."""
    for colour in PALETTE:
        text = readable_text_colour_name(colour)
        assert contrast_ratio(text, colour) >= 4.5, colour


def readable_text_colour_name(colour: str) -> str:
    from PySide6.QtGui import QColor

    return readable_text_colour(QColor(colour)).name()


def test_view_menu_switches_at_once_and_the_choice_is_kept(
    qtbot: QtBot, seeded: Seeded, tmp_path: Path
) -> None:
    window = open_window(qtbot, services_session(seeded))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    normal_window = app.palette().color(QPalette.ColorRole.Window).name()
    menu = window.contrast
    titles = [a.text() for a in menu.actions]
    assert titles == ["Follow the &system", "&On", "O&ff"]
    assert menu.menu.menuAction() in window.view_menu.actions()

    menu.actions[1].trigger()
    assert menu.theme.high_contrast
    colours = DARK if system_prefers_dark() else LIGHT
    qtbot.waitUntil(
        lambda: window.palette().color(QPalette.ColorRole.Window).name() == colours.window
    )
    assert window.palette().color(QPalette.ColorRole.WindowText).name() == colours.text
    assert f"border: 1px solid {colours.text}" in app.styleSheet()  # fields keep an outline
    assert WindowSettings(window.settings).contrast() is Contrast.ON

    reopened = MainWindow(
        settings=QSettings(window.settings.fileName(), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(reopened)
    assert [a.isChecked() for a in reopened.contrast.actions] == [False, True, False]

    menu.actions[2].trigger()
    assert not app_theme().high_contrast
    qtbot.waitUntil(
        lambda: window.palette().color(QPalette.ColorRole.Window).name() == normal_window
    )
    assert app.styleSheet() == ""
    assert WindowSettings(window.settings).contrast() is Contrast.OFF
    window.close()


def test_following_the_system_reads_qt_and_gnome(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.gui.theme as theme_module

    theme = app_theme()
    theme.set_choice(Contrast.OFF)
    monkeypatch.setattr(theme_module, "gnome_high_contrast", lambda: True)
    theme._system_changed()  # as when the desktop's settings change
    theme.set_choice(Contrast.SYSTEM)
    assert theme.high_contrast
    monkeypatch.setattr(theme_module, "gnome_high_contrast", lambda: False)
    theme._system_changed()
    assert not theme.high_contrast


def test_gnome_key_is_read_only_where_gsettings_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop.gui.theme as theme_module

    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert theme_module.gnome_high_contrast() is False


def focus_form(qtbot: QtBot) -> tuple[QWidget, QLineEdit, QPushButton]:
    form = QWidget()
    qtbot.addWidget(form)
    field = QLineEdit()
    button = QPushButton("Go")
    layout = QVBoxLayout(form)
    layout.addWidget(field)
    layout.addWidget(button)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    field.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(field.hasFocus)
    return form, field, button


@pytest.mark.parametrize("contrast", [Contrast.OFF, Contrast.ON])
def test_the_focused_control_carries_a_ring_that_moves_with_tab(
    qtbot: QtBot, contrast: Contrast
) -> None:
    theme = app_theme()
    theme.set_choice(contrast)
    _form, field, button = focus_form(qtbot)
    ring = field.findChild(QWidget, "focusRing")
    assert ring is not None
    assert ring.isVisible()
    assert ring.geometry() == field.rect()
    QTest.keyClick(field, Qt.Key.Key_Tab)
    qtbot.waitUntil(button.hasFocus)
    assert field.findChild(QWidget, "focusRing") is None
    moved = button.findChild(QWidget, "focusRing")
    assert moved is not None
    assert moved.isVisible()
    image = button.grab().toImage()
    ring_colour = theme.focus_colour.name()
    assert image.pixelColor(1, button.height() // 2).name() == ring_colour
    background = button.palette().color(QPalette.ColorRole.Window).name()
    assert contrast_ratio(ring_colour, background) >= (AAA if contrast is Contrast.ON else 3.0)


def test_a_click_draws_no_ring(qtbot: QtBot) -> None:
    app_theme().set_choice(Contrast.OFF)
    _form, _field, button = focus_form(qtbot)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(button.hasFocus)
    ring = button.findChild(QWidget, "focusRing")
    assert ring is None or not ring.isVisible()


def test_an_open_dialog_changes_with_the_setting(qtbot: QtBot, seeded: Seeded) -> None:
    window = open_window(qtbot, services_session(seeded))
    window.shortcuts_action.trigger()
    dialog = window.shortcuts_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    colours = DARK if system_prefers_dark() else LIGHT
    assert dialog.palette().color(QPalette.ColorRole.AlternateBase).name() != colours.alternate_base
    window.contrast.actions[1].trigger()
    qtbot.waitUntil(
        lambda: (
            dialog.palette().color(QPalette.ColorRole.AlternateBase).name()
            == colours.alternate_base
        )
    )
    dialog.close()
    window.close()
