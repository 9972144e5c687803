"""Subtitles against review-exports14's findings (its casts copied to tests/data/subtitles,
recorded by the reviewer in a pty with asciinema 2.4, or cut down from one by hand)."""

from __future__ import annotations

from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.test_vtt import SUBTITLES, cues, cues_of_file, lines


def test_a_pager_that_quits_at_once_leaves_output_not_a_session() -> None:
    """Item 6: `git -C repo diff HEAD~1 --stat` through git's pager (`less -FRX` sends
    `ESC[?1h ESC=`, the two lines, then gives the keys back at once): told `[git]` and its
    output lost, because the cursor leaving the command's row counted as a third row
    painted. The player shows the two lines under the command, nothing full-screen.
    review14_g4f.cast is the reviewer's cut-down of the same events (it was `[it]`)."""
    found = cues_of_file("review14_s6.cast", SUBTITLES)
    assert ("00:00:09.626", [" f.txt | 1 +", " 1 file changed, 1 insertion(+)"]) in found
    assert "[git]" not in lines(found)
    found = cues_of_file("review14_g4f.cast", SUBTITLES)
    assert found[1] == ("00:00:09.626", [" f.txt | 1 +", " 1 file changed"]), found


def test_a_pager_opened_by_a_call_at_a_repl_is_named_for_the_function() -> None:
    """Item 9: `help(len)` typed at python3's `>>>` opens its pager: the session was
    `[help(len]` (the name cut at a closing parenthesis only)."""
    found = cues_of_file("review14_s8.cast", SUBTITLES)
    assert ("00:00:04.737", ["[help]"]) in found, found


def test_a_clip_cut_by_end_at_has_no_cue_past_its_end() -> None:
    """Item 8: with --start-at 4.3 --end-at 8.0 (a 3.7 s clip) the last cue ran to 4.369,
    the minimum second of a cast's last cue; the clip's video ends at 3.7 s."""
    with open_cast(str(SUBTITLES / "review14_s4.cast")) as reader:
        clip = Clip(start_at="4.3", end_at="8.0")
        found = cues(render_vtt(Timeline(reader.header, reader.events(), clip)))
    assert found[-1] == ("00:00:03.369", ["bye 👋"]), found
    with open_cast(str(SUBTITLES / "review14_s4.cast")) as reader:
        vtt = render_vtt(Timeline(reader.header, reader.events(), clip))
    assert vtt.rstrip().split("\n\n")[-1].startswith("00:00:03.369 --> 00:00:03.700")
