"""``switchboard id``: results on stdout only, one line per item; problems on stderr, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from desktop.cli.main import main

LEOPARDS = "20 exultant leopards strode intensely"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_encode_prints_one_sentence_per_id(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "id", "encode", "2474137653", "0")
    assert (status, err) == (0, "")
    assert out.splitlines() == [LEOPARDS, "2 adorable aardvarks ambled absentmindedly"]


def test_decode_prints_one_integer_per_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "id", "decode", LEOPARDS, "Twenty exultant leopard strode")
    assert status == 2
    assert out == "2474137653\n"
    assert err == "switchboard: error: item 2: missing the adverb; expected " + (
        "count adjective noun verb adverb, as in '13 dapper otters traveled quickly'\n"
    )


def test_an_unquoted_sentence_is_read_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "id", "decode", *LEOPARDS.split())
    assert (status, out) == (0, "2474137653\n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "an ID cannot be negative: -1"),
        ("4294967296", "4294967296 is too large for the classic-32 layout"),
        ("1.5", "'1.5' is not a whole number"),
        ("twelve", "'twelve' is not a whole number"),
    ],
)
def test_encode_refuses_bad_ids(
    capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    status, out, err = run(capsys, "id", "encode", value)
    assert (status, out) == (2, "")
    assert err.startswith(f"switchboard: error: {message}")


def test_ambiguity_lists_the_candidates_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "id", "decode", "20 furzy leopards strode intensely")
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("switchboard: error: 'furzy' could be the adjective")
    assert "  candidate: 2484623413  20 furry leopards strode intensely" in lines
    assert "  candidate: 2485671989  20 fuzzy leopards strode intensely" in lines


def test_json_carries_corrections_and_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "id", "decode", "--json", "20 exultant leopard strode intensely", "20 furzy x y z"
    )
    assert status == 2
    good, bad = (json.loads(line) for line in out.splitlines())
    assert good == {
        "input": "20 exultant leopard strode intensely",
        "value": 2474137653,
        "sentence": LEOPARDS,
        "corrections": [{"heard": "leopard", "corrected": "leopards", "slot": "noun"}],
    }
    assert "error" in bad


def test_json_candidates_for_an_ambiguous_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "id", "decode", "--json", "20 furzy leopards strode intensely")
    record = json.loads(out)
    assert [c["value"] for c in record["candidates"]] == [2484623413, 2485671989]


def test_layout_picks_the_size(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "id", "encode", "--layout", "16", "--json", "65535")
    record = json.loads(out)
    assert status == 0
    assert record["value"] == 65535
    assert record["spoken"].startswith("seventeen ")
    status, out, _ = run(capsys, "id", "decode", "--layout", "16", record["sentence"])
    assert (status, out) == (0, "65535\n")


def test_an_unknown_layout_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "id", "encode", "--layout", "48", "1")
    assert (status, out) == (2, "")
    assert "unknown layout '48'" in err


def test_stdin_batches_keep_going_past_bad_lines() -> None:
    """Runs the real command in a process, since batches arrive on a real stdin."""
    lines = "\n".join(
        [LEOPARDS, "", "20 purple leopards strode intensely", "thirty-three zany zebras zoomed"]
    )
    lines += " zestfully\n"
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "id", "decode"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout.splitlines() == ["2474137653", "4294967295"]
    assert result.stderr.startswith("switchboard: error: line 3: 'purple' is not an adjective")


def test_stdin_encode_batch_all_good_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "id", "encode", "--layout", "64"],
        input="0\n18446744073709551615\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 2
    assert all(len(line.split()) == 10 for line in result.stdout.splitlines())
