"""Subtitles against review-exports14's findings (its casts copied to tests/data/subtitles,
recorded by the reviewer in a pty with asciinema 2.4, or cut down from one by hand)."""

from __future__ import annotations

from tests.test_vtt import SUBTITLES, cues_of_file, lines


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
