"""The static build: every public representation that a fixed URL addresses, written as files.

Any web server or CDN can then serve the site with no Python in the read path (see
deploy/nginx.conf). A URL's file is its path, with `.html` added to paths without an extension
(`/checks/x` is `checks/x.html`, `/` is `index.html`); each file is written next to `.gz` and
`.br` copies (images excepted), never seen half-written (feed.build.files). The bytes are the
renderer's (feed.site.renderer), the very bytes the dynamic server answers for the same URL.

A fact-check has at most 12 files: its page, JSON twin, oEmbed answer, share image and up to
CARD_FILES cards (`card_paths`); every theme of a card is one file. A full build runs on worker
processes for a large archive (feed.build.workers) and draws each share image once per picture
(feed.build.images).

After a full build, `update` rewrites only what a set of changed fact-checks touched: their
pages, cards and oEmbed answers, the pages and feeds of every tag, claimant and author they
have or had, the listings (home pages, the feeds' first pages, sitemaps) and the DataFeed. A
file whose bytes did not change is left alone.

Each run tells a Ledger (feed.build.manifest) every file it writes, keeps and removes, copies
included, which lists what changed for an upload and keeps the build's manifest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from feed.build.files import COPIES, copies_of, remove_file, write_file
from feed.build.images import ImageStore
from feed.build.manifest import Changes, Ledger, digest_of_file
from feed.core.problemtypes import TYPES
from feed.core.urls import BROWSE_KINDS, PATTERNS, fill
from feed.render.context import Context
from feed.render.lookup import public_factcheck
from feed.site import datafile
from feed.site.badges import badge_names
from feed.site.browse import browse_paths, every_browse_path
from feed.site.cards import served_script
from feed.site.feeds import sitemap_files
from feed.site.renderer import Renderer
from feed.site.shareimage import share_image_key
from feed.site.static_files import static_files
from feed.site.translations import language_versions
from feed.store import PUBLIC_STATUSES
from feed.store.searchentry import facets_of
from schemas.model import FactCheck
from widget.i18n import choose_language

# A fact-check's page, JSON twin, oEmbed answer and share image, and at most this many cards:
# 12 files each (before the compressed copies), however many claims and translations it has.
CARD_FILES = 8


def file_for(path: str) -> str:
    """The file, relative to the build directory, that answers URL path `path`."""
    if path == "/":
        return "index.html"
    last = path.rsplit("/", 1)[-1]
    return path.lstrip("/") + ("" if "." in last else ".html")


LISTED = 20_000  # a report names this many written paths at most (it counts them all): memory stays bounded


@dataclass
class Report:
    written: list[str] = field(default_factory=list)  # URL paths whose file changed, the first LISTED
    unlisted: int = 0  # written past those
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)  # the files an upload must send or delete

    @property
    def written_count(self) -> int:
        return len(self.written) + self.unlisted

    def wrote(self, path: str) -> None:
        if len(self.written) < LISTED:
            self.written.append(path)
        else:
            self.unlisted += 1


class Build:
    def __init__(
        self, ctx: Context, directory: Path, ledger: Ledger | None = None, images: ImageStore | None = None,
        unseen: bool = False,
    ):  # fmt: skip
        """`unseen`: `directory` is a generation no reader sees yet (feed.build.files.write_unseen)."""
        self.ctx = ctx
        self.root = directory
        self.renderer = Renderer(ctx)
        self.ledger = ledger  # told every file written, kept and removed, when there is one
        self.images = images  # share images drawn before, by what they show
        self.unseen = unseen
        self._share_image = PATTERNS["share_image"].split("{slug}")  # what comes before and after a slug

    # -- what there is to write ----------------------------------------------------

    def fixed_paths(self) -> list[str]:
        """What no fact-check's change touches: the widget, static files, badges, robots, the pages
        of problem types and of the feed's extension."""
        script = served_script()
        paths = [fill("widget_js"), fill("widget_pinned", digest=script.digest), fill("widget_manifest"),
                 fill("robots"), fill("scales_css"), fill("openapi"), fill("favicon")]  # fmt: skip
        index = static_files()
        paths += [fill("static", name=name) for name in (*index.plain, *index.fingerprinted)]
        paths += [fill("feed_extension"), *(fill("problem_type", name=name) for name in TYPES)]
        for publisher in self.ctx.publishers.values():
            paths += [fill("badge", publisher=publisher.id, index=name) for name in badge_names(publisher)]
        return paths

    def listing_paths(self) -> list[str]:
        """What any change touches: the home pages, the feeds' first pages, the sitemaps."""
        store, size = self.ctx.store, self.ctx.settings.page_size
        pages = max(1, -(-store.count(["published"]) // size))
        paths = [fill("home"), *(fill("home_page", page=n) for n in range(2, pages + 1))]
        paths += [fill("json_feed"), fill("atom_feed"), fill("sitemap"), fill("sitemap_browse")]
        paths += [fill("sitemap_part", number=n) for n in range(1, sitemap_files(store.sitemap_count()) + 1)]
        return paths

    def check_paths(self, slug: str) -> list[str]:
        """A public fact-check's page, JSON twin, oEmbed answer and every card the embed code can ask for."""
        record = self.ctx.store.get(slug)
        if record is None or record.status not in PUBLIC_STATUSES:
            return []
        fc = self.ctx.publishing.load(record.document)
        paths = [fill("check", slug=slug), fill("check_json", slug=slug), fill("check_oembed", slug=slug),
                 fill("share_image", slug=slug)]  # fmt: skip
        return paths + self.card_paths(fc)

    def card_paths(self, fc: FactCheck) -> list[str]:
        """The cards the build holds of `fc`, at most CARD_FILES: each claim in the fact-check's own
        language, then each in the languages it is translated into. One file answers every
        theme of a card (card.js reads the theme from the address; deploy/nginx.conf maps the
        path forms to it). Any other card factcard renders when asked: a claim or language past
        the budget, a language it has no translation in."""
        own = choose_language(None, fc.language)
        translated = {choose_language(v.language, fc.language) for v in language_versions(self.ctx, fc).others}
        others = sorted(translated - {own})  # a language with no catalogue falls back to its own
        paths = [fill("card", slug=fc.slug)]
        paths += [fill("card_variant", slug=fc.slug, claim=n, theme="light") for n in range(2, len(fc.claims) + 1)]
        paths += [fill("card_in_language", slug=fc.slug, claim=n, theme="light", lang=lang)
                  for lang in others for n in range(1, len(fc.claims) + 1)]  # fmt: skip
        return paths[:CARD_FILES]

    def facets_touched(self, slugs: Iterable[str]) -> set[tuple[str, str]]:
        """(kind, key) of every tag, claimant and author that any revision of `slugs` had: what a
        change to them may have put on a browse page or taken off one."""
        touched = set()
        for slug in slugs:
            for revision in self.ctx.store.revisions(slug):
                touched |= {(f.kind, f.key) for f in facets_of(revision.document, ()) if f.kind in BROWSE_KINDS}
        return touched

    def facet_files(self, kind: str, key: str) -> list[str]:
        """The files a build holds of one browse page: its first page, later pages and feeds."""
        first = file_for(fill(kind, key=key))
        return [first, *self._built_files(first.removesuffix(".html"))]

    def public_slugs(self) -> Iterator[str]:
        offset, batch = 0, 1000
        while True:
            entries = self.ctx.store.public_entries(batch, offset)  # those the sitemaps leave out too
            yield from (slug for slug, _ in entries)
            if len(entries) < batch:
                return
            offset += batch

    # -- writing -------------------------------------------------------------------

    def write(self, paths: Iterable[str], report: Report, best: bool = False) -> None:
        for path in paths:
            self.tell(path, *self.write_one(path, best), report)

    def write_one(self, path: str, best: bool = False) -> tuple[bool, dict[str, str]]:
        """Render `path` and write its file and copies unless the file holds those bytes already.

        (True, the sha256 of each file written), or (False, that of each found in place: as it is
        on disk, not as the manifest has it, since an update killed before its end wrote bytes it
        never told)."""
        relative = file_for(path)
        digests = write_file(self.root, relative, self._body(path), self.unseen, best)
        if digests:
            return True, digests
        return False, {name: digest_of_file(self.root / name) for name in copies_of(relative)
                       if (self.root / name).is_file()}  # fmt: skip

    def tell(self, path: str, written: bool, digests: dict[str, str], report: Report) -> None:
        if written:
            report.wrote(path)
        else:
            report.unchanged += 1
        if self.ledger:
            self.ledger.wrote(digests)  # what the build holds, whether written now or before

    def _body(self, path: str) -> bytes:
        """The renderer's bytes for `path`; a share image drawn before comes from the image store."""
        head, tail = self._share_image
        if self.images is None or not (path.startswith(head) and path.endswith(tail)):
            return self.renderer.render(path).body
        fc, _ = public_factcheck(self.ctx, path.removeprefix(head).removesuffix(tail))
        key = share_image_key(fc, self.ctx.publishers[fc.publisher], fc.language)
        body = self.images.get(key)
        if body is None:
            body = self.renderer.render(path).body
            self.images.put(key, body)
        return body

    def remove(self, relative: str, report: Report) -> bool:
        """Remove a built file and its copies; True if any was there."""
        gone = remove_file(self.root, relative)
        if gone:
            report.removed.append(relative)
            if self.ledger:
                self.ledger.removed(gone)
        return bool(gone)

    def full(self, workers: int = 1) -> Report:
        """Write everything, on `workers` processes when more than one (feed.build.workers), and
        remove what a previous build wrote that is no longer public: what the ledger was not told."""
        if self.ledger is None:
            raise ValueError("a full build needs a ledger: it removes what the ledger was not told")
        report, started = Report(), time.time()
        fixed, listed = self.fixed_paths(), [*self.listing_paths(), *every_browse_path(self.ctx)]
        if workers > 1:
            from feed.build.workers import write_in_processes

            write_in_processes(self, fixed, listed, self.public_slugs(), workers, report)
        else:
            self.write(fixed, report, best=True)  # they change only with a release
            self.write(listed, report)
            for slug in self.public_slugs():
                self.write(self.check_paths(slug), report)
        self._datafeed(report)
        self._remove_untold(self.ledger, report)
        if self.images is not None:
            self.images.prune(started)
        return report

    def _remove_untold(self, ledger: Ledger, report: Report) -> None:
        """Remove every file the directory holds that this run neither wrote nor found in place."""
        for folder, subfolders, names in os.walk(self.root):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            under = Path(folder).relative_to(self.root).as_posix()
            files = [name if under == "." else f"{under}/{name}" for name in names
                     if not name.startswith(".") and not name.endswith(COPIES)]  # fmt: skip
            for relative in sorted(set(files) - ledger.seen_among(files)):
                self.remove(relative, report)

    def update(self, slugs: Iterable[str]) -> Report:
        """Rewrite what changes to `slugs` touched (see the module's docstring)."""
        report = Report()
        slugs = sorted(set(slugs))
        for slug in slugs:
            paths = self.check_paths(slug)
            self.write(paths, report)
            # What it no longer has: every file, once it is not public; the cards of claims an
            # edit removed.
            kept = {file_for(path) for path in paths}
            for gone in self._files_of(slug):
                if gone not in kept:
                    self.remove(gone, report)
        for kind, key in sorted(self.facets_touched(slugs)):
            found = self.ctx.store.facet(kind, key)
            paths = browse_paths(self.ctx, kind, key, found[2]) if found else []
            self.write(paths, report)
            kept = {file_for(path) for path in paths}  # no page past its last, none once it has no fact-check
            for gone in self.facet_files(kind, key):
                if gone not in kept:
                    self.remove(gone, report)
        listings = self.listing_paths()
        self.write(listings, report)
        self._remove_listings_past(listings, report)
        self._datafeed(report)
        return report

    def _datafeed(self, report: Report) -> None:
        names = copies_of(datafile.FILE)
        if datafile.write_datafeed(self.ctx, self.root):
            report.wrote(fill("datafeed"))
            if self.ledger:
                self.ledger.wrote({name: digest_of_file(self.root / name) for name in names})
        else:
            report.unchanged += 1
            if self.ledger:
                self.ledger.kept(names)

    def _built_files(self, under: str = "", deep: bool = True) -> Iterator[str]:
        """The files a server would serve (no copies, no dot files) in the folder `under`, and
        with `deep` in its subfolders: an update looks only where its files can be."""
        folder = self.root / under
        if not folder.is_dir():
            return
        for path in folder.rglob("*") if deep else folder.iterdir():
            relative = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".") and not relative.endswith(COPIES):
                yield relative

    def _files_of(self, slug: str) -> list[str]:
        card_dir = file_for(fill("card", slug=slug)).removesuffix(".html")
        names = ("check", "check_json", "check_oembed", "share_image", "card")
        files = [file_for(fill(name, slug=slug)) for name in names]
        files += list(self._built_files(card_dir))
        return files

    def _remove_listings_past(self, listings: list[str], report: Report) -> None:
        """Home pages and numbered sitemaps past the last, after fact-checks left the lists."""
        current = {file_for(path) for path in listings}
        for kind in ("home_page", "sitemap_part"):
            pattern = fill(kind, **{"page" if kind == "home_page" else "number": 0})
            head, _, tail = file_for(pattern).partition("0")
            for path in self._built_files(head.rpartition("/")[0], deep=False):
                middle = path.removeprefix(head).removesuffix(tail)
                if path.startswith(head) and path.endswith(tail) and middle.isdigit() and path not in current:
                    self.remove(path, report)
