"""What the desk tells an editor after a change readers can see (a publication, an edit of a
published fact-check, a retraction): how long readers may still be shown the previous version,
and whether the static build has the change yet.

Pages and feeds go out with `Cache-Control: max-age=cache_max_age,
stale-while-revalidate=cache_stale_while_revalidate` (feed.render.caching), so a browser or CDN that
fetched the old version may keep showing it that long; an editor who does not know this
thinks the change failed.
"""

from __future__ import annotations

from pathlib import Path

from babel.units import format_unit

from feed.render.context import Context
from feed.site.datafile import built_snapshot
from widget.i18n import Messages


def duration(seconds: int, t: Messages) -> str:
    """`seconds` in words, exactly, in the largest unit that divides it ("10 minutes", "90 seconds")."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", locale=t.locale)
    return format_unit(seconds, "duration-second", locale=t.locale)


def change_notes(ctx: Context, t: Messages, done: str) -> list[str]:
    """The notes after `done` ("published", "retracted", or a save of a published fact-check)."""
    headline = {"published": t.gettext("Published."), "retracted": t.gettext("Retracted.")}.get(done)
    notes = [headline] if headline else []
    fresh, stale = ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate
    if fresh > 0:
        notes.append(t.gettext(
            "Readers who opened it before may be shown the previous version for up to %(fresh)s: "
            "browsers and caches keep a copy that long.", fresh=duration(fresh, t),
        ))  # fmt: skip
    if stale > 0:
        notes.append(t.gettext(
            "A CDN in front of the site may go on showing the previous version for up to %(stale)s "
            "more while it fetches the new one.", stale=duration(stale, t),
        ))  # fmt: skip
    if fresh <= 0 and stale <= 0:
        notes.append(t.gettext("Readers see the change at once: pages are not kept in caches."))
    if ctx.settings.build_dir:
        built = built_snapshot(Path(ctx.settings.build_dir))
        if built is not None and built >= ctx.store.snapshot():
            notes.append(t.gettext("The static build has this change."))
        else:
            notes.append(t.gettext("The static build is being updated with this change; it takes a few seconds."))
    return notes
