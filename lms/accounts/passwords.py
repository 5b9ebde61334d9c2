"""Password hashing with argon2id, and the check of a chosen password (ADR 0030).

A chosen password is refused when it is too short, too long, or easy to guess: zxcvbn
(its dictionaries of common passwords, words and names, keyboard patterns and dates) estimates
fewer than 10^8 guesses, counting the person's own email, names and the site's name as the
first words an attacker tries (NIST SP 800-63B: a blocklist of common and context-specific
passwords, no composition rules).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

_hasher = PasswordHasher()

#: The longest password accepted; zxcvbn looks at the first ZXCVBN_LENGTH characters only.
MAX_LENGTH = 256
ZXCVBN_LENGTH = 72
#: zxcvbn's score 3: at least 10^8 guesses, "safely unguessable" behind a slow hash and throttling.
MIN_SCORE = 3

# zxcvbn keeps the caller's words in a module-level dictionary during a call.
_zxcvbn_lock = threading.Lock()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, verify against a dummy one so it takes as long."""
    try:
        return _hasher.verify(password_hash or DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def context_words(values: Iterable[str | None]) -> list[str]:
    """The words of a person and a site an attacker tries first: each value and its parts."""
    words = set()
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.add(value)
        words.update(part for part in re.split(r"[\s@._+\-]+", value) if len(part) >= 3)
    return sorted(words)


def password_problem(password: str, min_length: int, context: Iterable[str] = ()) -> str | None:
    """Why this password may not be chosen, in the visitor's language, or None if it may."""
    if len(password) < min_length:
        return _("The password must be at least %(n)d characters long.", n=min_length)
    if len(password) > MAX_LENGTH:
        return _("The password must be at most %(n)d characters long.", n=MAX_LENGTH)
    if password.strip() != password or not password.strip():
        return _("The password must not begin or end with spaces.")
    context = list(context)
    result = _estimate(password, context)
    if result["score"] < MIN_SCORE:
        if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
            return _context_message()
        return _(
            "This password is too common or too easy to guess. "
            "Use a longer phrase of several unrelated words."
        )
    rest = _without_words(password, context)
    if rest != password.lower() and _estimate(rest, [])["score"] < MIN_SCORE:
        return _context_message()
    return None


def _context_message() -> str:
    return _("The password must not be made of your name, your email address or the site's name.")


def _estimate(password: str, context: list[str]) -> dict:
    from zxcvbn import zxcvbn  # its dictionaries load in about 0.1 s: when a password is chosen

    with _zxcvbn_lock:
        return zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=context)


def _without_words(password: str, context: list[str]) -> str:
    """The password, lower-cased, without the context words of 4 characters or more it contains:
    what is left must be hard to guess on its own (``Somchai.Jaidee2024`` leaves ``.2024``)."""
    rest = password.lower()
    for word in sorted(context, key=len, reverse=True):
        if len(word) >= 4:
            rest = rest.replace(word, "")
    return rest


# A real hash to verify against when the email is unknown or the account has no password, so
# a failed login takes the same time whatever the reason. Made once with argon2-cffi's default
# parameters (hash_password("not-a-real-password")) and written here, so that importing this
# module does not spend a hash's time (ADR 0034).
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$CdgbWBDBtZz+SiuMwMe2AQ$6gYzaDuXPak4yLYjcTGsrRETIYagYd7glnUIejLqwa4"
)
