"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with a `_claimreview` extension.

Every `_claimreview` object, the feed's and each item's, starts with "about": the URL of the
site's page on what each field means (JSON Feed 1.1 asks extensions for one).
Published item: the usual JSON Feed fields plus
  "_claimreview": {"about": <URL>, "status": "published", "changed": <RFC 3339 store time>,
                   "verdicts": [{claim, verdict, category, ratingValue}], "claimReview": [JSON-LD...],
                   "corrections": [{date, note}, ...]}
A verdict's `verdict` is its label in the fact-check's language (the scale's translation when
the settings give one); `category` is the same in every language.
`corrections` is the fact-check's corrections log (empty when there is none), so an aggregator
can tell a correction from any other edit.
Retracted item (a tombstone: it stays in the feed, so pollers learn of the retraction):
  "title": "Retracted: <headline>" (in the fact-check's language), "content_text": <reason>,
  "_claimreview": {"about": <URL>, "status": "retracted", "deleted": true, "retracted": <date>,
                   "reason": <reason>, "changed": <RFC 3339 store time>}
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from feed.site.syndication import EntryView

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed_item(view: EntryView, templates: Environment, about: str) -> dict[str, Any]:
    fc = view.fc
    item: dict[str, Any] = {
        "id": view.id,
        "url": view.url,
        "date_published": view.published,
        "date_modified": view.modified,
        "language": fc.language,
    }
    if view.retracted:
        reason = fc.retraction.reason if fc.retraction else ""
        item.update(
            title=view.retracted_title,
            content_text=reason,
            _claimreview={
                "about": about,
                "status": "retracted",
                "deleted": True,
                "retracted": view.modified,
                "reason": reason,
                "changed": view.changed,
            },
        )
        return item
    item.update(
        title=fc.headline,
        content_html=templates.get_template("feed_item.html").render(view=view, t=view.messages),
        summary=view.summary,
        _claimreview={
            "about": about,
            "status": "published",
            "changed": view.changed,
            "verdicts": view.verdicts(),
            "claimReview": view.claimreviews(),
            "corrections": view.corrections(),
        },
    )
    if fc.authors:
        item["authors"] = [{"name": a.name, **({"url": a.url} if a.url else {})} for a in fc.authors]
    if fc.tags:
        item["tags"] = list(fc.tags)
    if fc.image:
        item["image"] = fc.image.url
    return item


def json_feed(
    *,
    title: str,
    home_page_url: str,
    feed_url: str,
    icon: str,
    favicon: str,
    items: list[dict[str, Any]],
    next_url: str | None,
    since_url: str | None,
    hub: str | None,
    about: str,
    language: str | None = None,
    description: str = "Fact-checks with their verdicts and ClaimReview markup, most recently changed first.",
) -> dict[str, Any]:
    """The feed document; `language` when every item is in that language (a feed filtered by it)."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": title,
        "home_page_url": home_page_url,
        "feed_url": feed_url,
        "description": description,
        "icon": icon,
        "favicon": favicon,
        "items": items,
    }
    if language:
        feed["language"] = language
    if next_url:
        feed["next_url"] = next_url
    if hub:
        feed["hubs"] = [{"type": "WebSub", "url": hub}]
    feed["_claimreview"] = {"about": about}
    if since_url:
        # Poll this next: only what changed after the newest change in this response.
        feed["_claimreview"]["since_url"] = since_url
    return feed
