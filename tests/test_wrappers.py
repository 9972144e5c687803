"""publish/data/wrappers.tsv: a program run through any wrapper in it, with any of the
wrapper's options, is the program a session is named by (review-exports20 WARN 5)."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.publish.vtt_sessions import SCREENS, typed_program
from genact_cast.publish.wrappers import wrappers

_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789._@:/", min_size=1, max_size=12)


@st.composite
def wrapped(draw: st.DrawFn) -> tuple[str, str]:
    """A command line that runs a screen program through a wrapper, and that program."""
    wrapper = draw(st.sampled_from(wrappers()))
    program = draw(st.sampled_from(sorted(SCREENS)))
    words = [wrapper.words[0]]
    for word in wrapper.words[1:]:
        words += [*draw(_options(wrapper.values)), word]
    words += draw(_options(wrapper.values))
    for _ in range(wrapper.own):
        words.append(draw(_WORD))
    if draw(st.booleans()):
        words.append("--")
    words += [program, *draw(st.lists(_WORD, max_size=3))]
    return shlex.join(words), program


def _options(values: frozenset[str]) -> st.SearchStrategy[list[str]]:
    """Options as typed: one that takes the next word with its value, a flag (`-it`)."""
    flags = [flag for flag in ("-it", "-t", "--rm", "-q") if flag not in values]
    one = st.sampled_from(flags).map(lambda flag: [flag])
    if values:
        one = one | st.tuples(st.sampled_from(sorted(values)), _WORD).map(list)
    return st.lists(one, max_size=3).map(lambda groups: [w for group in groups for w in group])


@given(wrapped())
def test_a_screen_program_run_through_a_wrapper_names_the_session(case: tuple[str, str]) -> None:
    command, program = case
    assert typed_program(f"$ {command}") == program, command  # (a row: its prompt, then it)


def test_each_wrapper_names_its_source_and_options() -> None:
    assert {" ".join(w.words) for w in wrappers()} >= {"sudo", "ssh", "docker run", "kubectl exec"}
    for wrapper in wrappers():
        assert all(value.startswith("-") for value in wrapper.values), wrapper


def test_a_program_xargs_runs_on_the_terminal_names_the_session() -> None:
    """`xargs -o` reopens the terminal for the program it runs (review-exports23 WARN 10:
    `echo uni.txt | xargs -o vim -u NONE` was told as [xargs])."""
    assert typed_program("$ echo uni.txt | xargs -o vim -u NONE") == "vim"
    assert typed_program("$ find . -name '*.c' | xargs -n 1 -o less") == "less"
