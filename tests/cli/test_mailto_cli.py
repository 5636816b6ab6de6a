"""``switchboard mailto:...`` is for the window; with a command it is refused, not dropped."""

from __future__ import annotations

import pytest

from desktop.cli.main import main


def test_a_mailto_link_cannot_go_with_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["id", "encode", "1", "mailto:a@x.example"])
    assert exited.value.code == 2
    assert "A mailto: link opens the window, so it cannot go with a command." in (
        capsys.readouterr().err
    )
