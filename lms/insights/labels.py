"""What the item analysis's flags mean, in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FLAG_LABELS = {
    "easy": _l("Almost everyone answers it correctly (at least 90%)"),
    "hard": _l("Few answer it correctly (at most 20%)"),
    "negative": _l("Negative discrimination: the lower group does better than the upper group"),
    "low": _l("Low discrimination (below 0.2)"),
    "unpicked": _l("A choice nobody picks"),
}
