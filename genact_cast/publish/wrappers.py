"""Commands that run another command given on their command line (`sudo vim f`, `ssh box
htop`, `docker exec -it web vim f`, `kubectl exec -it pod -- vim`): one grammar for all,
read from publish/data/wrappers.tsv, so that a full-screen session's subtitle names the
program run, not the wrapper (review-exports20 WARN 5: `[ssh]`, `[docker]`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from genact_cast.publish.data_files import DATA


@dataclass(frozen=True)
class Wrapper:
    """One row of wrappers.tsv: the wrapper's words, its options that take the next word as
    their value, how many words of its own follow its options (a host, an image), and
    whether the command's words are joined into one string a shell runs (ssh's)."""

    words: tuple[str, ...]
    values: frozenset[str]
    own: int
    string: bool


@cache
def wrappers() -> tuple[Wrapper, ...]:
    """The wrappers, the longest first (`docker container run` before `docker run`)."""
    text = (DATA / "wrappers.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    found = [
        Wrapper(tuple(name.split()), frozenset(values.split()) - {"-"}, int(own), string == "yes")
        for name, values, own, string, _source in rows[1:]
    ]
    return tuple(sorted(found, key=lambda wrapper: -len(wrapper.words)))


def unwrapped(words: list[str]) -> tuple[list[str], str | None, bool]:
    """The words of the command a wrapper at the head of `words` runs, and the wrapper's
    name: its first word, given when it has words of its own and runs nothing named (`ssh
    box` or `docker run -it ubuntu`: a remote shell, the image's own command), else None.
    `words` as they are if no wrapper heads them. True if the command is one string a shell
    runs (ssh's: `ssh box 'cd src && vim main.c'`)."""
    for wrapper in wrappers():
        rest = _after(wrapper, words)
        if rest is None:
            continue
        rest = _options(wrapper, rest)
        own = 0
        while rest and own < wrapper.own:
            rest = _options(wrapper, rest[1:])  # (kubectl takes its flags after the pod too)
            own += 1
        if rest[:1] == ["--"]:
            rest = rest[1:]
        named = wrapper.words[0] if wrapper.own and own == wrapper.own and not rest else None
        return rest, named, wrapper.string
    return words, None, False


def _after(wrapper: Wrapper, words: list[str]) -> list[str] | None:
    """The words after the wrapper's own (its options may stand between them: `kubectl -n
    web exec`), or None if it is not the wrapper."""
    if not words or words[0] != wrapper.words[0]:
        return None
    rest = words[1:]
    for word in wrapper.words[1:]:
        rest = _options(wrapper, rest)
        if not rest or rest[0] != word:
            return None
        rest = rest[1:]
    return rest


def _options(wrapper: Wrapper, words: list[str]) -> list[str]:
    """`words` without the options at their head (and the values those take)."""
    at = 0
    while at < len(words) and words[at].startswith("-") and words[at] != "--":
        at += 2 if words[at] in wrapper.values and at + 1 < len(words) else 1
    return words[at:]
