"""``switchboard id``: results on stdout only, one line per item; problems on stderr, exit 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest

from desktop.cli import id_command
from desktop.cli.main import main
from desktop.core.idsentence import default_codec, load_codec

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


def run_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(capsys, *argv)


@pytest.mark.parametrize("bits", [16, 32, 64])
@pytest.mark.parametrize("block_chars", [7, 1 << 20])
def test_stdin_batches_give_each_line_its_result_or_message_in_every_layout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bits: int, block_chars: int
) -> None:
    """Blocks as small as 7 characters split lines anywhere; the line numbers stay right."""
    monkeypatch.setattr(id_command, "BLOCK_CHARS", block_chars)
    codec = load_codec(bits)
    top = 2**bits - 1
    ids = ["0", "", str(top), "x", "1,234", "-1", "9" * 4400, " 7 "]
    status, out, err = run_stdin(
        capsys, monkeypatch, "\n".join(ids), "id", "encode", "--layout", str(bits)
    )
    assert status == 2
    sentences = [codec.encode(n) for n in (0, top, 1234, 7)]
    assert out.splitlines() == sentences
    assert err.splitlines() == [
        "switchboard: error: line 4: 'x' is not a whole number",
        "switchboard: error: line 6: an ID cannot be negative: -1",
        "switchboard: error: line 7: a number of 4,400 digits is far too large for an ID",
    ]
    heard = [sentences[0], "", sentences[1].upper(), "x " * 40, "?", sentences[3] + "\r"]
    status, out, err = run_stdin(
        capsys, monkeypatch, "\n".join(heard) + "\n", "id", "decode", "--layout", str(bits)
    )
    assert status == 2
    assert out.splitlines() == ["0", str(top), "7"]
    problems = err.splitlines()
    assert [line.split(":")[2] for line in problems] == [" line 4", " line 5"]
    assert "words are far too many" in problems[0]
    assert "the sentence is empty" in problems[1]


def test_a_clean_stdin_batch_exits_0_with_nothing_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences = [default_codec().encode(n) for n in range(0, 2**32, 2**22)]
    status, out, err = run_stdin(capsys, monkeypatch, "\n".join(sentences), "id", "decode")
    assert (status, err) == (0, "")
    assert out.splitlines() == [str(n) for n in range(0, 2**32, 2**22)]


def test_an_ambiguous_line_on_stdin_lists_its_candidates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = f"{LEOPARDS}\n20 furzy leopards strode intensely\n"
    status, out, err = run_stdin(capsys, monkeypatch, stdin, "id", "decode")
    assert (status, out) == (2, "2474137653\n")
    assert err.splitlines() == [
        "switchboard: error: line 2: 'furzy' could be the adjective 'furry' or 'fuzzy'; say which",
        "  candidate: 2484623413  20 furry leopards strode intensely",
        "  candidate: 2485671989  20 fuzzy leopards strode intensely",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"20 {'q' * 2000} leopards strode intensely", "2,000 letters, longer than any adjective"),
        ("7" * 4215, "4,215 characters are far too many"),
        ("leopards " * 11_112, "100,007 characters are far too many"),
    ],
    ids=["2000-letter word", "4215 digits", "100 kB"],
)
def test_a_huge_line_gets_its_message_at_once(line: str, message: str) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "id", "decode"],
        input=f"{LEOPARDS}\n{line}\n{LEOPARDS}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert time.perf_counter() - started < 10  # a fresh interpreter; the line itself is ms
    assert result.returncode == 2
    assert result.stdout.splitlines() == ["2474137653", "2474137653"]
    assert result.stderr.startswith("switchboard: error: line 2: ")
    assert message in result.stderr


def test_bytes_that_are_not_utf8_cost_only_their_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "id", "decode"],
        input=f"{LEOPARDS}\n20 \xffxultant\n{LEOPARDS}\n".encode("latin-1"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout.decode().splitlines() == ["2474137653", "2474137653"]
    assert result.stderr.decode().startswith("switchboard: error: line 2: ")
