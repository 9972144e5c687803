"""Subtitles (--vtt) against what asciinema-player 3.18 shows, from review-exports4's casts:
each line told once, a wrapped line whole, wide characters as their cells."""

from __future__ import annotations

import time
from pathlib import Path

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.vtt import render_vtt, same_line, session_name
from genact_cast.sources import open_cast

SCREENS = Path(__file__).resolve().parent / "data" / "screens"
# Real recordings of review-exports6 (asciinema 2.4 in a tmux pty) read for their subtitles
# alone: not among the screens each compared with the player (test_player_parity), minutes each.
SUBTITLES = SCREENS.parent / "subtitles"


def cues_of(events: list[tuple[float, str]], cols: int, rows: int) -> list[tuple[str, list[str]]]:
    timed = [Event(round(time * 1_000_000), OUTPUT, data) for time, data in events]
    return cues(render_vtt(Timeline(Header(cols, rows), timed)))


def cues_of_file(name: str, folder: Path = SCREENS) -> list[tuple[str, list[str]]]:
    with open_cast(str(folder / name)) as reader:
        return cues(render_vtt(Timeline(reader.header, reader.events())))


def cues(vtt: str) -> list[tuple[str, list[str]]]:
    blocks = [b.splitlines() for b in vtt.split("\n\n")[1:] if b.strip()]
    return [(b[0].split(" --> ")[0], b[1:]) for b in blocks]


def lines(found: list[tuple[str, list[str]]]) -> list[str]:
    return [line for _, texts in found for line in texts]


def test_lines_a_full_screen_program_covered_are_not_told_again_when_it_exits() -> None:
    """review-exports4 item 1 (longwrap.cast): a wrapped line's rows that end on a space
    were held against the restored rows with their blanks, so the line came back as new
    when vim exited; the player shows nothing new but the prompt."""
    words = "word " * 60
    found = cues_of(
        [
            (0.3, "$ "),
            (0.6, "echo long"),
            (0.9, "\r\n" + words + "\r\n$ "),
            (1.5, "vim x"),
            (1.8, '\r\n\x1b[?1049h\x1b[H\x1b[2J~\r\n~\r\n"x" [New]'),
            (2.5, "\x1b[?1049l$ "),
            (3.0, "exit\r\n"),
        ],
        40,
        10,
    )
    assert [t for t in lines(found) if "word" in t] == [words.rstrip()]
    assert "00:00:02.500" not in dict(found)


def test_text_written_on_the_prompt_row_a_full_screen_program_restored_is_told() -> None:
    """review-attack6 item 10: the prompt row was taken when the program covered it, so
    what was then written after that prompt (`$ done`) was in no cue; the player shows it."""
    found = cues_of(
        [
            (0.1, "$ "),
            (0.2, "\x1b[?1049h\x1b[Hfull screen"),
            (1.0, "\x1b[?1049l"),
            (1.2, "done\r\n"),
            (1.5, "second line\r\n$ "),
        ],
        80,
        24,
    )
    assert ("00:00:01.200", ["$ done"]) in found
    assert lines(found).count("$ done") == 1
    assert "second line" in lines(found)


def test_a_pagers_wrapped_lines_are_not_told_again_after_man_exits() -> None:
    """A real recording (asciinema 2.4, bash, 80x24): `git log --stat` in git's pager, then
    `man ls`; quitting man restored the shell's screen, whose top row is the rest of a
    commit message's wrapped line. Before: a cue at 8.258 s with that fragment."""
    found = cues_of_file("gitlog_man.cast")
    assert "00:00:08.258" not in dict(found)
    told = lines(found)
    assert told[told.index("[man]") + 1 :] == ["$ exit", "exit"]  # nothing told again


def test_lines_a_resize_brings_back_after_a_program_are_not_told_again() -> None:
    """A real recording: a full-width (CJK) line and `seq 1 12` at 80x24, vim resized to
    50x12, the shell widened to 90x20, htop resized to 70x18. The lines vim's narrowing
    pushed to the scrollback come back with the widening: the player shows nothing new
    then. Before: the command and its output again at 6.870 s, with gaps."""
    found = cues_of_file("vim_htop_resize.cast")
    told = lines(found)
    assert sum("printf" in t for t in told) == 1
    assert "00:00:06.870" not in dict(found)
    assert [t for t in told if t.isdigit()] == [str(n) for n in range(1, 13)]


def test_a_wrapped_line_of_wide_characters_is_joined_by_its_cells() -> None:
    """review-exports4 item 2: 14 CJK characters in 20 columns are 10 on one row and 4 on
    the next; the player shows no gap. A row a wide character did not fit in ends one
    cell short: that empty cell is no space either."""
    han = "漢字" * 7
    found = cues_of([(0.3, "$ cat cjk.txt\r\n"), (0.9, han + "\r\n$ ")], 20, 6)
    assert han in lines(found)
    odd = "a" + "漢字" * 7  # 'a' + 9 wide: 19 cells, the 10th wide goes to the next row
    found = cues_of([(0.3, "$ cat a\r\n"), (0.9, odd + "\r\n$ ")], 20, 6)
    assert odd in lines(found)
    found = cues_of([(0.5, "123456789漢字\r\n12345678漢X\r\n123456789😀Z\r\n")], 10, 10)
    assert lines(found) == ["123456789漢字", "12345678漢X", "123456789😀Z"]  # (wide.cast)
    spaced = "漢字漢字 " * 4  # a space the line has is kept
    found = cues_of([(0.9, spaced + "\r\n$ ")], 20, 6)
    assert spaced.rstrip() in lines(found)


def test_a_wrapped_line_whose_first_row_scrolls_away_at_once_is_one_line() -> None:
    """review-exports4 item 5 (altdup3.cast): 100 x's in 40 columns, scrolled by the lines
    after it in the same event: one line of 100, not 40 and then 60."""
    found = cues_of([(0.3, "$ "), (0.6, "echo\r\n" + "x" * 100 + "\r\n1\r\n2\r\n3\r\n$ ")], 40, 6)
    assert [t for t in lines(found) if "x" in t] == ["x" * 100]
    found = cues_of([(0.6, "y" * 100 + "\r\n" + "".join(f"{n}\r\n" for n in range(9)))], 40, 6)
    assert [t for t in lines(found) if "y" in t] == ["y" * 100]


def test_a_program_that_paints_the_primary_screen_is_one_cue() -> None:
    """review-exports4 item 3: top -d 1 (procps-ng, no alternate screen here) and git's
    pager (LESS=FRX: less without the alternate screen), real recordings. Each takes the
    arrow keys (DECCKM, `ESC [ ? 1 h`) and paints many rows; before, top was its column
    header and then a 22-line dump of its last screen, and each page of the pager a cue."""
    found = cues_of_file("top_no_alternate.cast")
    assert lines(found) == ["$ top -d 1", "[top]", "$ exit", "exit"]
    # (its command typed 0.2 s before: one cue, not one flashed: review-exports8 item 12)
    assert dict(found)["00:00:01.600"] == ["$ top -d 1", "[top]"]
    told = lines(cues_of_file("gitlog_man.cast"))
    assert told[: told.index("[man]") + 1] == [
        "$ git -C /work/review-exports4 log --stat --color=always",
        "[git]",
        "$ man ls",
        "[man]",
    ]


def test_a_shell_that_takes_the_arrow_keys_at_its_prompt_is_no_program() -> None:
    """zsh frameworks (oh-my-zsh's zle-line-init) send `ESC [ ? 1 h` at each prompt and
    `ESC [ ? 1 l` when a command is entered: what is typed there and printed after it is
    told as usual."""
    events = [(0.2, "\x1b[?1h\x1b=% "), (0.5, "l"), (0.6, "s"), (0.9, "\r\n\x1b[?1l\x1b>")]
    events += [(1.0, "a\r\nb\r\nc\r\nd\r\n"), (1.2, "\x1b[?1h\x1b=% ")]
    events += [(1.5, "p"), (1.6, "s"), (1.9, "\r\n\x1b[?1l\x1b>e\r\nf\r\n\x1b[?1h\x1b=% ")]
    told = ["% ls", "a", "b", "c", "d", "% ps", "e", "f"]
    assert lines(cues_of(events, 20, 12)) == told  # (the last: a quick command, one event)


def test_a_redraw_is_judged_on_the_whole_line_in_linear_time() -> None:
    """item 8: same_line judged rows by their first 160 characters (difflib's ratio is
    quadratic), so two 1,000-column log lines with one prefix were one line redrawn. Now
    the whole line counts, and a redraw of a long bar is still one."""
    head = "[INFO|trainer.py:2519] 2026-10-13 20:56:05,914 >> " * 4
    one = head + "".join(f"loss={n / 7:.5f} " for n in range(60))
    two = head + "".join(f"saving shard {n} of 60 to ./out; " for n in range(30))
    assert min(len(one), len(two)) > 800
    assert one[:160] == two[:160]
    assert not same_line(one, two)
    bar = "{:3d}%|{}| {}/5055 [1:53:52<54:00,  1.94s/it] " + "x" * 900
    assert same_line(bar.format(3, "▍" * 2, 150), bar.format(50, "█" * 30, 2527))
    assert same_line("ETA: 1h 00m", "ETA: 59m")  # a dashboard's field
    start = time.process_time()  # (CPU time: the work, not the machine's load)
    for n in range(10):  # (uncached: each pair is new)
        same_line(one + str(n) * 3000, two + str(n) * 3000)
    assert time.process_time() - start < 2.0  # difflib: 1.6 s a pair at 1,000 columns


def test_a_multiplexers_panes_are_told_not_summed_up() -> None:
    """review-exports4 item 4: tmux (a real recording: `ls -la /etc | head -30`, a split
    with `%`, printf with CJK, a split with `"`, `echo bottom pane`) was one `[tmux]` cue
    for the whole session. Its panes hold shells: what the player shows in them is told,
    each line once (not again rewrapped when a split narrows the pane), without the status
    bar or the borders."""
    found = cues_of_file("tmux_split.cast")
    told = lines(found)
    assert "[tmux]" not in told
    assert told[-5:] == ["root@vm:/tmp/rx4/rec# echo bottom pane", "bottom pane", "[exited]",
                         "$ exit", "exit"]  # fmt: skip
    assert "green 漢字" in told
    listing = [t for t in told if t[:1] in "-dl" and ("root" in t or "20" in t)]
    assert len(listing) == len(set(listing)) >= 20
    assert not any(t.startswith(("c  5 11:38", "n 24  2025", "[0] 0:")) for t in told)
    assert not any("\u2500\u2500\u2500" in t or "\u2502" in t for t in told)


def test_a_wide_character_in_a_one_column_terminal_is_no_error() -> None:
    """(found by tests/test_export_fuzz.py: a wrapped row with no cell at all)"""
    assert lines(cues_of([(0.1, ""), (0.2, "\u2e80")], 1, 1)) == []


def test_a_wrapped_space_is_kept_when_its_row_scrolls_away_before_any_screen() -> None:
    """(found by the hard2 helper) rows that scroll away in the cast's first event were
    measured against a width of 0, so the space ending a wrapped row was lost."""
    many = "xxxxxxxxx yyyy\r\n" + "".join(f"l{i}\r\n" for i in range(8))
    assert lines(cues_of([(0.0, many), (1.0, "$ ")], 10, 5))[0] == "xxxxxxxxx yyyy"


def test_a_session_is_named_for_the_last_command_of_a_chain() -> None:
    """review-exports5 item 6 (L1.cast, R4.cast): `cd src && vim main.c` was `[cd]`. The
    shell runs the chain's commands in turn: the full-screen one is the last (a `cd` or
    an operator inside quotes names nothing)."""
    for typed, name in (
        ("cd src && vim main.c", "[vim]"),
        ("cd /work/main && git log --stat -5", "[git]"),
        ("make || FOO=1 sudo less 'a;b.log'", "[less]"),
        ("cd x; top; cd -", "[top]"),
    ):
        found = cues_of(
            [
                (0.1, "$ "),
                (0.5, typed),
                (0.6, "\r\n"),
                (0.7, "\x1b[?1049h\x1b[H\x1b[2Jsomething\r\n~\r\n~"),
                (2.0, "\x1b[?1049l$ "),
                (3.0, "echo back\r\nback\r\n$ "),
            ],
            40,
            10,
        )
        assert name in lines(found), (typed, found)


def test_what_a_program_prints_as_it_exits_on_the_bottom_row_is_all_that_is_told() -> None:
    """review-exports5 item 1 (T4.cast; toptmux.cast, recorded with asciinema 2.4): tmux
    leaves the alternate screen and prints `[exited]` on the bottom row in one event, so
    the restored screen scrolls before it is shown. The player shows the shell's screen
    moved up by those lines: only they are new (the cue repeated the whole screen)."""
    numbers = "".join(f"{n}\r\n" for n in range(1, 13))
    for left, new in (
        ("[exited]\r\n", ["[exited]"]),
        (
            "[detached (from session 0)]\r\n[server exited]\r\n",
            ["[detached (from session 0)]", "[server exited]"],
        ),
    ):
        found = cues_of(
            [
                (0.1, "$ "),
                (0.5, "seq 12"),
                (0.6, "\r\n" + numbers + "$ "),
                (1.5, "tmux"),
                (1.6, "\r\n"),
                (1.7, "\x1b[?1049h\x1b[H\x1b[2Jbash-5.2# "),
                (3.0, "\x1b[?1049l" + left + "$ "),
                (4.0, "echo back\r\nback\r\n$ "),
            ],
            40,
            14,
        )
        assert dict(found)["00:00:03.000"] == new
        assert lines(found).count("12") == 1


def test_a_pager_on_the_primary_screen_under_a_bottom_prompt_keeps_its_command() -> None:
    """review-exports5 item 2 (R7.cast; pagers.cast, recorded with asciinema 2.4: git's
    default pager and `less -X`): with the prompt on the bottom row, the Enter scrolled
    every row, which read as the pager painting before it had drawn anything, and the
    command was lost. The player shows `$ git log` typed, then the pages."""
    old = "".join(f"old {n}\r\n" for n in range(13))
    commits = "".join(f"commit {n:040d}\r\nAuthor: x\r\n\r\n    msg {n}\r\n\r\n" for n in range(2))
    more = "\r\x1b[Kmore 0\r\nmore 1\r\nmore 2\r\n:"
    for steps in (
        [(1.0, "git log"), (1.01, "\r\n"), (1.02, "\x1b[?1h\x1b=\r"), (1.05, commits + ":")],
        [(1.0, "less -X log.txt\r\n\x1b[?1h\x1b=\r" + commits + ":")],  # one screen
    ):
        found = cues_of(
            [
                (0.1, old + "$ "),
                *steps,
                (2.5, more),
                (3.5, "\r\x1b[K\x1b[?1l\x1b>"),
                (3.6, "$ "),
            ],
            50,
            14,
        )
        told = lines(found)
        command = "$ " + (steps[0][1].split("\r")[0])
        name = "[git]" if "git" in command else "[less]"
        assert command in told, found
        assert told.index(command) + 1 == told.index(name)


def test_a_line_written_over_in_place_is_told_as_it_was_shown() -> None:
    """review-exports5 item 3 (H5.cast, H6.cast): a later event that writes over a row
    without erasing it (`\\e[6H` then text; a make-style status rewritten after `\\e[2A`)
    lost the line the player had shown there. A redraw that changes numbers or a bar (a
    progress line) is still the same line, told as the player shows it over time: its
    first value from when it appeared, then the value it settles on (review-exports11
    item 3)."""
    found = cues_of(
        [
            (0.1, "$ a\r\n1\r\n2\r\n3\r\n4\r\n"),
            (1.0, "building module one\r\n"),
            (2.0, "\x1b[6Hxyz\x1b[10H$ "),
        ],
        40,
        10,
    )
    assert dict(found)["00:00:01.000"] == ["building module one"]
    assert dict(found)["00:00:02.000"] == ["xyzlding module one"]
    found = cues_of(
        [
            (0.1, "$ make\r\n"),
            (1.0, "[1/3] compiling a.c\r\n[2/3] compiling b.c\r\n"),
            (2.0, "\x1b[2A\r[1/3] done     \x1b[2B\r$ "),
        ],
        40,
        10,
    )
    assert dict(found)["00:00:01.000"] == ["[1/3] compiling a.c", "[2/3] compiling b.c"]
    found = cues_of(
        [(0.1, "$ get\r\n"), (1.0, "fetching  10% [#     ]"), (2.0, "\rfetching  60% [####  ]")],
        40,
        10,
    )
    assert [(time, t) for time, texts in found for t in texts if "fetching" in t] == [
        ("00:00:01.000", "fetching  10% [#     ]"),
        ("00:00:02.000", "fetching  60% [####  ]"),
    ]


def test_lines_scrolled_out_of_a_region_below_the_first_row_are_told() -> None:
    """review-exports5 item 4 (H1.cast, alts.cast): lines that scrolled out of a region
    whose top margin is below row 1 (`\\e[3;7r`), or that the text drawn into it wrote
    over before it scrolled, were in no cue; the player showed them from 0.1 to 2.0. A
    region from row 1 (apt's) was told already."""
    found = cues_of(
        [
            (0.1, "$ a\r\n1\r\n2\r\n3\r\n4\r\n"),
            (1.0, "after " + "#" * 40 + "\r\n"),
            (
                2.0,
                "\x1b[3;7r\x1b[3H" + "".join(f"sr{n}\n\r" for n in range(8)) + "\x1b[r\x1b[10H$ ",
            ),
        ],
        40,
        10,
    )
    assert dict(found)["00:00:00.100"] == ["$ a", "1", "2", "3", "4"]
    assert dict(found)["00:00:01.000"] == ["after " + "#" * 40]
    assert [t for t in lines(found) if t.startswith("sr")][:3] == ["sr0", "sr1", "sr2"]


def test_a_clip_that_starts_inside_a_full_screen_state_starts_with_its_summary() -> None:
    """review-exports5 item 5 (pagers.cast with --start-at 3.5): a clip that starts on a
    page git's pager painted on the primary screen (gitlog_man.cast, recorded with
    asciinema 2.4: LESS=FRX) began with a dump of that page, where the whole cast tells
    it as `[git]`; one that starts inside man (the alternate screen) was a nameless
    `[full-screen program]`. The player shows the page there: a listener hears what it
    is (the program's cue), then what comes, as in the whole cast."""

    def told(start: str) -> list[tuple[str, list[str]]]:
        with open_cast(str(SCREENS / "gitlog_man.cast")) as reader:
            clip = Clip(start_at=start)
            return cues(render_vtt(Timeline(reader.header, reader.events(), clip)))

    whole = lines(told("0"))
    assert whole[:4] == [
        "$ git -C /work/review-exports4 log --stat --color=always",
        "[git]",
        "$ man ls",
        "[man]",
    ]
    assert told("3") == [  # the pager still running at the start
        ("00:00:00.000", ["[git]"]),
        ("00:00:02.200", ["$ man ls", "[man]"]),  # (typed 0.14 s before it started)
        ("00:00:06.258", ["$ exit", "exit"]),
    ]
    assert told("5.1") == [  # its page left on the screen, the prompt under it
        ("00:00:00.000", ["[git]"]),
        ("00:00:00.100", ["$ man ls", "[man]"]),
        ("00:00:04.158", ["$ exit", "exit"]),
    ]
    assert told("6")[0] == ("00:00:00.000", ["[man]"])  # inside the alternate screen
    # After man, the page restored is still the pager's, the line under it is earlier,
    # and `exit` typed at the prompt 58 ms in is a cue of its own (review-exports6 item 5).
    assert told("9.2") == [
        ("00:00:00.000", ["[git]", "[1 earlier line]"]),
        ("00:00:00.058", ["$ exit", "exit"]),
    ]


def test_a_clip_that_starts_in_the_shell_tells_the_command_in_progress_not_the_screen() -> None:
    """review-exports6 item 4 (s5.cast --start-at 13, s1.cast --start-at 14): a clip that
    started on the shell's screen opened with every line on it (21 lines of an earlier
    `seq 1 40` and command). The player shows the screen; a listener hears how many
    earlier lines it holds, then the command typed or running at the start, with the
    output it has given so far, and what comes."""
    seq = "$ seq 1 40\r\n" + "".join(f"{n}\r\n" for n in range(1, 41))
    events = [
        (0.1, seq + "$ "),
        (1.0, "echo hi"),
        (1.5, "\r\nhi\r\n$ "),
        (3.0, "make"),
        (3.5, "\r\nbuilding a\r\n"),
        (4.5, "building b\r\n$ "),
    ]
    timed = [Event(round(t * 1_000_000), OUTPUT, data) for t, data in events]

    def told(start: str) -> list[tuple[str, list[str]]]:
        return cues(render_vtt(Timeline(Header(40, 10), timed, Clip(start_at=start))))

    assert told("2") == [  # a prompt waits: all of the screen is earlier
        ("00:00:00.000", ["[9 earlier lines]"]),
        ("00:00:01.000", ["$ make"]),
        ("00:00:01.500", ["building a"]),
        ("00:00:02.500", ["building b"]),
    ]
    assert told("4") == [  # make runs: its command and output so far, then what comes
        ("00:00:00.000", ["[7 earlier lines]", "$ make", "building a"]),
        ("00:00:00.500", ["building b"]),
    ]


def test_a_line_wrapped_at_a_scroll_regions_bottom_margin_is_one_line() -> None:
    """A line written on the bottom row of a scroll region that ends above the last row
    wraps with a scroll of the region; avt (v0.9.0, buffer.rs `scroll_up`) drops its wrap
    flag there, and the subtitles told it as two lines. The player shows one line going
    on in the row below, as a wrap anywhere else: one subtitle line, however many rows."""
    for region, top in (("\x1b[1;5r", "\x1b[5H"), ("\x1b[3;7r", "\x1b[7H")):
        for length in (60, 130):
            line = "".join(chr(ord("A") + n // 20) for n in range(length))
            found = cues_of(
                [
                    (0.1, "$ a\r\n1\r\n2\r\n"),
                    (1.0, region + top + line + "\r\n"),
                    (2.0, "".join(f"x{n}\r\n" for n in range(7)) + "\x1b[r\x1b[10H$ "),
                ],
                40,
                10,
            )
            assert dict(found)["00:00:01.000"] == [line], (region, length, found)


def test_a_pagers_first_page_under_a_top_prompt_is_its_cue_not_its_lines() -> None:
    """review-exports5 item 2's control case (R9.cast): with the prompt on the top row,
    a page longer than the screen scrolled its first lines away as it was drawn, and they
    were told as lines before `[git]`; with the prompt at the bottom the page is the
    cue alone. The command typed is still told, and the shell's lines before it."""
    commits = "".join(f"commit {n:040d}\r\nAuthor: x\r\n\r\n    msg {n}\r\n\r\n" for n in range(6))
    for steps in (
        [(1.0, "git log"), (1.01, "\r\n"), (1.02, "\x1b[?1h\x1b=\r"), (1.05, commits + ":")],
        [(1.0, "less -X log.txt\r\n\x1b[?1h\x1b=\r" + commits + ":")],  # one event
    ):
        found = cues_of(
            [
                (0.1, "$ echo hi\r\nhi\r\n$ "),
                *steps,
                (2.5, "\r\x1b[K" + "".join(f"more {n}\r\n" for n in range(10)) + ":"),
                (3.5, "\r\x1b[K\x1b[?1l\x1b>"),
                (3.6, "$ "),
            ],
            50,
            14,
        )
        command = "$ " + steps[0][1].split("\r")[0]
        name = "[git]" if "git" in command else "[less]"
        assert lines(found) == ["$ echo hi", "hi", command, name], found


def test_a_command_typed_ahead_is_a_cue_of_its_own() -> None:
    """review-exports6 item 5 (h10.cast; s11.cast, recorded with asciinema 2.4): keys typed
    while a command runs are echoed with the next prompt, so the command's first character
    showed 40 ms after the output's last line and the command was merged into that
    output's cue ("done\\n$ ls -l"). The player shows `done`, then `$ l` growing into the
    command: a command typed is its own cue, and its output another."""
    found = cues_of(
        [
            (0.1, "$ "),
            *((0.5 + 0.08 * n, key) for n, key in enumerate("make")),
            (0.9, "\r\n"),
            (1.0, "building\r\n"),
            (2.0, "done\r\n"),
            (2.04, "$ "),
            (2.0405, "l"),
            *((2.12 + 0.08 * n, key) for n, key in enumerate("s -l")),
            (2.6, "\r\n"),
            (2.65, "total 0\r\n$ "),
        ],
        40,
        8,
    )
    assert found[:4] == [
        ("00:00:00.500", ["$ make"]),
        ("00:00:01.000", ["building"]),
        ("00:00:02.000", ["done"]),
        ("00:00:02.040", ["$ ls -l"]),
    ]
    assert found[4][0] == "00:00:02.650"
    assert found[4][1][0] == "total 0"


def test_a_command_redrawn_under_a_completion_list_is_told_once() -> None:
    """review-exports6 item 6 (s8.cast, bash 5.2 with `show-all-if-ambiguous`, recorded
    with asciinema 2.4): Tab printed the candidates under `$ cat rep` and drew the prompt
    and the line again under them (one event, as at 11.398 s there); the cue was
    `$ cat rep`, then the list and `$ cat report_one.txt`. The player shows the list, then
    the command completed and run once: told once, from its first key (review-exports7
    item 7), then the list. Also when the Tab scrolls the screen (the prompt on the
    bottom row); a command run, then one typed that starts with it, is two."""
    for above in ("", "".join(f"old {n}\r\n" for n in range(8))):
        found = cues_of(
            [
                (0.1, above + "$ "),
                *((0.5 + 0.08 * n, key) for n, key in enumerate("cat rep")),
                (1.2, "\r\nreport_one.txt  report_two.txt  \r\n$ cat report_"),
                (2.0, "o"),
                (2.1, "ne.txt "),
                (2.4, "\r\n"),
                (2.5, "one\r\n$ "),
                *((3.0 + 0.08 * n, key) for n, key in enumerate("ls")),
                (3.3, "\r\na  b\r\n$ "),
                *((4.0 + 0.08 * n, key) for n, key in enumerate("ls -l")),
                (4.6, "\r\ntotal 0\r\n$ "),
            ],
            40,
            10,
        )
        told = lines(found)
        assert "$ cat rep" not in told, found
        assert ("00:00:00.500", ["$ cat report_one.txt"]) in found
        start = told.index("$ cat report_one.txt")
        assert told[start:] == [
            "$ cat report_one.txt",
            "report_one.txt  report_two.txt",
            "one",
            "$ ls",
            "a  b",
            "$ ls -l",
            "total 0",
        ], found
    # A list longer than the screen: the draft scrolled away before the line came back.
    events = [(0.1, "$ "), *((0.5 + 0.08 * n, key) for n, key in enumerate("cat rep"))]
    events += [(1.2, "\r\nr1\r\nr2\r\nr3\r\nr4\r\n$ cat rep"), (2.0, "o"), (2.4, "\r\n")]
    assert cues_of([*events, (2.5, "one\r\n$ ")], 20, 3) == [
        ("00:00:00.500", ["$ cat repo"]),
        ("00:00:01.200", ["r1", "r2", "r3", "r4"]),
        ("00:00:02.500", ["one"]),
    ]


def test_a_prompt_left_with_nothing_typed_is_no_line_of_output() -> None:
    """review-exports6 item 7 (s1.cast, bash and python3's REPL; s3.cast, zsh with a right
    prompt; recorded with asciinema 2.4): a prompt left with nothing typed after it (Ctrl-L,
    `clear`, Ctrl-D, Enter) was told with the output above it ("after clear\\n$",
    "hi there\\n>>>", "100.0%\\n/tmp/rv6/w #   ...   [0]"). The player shows the prompt,
    which says nothing a listener needs; nor is the prompt waiting at the end (review-
    exports7 item 9), but a question left unanswered on screen (`Password: `) is output."""
    zsh = "\x1b[34m/tmp/rv6/w\x1b[39m # \x1b[K\x1b[63C\x1b[32m[0]\x1b[39m\x1b[66D"
    for events, cols, output in (
        ([(1.0, "after clear\r\n$ "), (1.6, "\x1b[H\x1b[2J$ ")], 40, "after clear"),
        ([(1.0, "hi there\r\n>>> "), (1.5, "\r\n"), (1.51, "$ ")], 40, "hi there"),
        ([(1.0, "#### 100.0%\r\n" + zsh), (2.1, "\x1b[H\x1b[2J" + zsh)], 80, "#### 100.0%"),
    ):
        steps = [*events, *((3.0 + 0.08 * n, key) for n, key in enumerate("ls")), (3.3, "\r\n")]
        found = cues_of([(0.1, "$ run\r\n"), *steps, (3.4, "a  b\r\n$ ")], cols, 8)
        assert found[1][1] == [output], found
        assert lines(found)[-1] == "a  b"
    found = cues_of([(0.1, "$ sudo ls\r\n"), (0.5, "Password: "), (2.0, "\r\na  b\r\n$ ")], 40, 8)
    assert lines(found) == ["$ sudo ls", "Password:", "a  b"]


def test_narrowing_the_terminal_keeps_the_lines_in_their_order() -> None:
    """review-exports6 item 8 (h8.cast; s6.cast, recorded with asciinema 2.4, 80x24 to
    60x16): a resize read before the next key typed at the prompt put the prompt it left
    first in the cue of the output above it ("$\\nfile0.txt..."), and told it again. The
    player shows the listing, then the prompt with the command typed."""
    files = "".join(f"file{n}.txt\r\n" for n in range(5))
    timed = [(0.1, "$ "), (0.5, "l"), (0.6, "s"), (0.7, "\r\n"), (1.0, files), (1.02, "$ ")]
    events = [Event(round(time * 1_000_000), OUTPUT, data) for time, data in timed]
    events.append(Event(2_000_000, RESIZE, "20x8"))
    typed = [(3.0, "e"), (3.1, "x"), (3.2, "\r\n")]
    events += [Event(round(time * 1_000_000), OUTPUT, data) for time, data in typed]
    found = cues(render_vtt(Timeline(Header(40, 8), events)))
    assert found == [
        ("00:00:00.500", ["$ ls"]),
        ("00:00:01.000", [f"file{n}.txt" for n in range(5)]),
        ("00:00:03.000", ["$ ex"]),
    ]


def test_text_drawn_over_in_place_before_a_person_can_read_it_is_not_told() -> None:
    """review-exports6 items 1-2, on its real recordings (asciinema 2.4 in a tmux pty):
    fish draws its `⏎` mark for output without a newline and erases it with `\\e[K`
    before any screen shows it (fish_session.cast: a `⏎` cue after every command);
    IPython's grey suggestion, shown 80 ms, is erased with the command line redrawn
    without it (zsh_ipython.cast: `In [2]: x = [i*i ...]` told as a command never run);
    bash's reverse search redraws its line at each key, each state shown under 0.1 s
    (bash_reverse_search.cast). The player shows none of them long enough to read."""
    fish = lines(cues_of_file("fish_session.cast", SUBTITLES))
    assert "⏎" not in "\n".join(fish)
    assert "hello fish" in fish
    ipython = lines(cues_of_file("zsh_ipython.cast", SUBTITLES))
    at = ipython.index("In [1]: x = [i*i for i in range(5)]")
    assert ipython[at + 1 : at + 3] == ["In [2]: x", "Out[2]: [0, 1, 4, 9, 16]"]
    search = lines(cues_of_file("bash_reverse_search.cast", SUBTITLES))
    assert not [t for t in search if t.startswith("(reverse-i-search)`fi")], search
    assert "$ echo first command" in search
    # The review's minimal casts (h4, g1): the same, from the bytes.
    typed = [(0.5 + 0.1 * n, c) for n, c in enumerate("echo hi")]
    mark = "\x1b[2m\u23ce\x1b(B\x1b[m" + " " * 39 + "\r\u23ce \r\x1b[K"
    found = cues_of([(0.1, "> "), *typed, (1.2, "\r\n"), (1.21, "hi\r\n"), (1.212, mark),
                     (1.225, "> "), (3.0, "x")], 40, 6)  # fmt: skip
    assert lines(found) == ["&gt; echo hi", "hi", "&gt; x"]
    found = cues_of(
        [
            (0.1, "In [1]: "),
            (2.0, "x\x1b[38;5;241m = 1\x1b[0m\x1b[4D"),
            (2.08, "\r\x1b[J\x1b[32mIn [2]: \x1b[0mx\r\n"),
            (2.1, "Out[2]: 1\r\n\r\nIn [3]: "),
        ],
        60,
        8,
    )
    assert [t for t in lines(found) if "= 1" in t] == []


def test_a_full_screen_program_that_comes_back_is_named() -> None:
    """review-exports6 item 9 (s5.cast, s8.cast, s9.cast; vim 9 and bash 5.2 recorded with
    asciinema 2.4): vim coming back after `:!ls` ("Press ENTER or type command to
    continue" on the shell's row), `fg` of a stopped vim (bash prints the job's command
    line, `vim long.txt`, then vim switches), and `git log --oneline | head -3 && vim
    notes.txt` (output between the command and the switch) were `[full-screen program]`:
    the row above the switch has no command. The player shows vim each time."""
    vim = "\x1b[?1049h\x1b[H\x1b[2Jhello\r\n~\r\n~"
    for steps in (
        [
            (0.9, "\r\n"),
            (1.0, vim),
            (2.0, "\x1b[?1049l\r\nfile.txt\r\n\r\nPress ENTER or type command to continue"),
            (3.0, vim),
        ],
        [
            (0.9, "\r\n"),
            (1.0, vim),
            (2.0, "\x1b[?1049l\r\n[1]+  Stopped                 vim x\r\n$ "),
            (2.5, "f"),
            (2.6, "g"),
            (2.8, "\r\nvim x\r\n"),
            (3.0, vim),
        ],
        [(0.9, "\r\nabc123 one\r\ndef456 two\r\n"), (1.0, vim)],
    ):
        typed = "git log --oneline | head -3 && vim x" if len(steps) == 2 else "vim x"
        found = cues_of(
            [
                (0.1, "$ "),
                *((0.3 + 0.01 * n, key) for n, key in enumerate(typed)),
                *steps,
                (4.0, "\x1b[?1049l$ "),
                (4.5, "exit\r\n"),
            ],
            60,
            10,
        )
        names = [t for t in lines(found) if t.startswith("[") and t.endswith("]")]
        assert names == ["[vim]"] * (1 if len(steps) == 2 else 2), found


def test_an_inline_finder_is_one_cue_then_its_choice() -> None:
    """review-exports6 item 3 (bash_fzf_inline.cast: `ls | fzf --height 40%` in bash,
    recorded with asciinema 2.4 in a tmux pty): fzf draws its list under the prompt on the
    primary screen, reading the mouse (`?1000h`), not the arrow keys' codes, and its
    query line `> ` read as a shell prompt: the cues were fragments of the list and the
    counter. The player shows the list, erased at Enter, and the choice printed: `[fzf]`,
    then `long.txt`. A program is named for the last command of a pipeline or of a
    command substitution (fish's `set x (ls | fzf)` was `[set]`)."""
    told = lines(cues_of_file("bash_fzf_inline.cast", SUBTITLES))
    at = told.index("$ ls | fzf --height 40%")
    assert told[at + 1 : at + 3] == ["[fzf]", "long.txt"], told
    assert not [t for t in told if "8/8" in t or t.startswith("&gt; ")], told
    assert session_name("$ set x (ls | fzf)") == "fzf"
    assert session_name("$ git log --oneline | head -3 && vim notes.txt") == "vim"
    assert session_name("$ x=$(find . | fzf)") == "fzf"


def test_lines_written_over_rows_and_scrolled_away_in_one_event_are_told_as_written() -> None:
    """review-exports6 item 11 (h3.cast): `\\e[2;5r\\e[2;1H` and `scroll0`...`scroll7`,
    each ending in `\\r\\n`, written in one event over rows a full-screen program had
    restored: scroll0-2 were in no cue (their rows' old lines were told before) and one
    line was `scroll3er47`, the old row's tail kept. The player shows scroll5-7 in the
    region once the event is drawn; the lines that went through it are told as written.
    The same over the whole screen (no region): rows restored, written over, scrolled;
    rows the player showed before they were written over are told as shown too."""
    rows = "".join(f"old line {n}\r\n" for n in range(4)) + "    after47\r\n"
    session = [(1.0, "\x1b7\x1b[?1049h\x1b[HALT1049"), (1.5, "\x1b[?1049l\x1b8")]
    for region, bottom, count, before in (
        ("\x1b[2;5r", 5, 8, session),
        ("", 8, 12, session),
        ("\x1b[2;5r", 5, 8, []),
        ("", 8, 12, []),  # (rows shown, not told yet, written over)
    ):
        found = cues_of(
            [
                (0.1, "$ prog\r\n" + rows),
                *before,
                (2.0, region + "\x1b[2;1H" + "".join(f"scroll{n}\r\n" for n in range(count))),
                (3.0, f"\x1b[r\x1b[{bottom};1Hend"),
            ],
            40,
            8,
        )
        told = lines(found)
        assert [t for t in told if t.startswith("scroll")] == [f"scroll{n}" for n in range(count)]
        assert [t for t in told if t.startswith("old")] == [f"old line {n}" for n in range(4)]


def test_output_without_a_final_newline_is_told_before_the_command_after_it() -> None:
    """review-exports6 item 10 (s11.cast, bash 5.2 recorded with asciinema 2.4 at 17.622 s:
    `no newline` and the prompt in one event): output that does not end with a newline
    has the next prompt drawn after it on its row, and was told only with the command
    typed there ("no newline$ for i in ..."). The player shows it from when it was
    printed: its own cue, then the command after its prompt. A prompt that grew
    (`(venv) $ `, after a blank) is no output."""

    def typing(at: float, keys: str) -> list[tuple[float, str]]:
        return [(at + 0.08 * n, key) for n, key in enumerate(keys)]

    found = cues_of(
        [
            (0.1, "$ "),
            *typing(0.3, 'printf "no newline"'),
            (2.0, "\r\nno newline$ "),
            *typing(3.0, "ls"),
            (3.3, "\r\na  b\r\n(venv) $ "),
            *typing(4.0, "pwd"),
            (4.4, "\r\n/tmp\r\n$ "),
        ],
        60,
        10,
    )
    assert found[1:4] == [
        ("00:00:02.000", ["no newline"]),
        ("00:00:03.000", ["$ ls"]),  # (not read twice: review-exports7 item 3)
        ("00:00:03.300", ["a  b"]),
    ]
    assert found[4] == ("00:00:04.000", ["(venv) $ pwd"])


def test_zshs_mark_for_a_line_without_a_newline_ends_that_line() -> None:
    """review-exports6 item 5 (s3.cast, zsh 5.9 recorded with asciinema 2.4: `cd /tmp`
    typed ahead, then zsh's PROMPT_SP): zsh ends output not ended by a newline with its
    mark (`%`, `#` for root, in standout) and blanks past the right edge, then `\\r \\r` and
    the prompt on the row they wrapped onto. The terminal keeps the first row wrapped, so
    the subtitle joined the output, 70 blanks and the prompt row with the command typed
    there into one line, with the right prompt (`[0]`). The player shows two rows: two
    lines, the command its own cue, without the right prompt as when the prompt waited.
    The mark itself is not told (review-exports15 items 9 and 12: it is no text the
    program wrote; the listener needs the output line, not `percent` read after it)."""
    mark = "\x1b[1m\x1b[7m%\x1b[27m\x1b[1m\x1b[0m" + " " * 79 + "\r \r"
    # (the right prompt ends a column short of the edge: ZLE_RPROMPT_INDENT=1, as in s3)
    prompt = "\r\x1b[0m\x1b[J\x1b[34m~/w\x1b[39m % \x1b[K\x1b[70C\x1b[32m[0]\x1b[39m\x1b[73D"
    events = [(0.1, prompt), *((0.3 + 0.08 * n, key) for n, key in enumerate("printf x"))]
    events += [(1.2, "\r\nno newline"), (1.21, mark + prompt)]
    events += [(2.0 + 0.08 * n, key) for n, key in enumerate("ls")]
    found = cues_of([*events, (2.5, "\r\na  b\r\n" + prompt)], 80, 10)
    assert found[1:4] == [
        ("00:00:01.200", ["no newline"]),
        ("00:00:02.000", ["~/w % ls"]),
        ("00:00:02.500", ["a  b"]),
    ]
    # Typed ahead: the prompt never waits; the command goes on left of the right prompt.
    typed_ahead = [(0.2 + 0.08 * n, key) for n, key in enumerate("cd /tmp")]
    typed_ahead += [(0.8, "#" + " " * 79 + "\r \r" + prompt + "cd /tmp")]
    typed_ahead += [(1.0 + 0.08 * n, key) for n, key in enumerate("/w")]
    found = cues_of([*typed_ahead, (1.5, "\r\n"), (1.6, "done\r\n")], 80, 6)
    assert found[:3] == [
        ("00:00:00.200", ["cd /tmp"]),
        ("00:00:00.800", ["~/w % cd /tmp/w"]),
        ("00:00:01.600", ["done"]),
    ]


def test_a_completion_menu_under_the_command_being_typed_is_not_output() -> None:
    """review-exports6 item 6 (s3.cast at 8.326 s, zsh 5.9 with `menu select`; s2.cast, fish
    3.6's pager; recorded with asciinema 2.4): the line editor draws the candidates under
    the command and puts the cursor back on its row; they were told after the command as
    though it had printed them. The player shows them while the command is typed; the
    line editor erases them at Enter: the command is told, then what it printed."""
    events = [(0.1, "% "), *((0.3 + 0.08 * n, key) for n, key in enumerate("ls rep"))]
    events += [(1.0, "\r\r\n\x1b[Jreport_one.txt  report_two.txt\x1b[A\r\x1b[2Cls report_")]
    events += [(1.5, "one.txt"), (2.0, "\r\r\n\x1b[Jreport_one.txt\r\n% ")]
    assert cues_of(events, 40, 8) == [
        ("00:00:00.300", ["% ls report_one.txt"]),
        ("00:00:02.000", ["report_one.txt"]),
    ]


def test_a_result_drawn_where_its_preview_was_is_output() -> None:
    """review-exports7 item 1 (node1.cast, Node.js 20's REPL recorded with asciinema 2.4):
    the REPL draws a grey preview of the result under the line being typed, the cursor back
    on its row (the line editor's: not told); at Enter it erases the preview and writes the
    result, the same text in yellow, on the same row. The player shows `3` from 7.28 s; the
    row, taken as a preview, was never told."""
    events = [(0.1, "> "), (0.2, "1"), (0.3, "+")]
    events += [(0.4, "2\r\n\x1b[90m3\x1b[39m\x1b[6G\x1b[1A")]  # the preview, cursor back up
    events += [(1.3, "\x1b[1B\x1b[2K\x1b[1A\r\r\n"), (1.31, "\x1b[33m3\x1b[39m\r\n\x1b[0J> ")]
    assert lines(cues_of(events, 40, 8)) == ["&gt; 1+2", "3"]


def test_a_row_erased_then_scrolled_away_after_a_resize_is_no_crash() -> None:
    """Found by test_time_options' hostile casts: a resize to two rows, `\\e[2J`, then a
    line that wraps over more rows than the screen has: the erased row scrolled above the
    screen before the next screen was read, and settling it indexed the rows with a
    negative row (IndexError, a traceback)."""
    events = [
        Event(250_000, OUTPUT, "line\r\n" * 6),
        Event(500_000, RESIZE, "10x2"),
        Event(750_000, OUTPUT, "\x1b[2J"),
        Event(1_000_000, OUTPUT, "a" * 45),
    ]
    found = cues(render_vtt(Timeline(Header(20, 4), events)))
    assert set("".join(found[-1][1])) == {"a"}, found
