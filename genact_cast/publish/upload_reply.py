"""What an asciinema server answered to an upload, read as a hostile server's words: the
recording URL checked before it is printed, the server's message shown only when it is
short plain prose, and the install ID never shown, in any form the server could echo it.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from genact_cast.asciicast.json_limits import DECODER, DuplicateKey
from genact_cast.errors import GenactCastError
from genact_cast.publish.markdown import is_host_name

MAX_DETAIL_CHARS = 200
MAX_URL_CHARS = 2048  # a recording URL is short; a longer one is not shown
CHECKED_CHARS = 4096  # how much of a server message is read for the install ID
REDACTED = "[install ID hidden]"


class UploadError(GenactCastError):
    """The server did not take the cast."""


@dataclass(frozen=True)
class Reply:
    """What the server answered, read within the limits."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Uploaded:
    url: str
    message: str | None

    @property
    def markdown(self) -> str:
        from genact_cast.publish.markdown import for_recording

        return for_recording(self.url)[0]

    @property
    def html(self) -> str:
        from genact_cast.publish.markdown import for_recording

        return for_recording(self.url)[1]


def install_id_forms(user: str, install_id: str) -> list[str]:
    """The install ID in every form a server could echo it: as it is, in either case,
    without its dashes, reversed, in rot13; each of those in base64 (standard and
    URL-safe, padded or not), base32, base16, base85, Ascii85 and percent-encoding; and
    the Basic credentials it travels in. Longest first, so a form inside another goes
    with it. Case is ignored where the encoding ignores it (hex, base32)."""
    import codecs
    from urllib.parse import quote

    plain = {install_id, install_id.replace("-", ""), install_id[::-1]}
    plain |= {codecs.encode(form, "rot13") for form in plain}
    plain |= {form.upper() for form in plain} | {form.lower() for form in plain}
    encoded: set[str] = set()
    for form in [*plain, f"{user}:{install_id}"]:
        data = form.encode()
        for text in (
            base64.b64encode(data), base64.urlsafe_b64encode(data), base64.b32encode(data),
            base64.b16encode(data), base64.b85encode(data), base64.a85encode(data),
        ):  # fmt: skip
            value = text.decode("ascii")
            encoded |= {value, value.rstrip("=")}
        encoded.add(quote(form, safe=""))
    # Short forms (of a short ID) would hide ordinary words: the ID itself always goes.
    found = {form for form in plain | encoded if len(form) >= 8} | {install_id}
    return sorted(found - {""}, key=lambda form: (-len(form), form))


def _redact(text: str, secrets: list[str]) -> str:
    import re

    pattern = "|".join(re.escape(secret) for secret in secrets)
    # Case-insensitively: hex and base32 read the same in either case; a base64 form
    # that matches another one's case-folding is hidden too, which only errs on the safe side.
    return re.sub(pattern, REDACTED, text, flags=re.IGNORECASE) if pattern else text


WITHHELD = "(the server's message was withheld: it held an encoded token)"
ID_WITHHELD = "(the server's message was withheld: it holds the install ID)"
# An allow-list, since no list of encodings of the install ID is ever complete (base64
# of its raw bytes, character references, code points, ...): the server's own words are
# shown only when they are short plain ASCII prose. Not a run of 16 characters of a
# base64/base32/hex alphabet, not 8 numbers in a row, no character references, percent
# or backslash escapes. The install-ID check (id_echo) stays as the second defence.
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{16}")
_NUMBERS = re.compile(r"(?:[0-9]+[^A-Za-z0-9]+){7}[0-9]")
_ESCAPES = re.compile(r"[&#%\\]")


def plain(text: str) -> bool:
    """Whether a server's message may be shown as it is (see WITHHELD)."""
    flat = " ".join(text[:CHECKED_CHARS].split())
    return (
        len(text) <= CHECKED_CHARS
        and flat.isascii()
        and flat.isprintable()
        and not _TOKEN.search(flat)
        and not _NUMBERS.search(flat)
        and not _ESCAPES.search(flat)
    )


def result(reply: Reply, secrets: list[str], install_id: str) -> Uploaded:
    """The upload's outcome from the server's reply: the recording, or one line saying
    what went wrong. Nothing the server says shows the install ID: known forms are
    redacted, and a text that reveals it in any other form (id_echo) is not shown."""
    from genact_cast.publish.id_echo import reveals

    status = reply.status
    if status in (200, 201):
        url, message = _recording(reply)
        if reveals(url, install_id):
            raise UploadError(
                f"the server took the cast ({status}), but its recording URL holds the "
                "install ID, so it is not shown"
            )
        if message is not None:
            message = _shorten(message) if plain(message) else WITHHELD
            # (said so, as a message the allow-list refuses is: review-attack13 F2 found
            # it dropped without a word)
            message = ID_WITHHELD if reveals(message, install_id) else _redact(message, secrets)
        return Uploaded(_redact(url, secrets), message)
    detail = _server_message(reply)
    # The shown part, and enough after it for an encoding that starts inside it.
    if reveals(detail[:CHECKED_CHARS], install_id):
        raise UploadError(
            f"upload failed: HTTP {status}; the server's reply holds the install ID, so it "
            "is not shown"
        )
    if detail and not plain(detail):
        detail = WITHHELD
    detail = _redact(f": {_shorten(detail)}" if detail else "", secrets)
    if status == 401:
        raise UploadError(
            "the server does not know this install ID; run `genact-cast auth` and open the "
            "link it prints to tie it to your account"
        )
    if status == 403:
        raise UploadError(f"the server refused the upload (403 Forbidden){detail}")
    if status == 413:
        raise UploadError("the cast is larger than the server accepts (413)")
    if status == 422:
        raise UploadError(f"the server rejected the cast{detail or ' (422)'}")
    if status >= 500:
        raise UploadError(f"the server is having problems ({status}); try again later")
    if 300 <= status < 400:
        raise UploadError(f"upload failed: the server answered {status} with nowhere to go")
    raise UploadError(f"upload failed: HTTP {status}{detail}")


def _recording(reply: Reply) -> tuple[str, str | None]:
    """The recording's URL and the server's message, from a 200 or 201 reply."""
    text = reply.body.decode("utf-8", "replace")
    if reply.content_type.startswith("application/json"):
        try:
            # Keys named twice are refused, as in a cast's header: which `url` a reader
            # takes would otherwise be the parser's choice.
            body = DECODER.decode(text)
        except DuplicateKey as exc:
            raise UploadError(f"the server said it took the cast, but in its reply {exc}") from None
        except (ValueError, RecursionError):
            raise UploadError(
                "the server said it took the cast, but its reply is not JSON"
            ) from None
        url = body.get("url") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        message = message if isinstance(message, str) else None
    else:
        url, message = text.strip(), None  # the older API answers with the URL alone
    if not isinstance(url, str) or not url:
        raise UploadError("the server said it took the cast, but its reply has no recording URL")
    problem = _url_problem(url)
    if problem is not None:
        raise UploadError(
            f"the server said it took the cast, but the recording URL in its reply {problem}"
        )
    from genact_cast.publish.markdown import recording_problem

    if recording_problem(url) is not None:
        # The snippets printed next are made from it (ID, .svg, .js): held to what
        # `embed URL --markdown` takes, or `/a/1)<script>…[x](` gave a nonsense ID.
        raise UploadError(
            "the server said it took the cast, but its reply has no recording URL "
            "(https://host/a/ID)"
        )
    return url, message


def _url_problem(url: str) -> str | None:
    """Why a reply's recording URL is not printed (it is not shown: it may be hostile)."""
    if len(url) > MAX_URL_CHARS:
        return f"is longer than {MAX_URL_CHARS:,} characters"
    if not url.isascii() or not url.isprintable() or " " in url:
        return "holds spaces, controls or characters outside ASCII"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "is not an http(s) URL"
    # No user name or password: the URL is printed and goes into badges and snippets.
    if "@" in parts.netloc:
        return "carries user info (a name or password)"
    if not host or not is_host_name(host):
        return "has no valid host name"
    return None


def _server_message(reply: Reply) -> str:
    """What the server said went wrong, flattened to one line ("" for nothing)."""
    text = reply.body.decode("utf-8", "replace").strip()
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        return " ".join(text.split())
    if isinstance(body, dict):
        for key in ("message", "error", "errors"):
            if body.get(key):
                value = body[key]
                return " ".join((value if isinstance(value, str) else json.dumps(value)).split())
    return ""


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_DETAIL_CHARS else flat[: MAX_DETAIL_CHARS - 1] + "…"
