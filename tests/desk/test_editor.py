"""The desk's editor over HTTP: a writer writes and saves drafts, sees field errors and the
preview; a second writer's save in between comes back as a merge; only editors publish and
retract; every form needs its CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html
from starlette.testclient import TestClient

from feed.desk import previewlinks
from feed.desk.accounts import create_user
from feed.store.clock import utc_now
from schemas.formfields import to_form
from tests.conftest import demo_documents
from tests.desk.test_desk import PASSWORD, START, Clock, csrf_of, sign_in

NEW = "/desk/new"


@pytest.fixture
def people(app: Any, client: TestClient, clock: Clock) -> dict[str, TestClient]:
    """A signed-in writer and editor, each in their own client (their own cookies)."""
    store = app.state.context.store
    create_user(store, "ana@example.org", "Ana Silva", "editor", PASSWORD, START)
    create_user(store, "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    create_user(store, "cai@example.org", "Cai Wen", "writer", PASSWORD, START)
    clients = {}
    for name, email in (("writer", "ben@example.org"), ("editor", "ana@example.org"), ("other", "cai@example.org")):
        person = client if name == "writer" else TestClient(app)
        assert sign_in(person, email).status_code == 303
        clients[name] = person
    return clients


@pytest.fixture
def clock(app: Any) -> Clock:
    fake = Clock()
    app.state.desk.clock = fake
    return fake


def draft_fields(**changes: str) -> dict[str, str]:
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
    fields = to_form({k: v for k, v in document.items() if k not in ("status", "corrections")})
    return fields | {"slug": "bats-are-blind", "headline": "Are bats blind?"} | changes


def post_form(client: TestClient, url: str, fields: dict[str, str], **controls: str) -> httpx.Response:
    token = csrf_of(client.get(NEW))  # one token per session, on every form
    return client.post(url, data={"csrf": token, **fields, **controls}, follow_redirects=False)


def version_of(response: httpx.Response) -> str:
    found = re.search(r'name="version" value="(\d+)"', response.text)
    assert found, response.text[:500]
    return found.group(1)


def test_a_writer_writes_a_draft_and_sees_it_saved(people: dict[str, TestClient], app: Any) -> None:
    writer = people["writer"]
    form = writer.get(NEW)
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    tree = html.fromstring(form.text)
    assert tree.xpath('//select[@name="claims.0.verdict"]') and tree.xpath('//textarea[@name="sections.0.paragraphs"]')
    saved = post_form(writer, NEW, draft_fields())
    assert saved.status_code == 303 and saved.headers["location"].startswith(
        "http://testserver/desk/checks/bats-are-blind/edit"
    )
    record = app.state.context.store.get("bats-are-blind")
    assert record.status == "draft" and record.document["headline"] == "Are bats blind?"
    (revision,) = app.state.context.store.revisions("bats-are-blind")
    assert revision.actor is not None and revision.actor.name == "Ben Okafor"  # who saved, in the history
    page = writer.get(saved.headers["location"])
    assert "Saved as version 1." in page.text and version_of(page) == "1"
    assert writer.get("/checks/bats-are-blind").status_code == 404  # a draft is not public


def test_errors_come_back_next_to_their_fields_and_nothing_is_saved(people: dict[str, TestClient], app: Any) -> None:
    writer = people["writer"]
    fields = draft_fields(**{"claims.0.text": "", "sources.0.url": "javascript:alert(1)", "headline": ""})
    response = post_form(writer, NEW, fields)
    assert response.status_code == 422
    tree = html.fromstring(response.text)
    for name in ("headline", "claims.0.text", "sources.0.url"):
        field_id = "f-" + name.replace(".", "-")
        (error,) = tree.xpath(f'//p[@id="{field_id}-error"]')
        assert error.text_content().strip(), name
        (control,) = tree.xpath(f'//*[@id="{field_id}"]')
        assert control.get("aria-invalid") == "true" and f"{field_id}-error" in control.get("aria-describedby")
    assert tree.xpath('//input[@name="sources.0.url"]/@value') == ["javascript:alert(1)"]  # the text is kept
    assert app.state.context.store.get("bats-are-blind") is None


def test_row_buttons_change_the_form_without_saving(people: dict[str, TestClient], app: Any) -> None:
    writer = people["writer"]
    response = post_form(writer, NEW, draft_fields(), row="add:claims")
    assert response.status_code == 200
    names = html.fromstring(response.text).xpath("//textarea/@name | //input/@name | //select/@name")
    assert "claims.1.text" in names and "claims.2.text" not in names  # one click, one row
    assert app.state.context.store.get("bats-are-blind") is None


def row_counts(response: httpx.Response) -> dict[str, int]:
    tree = html.fromstring(response.text)
    return {
        name: len(tree.xpath(f'//fieldset[@data-list="{name}"]'))
        for name in ("authors", "claims", "sections", "sources")
    }


def test_add_another_adds_one_row_to_its_own_list_and_a_failed_save_adds_none(
    people: dict[str, TestClient], app: Any
) -> None:
    writer = people["writer"]
    page = writer.get(NEW)
    counts = row_counts(page)
    assert counts == {"authors": 1, "claims": 1, "sections": 1, "sources": 1}
    fields = {name: "" for name in html.fromstring(page.text).xpath('//form[@id="editor"]//*[@name]/@name')}
    fields = {name: value for name, value in fields.items() if name not in ("csrf", "row", "action", "preview")}
    for clicks in range(1, 5):  # the form as the browser sends it back, blank rows and all
        page = post_form(writer, NEW, fields, row="add:sources")
        assert row_counts(page) == counts | {"sources": 1 + clicks}
        fields = {name: "" for name in html.fromstring(page.text).xpath('//form[@id="editor"]//*[@name]/@name')}
        fields = {name: value for name, value in fields.items() if name not in ("csrf", "row", "action", "preview")}
    filled = fields | {"sources.0.title": "A", "sources.0.url": "https://example.org/a"}  # every row used
    assert row_counts(post_form(writer, NEW, filled, row="add:sources")) == counts | {"sources": 6}
    failed = post_form(writer, NEW, fields | {"headline": ""})
    assert failed.status_code == 422 and row_counts(failed) == counts | {"sources": 5}


def test_the_preview_is_the_public_page_and_card(people: dict[str, TestClient]) -> None:
    writer = people["writer"]
    page = post_form(writer, "/desk/preview", draft_fields(), preview="page")
    assert page.status_code == 200 and "frame-ancestors 'self'" in page.headers["content-security-policy"]
    tree = html.fromstring(page.text)
    assert tree.xpath("//h1")[0].text_content() == "Are bats blind?"
    assert tree.xpath('//script[@type="application/ld+json"]')  # as it will be published
    card = post_form(writer, "/desk/preview", draft_fields(), preview="card-dark")
    assert 'class="dark"' in card.text and "frame-ancestors 'self'" in card.headers["content-security-policy"]
    incomplete = post_form(writer, "/desk/preview", {"headline": "Only a headline"}, preview="page")
    assert incomplete.status_code == 200 and "summary" in incomplete.text


def test_a_save_after_someone_elses_comes_back_to_merge(people: dict[str, TestClient], app: Any) -> None:
    writer, other = people["writer"], people["other"]
    location = post_form(writer, NEW, draft_fields()).headers["location"]
    edit = location.split("?")[0]
    mine = writer.get(edit)
    theirs = other.get(edit)
    assert post_form(other, edit, draft_fields(summary="Their summary."), version=version_of(theirs)).status_code == 303
    response = post_form(writer, edit, draft_fields(headline="Are bats really blind?"), version=version_of(mine))
    assert response.status_code == 409
    tree = html.fromstring(response.text)
    assert tree.xpath('//input[@name="headline"]/@value') == ["Are bats really blind?"]  # my text, kept
    (their_summary,) = tree.xpath('//div[@class="desk-theirs"]/pre')
    assert their_summary.text_content() == "Their summary."
    assert version_of(response) == "2"  # saving again now merges over their version
    stored = app.state.context.store.get("bats-are-blind")
    assert stored.version == 2 and stored.document["summary"] == "Their summary."  # nothing overwritten
    merged = draft_fields(headline="Are bats really blind?", summary="Their summary.")
    assert post_form(writer, edit, merged, version="2").status_code == 303
    assert app.state.context.store.get("bats-are-blind").document["headline"] == "Are bats really blind?"


def test_a_writer_cannot_publish_an_editor_can(people: dict[str, TestClient], app: Any) -> None:
    writer, editor = people["writer"], people["editor"]
    edit = post_form(writer, NEW, draft_fields()).headers["location"].split("?")[0]
    assert "/desk/checks/bats-are-blind/publish" not in writer.get(edit).text
    refused = post_form(writer, "/desk/checks/bats-are-blind/publish", {}, version="1")
    assert refused.status_code == 403 and app.state.context.store.get("bats-are-blind").status == "draft"
    assert "/desk/checks/bats-are-blind/publish" in editor.get(edit).text
    published = post_form(editor, "/desk/checks/bats-are-blind/publish", {}, version="1")
    assert published.status_code == 303
    assert editor.get("/checks/bats-are-blind").status_code == 200
    assert any(item["url"].endswith("/checks/bats-are-blind") for item in editor.get("/feed.json").json()["items"])
    # A writer cannot change what is public; an editor can, and retracts with a reason.
    assert post_form(writer, edit, draft_fields(summary="Changed."), version="2").status_code == 403
    asked = post_form(editor, "/desk/checks/bats-are-blind/retract", {}, version="2", reason="Wrong bat.")
    assert asked.status_code == 200 and "Wrong bat." in asked.text and "Yes, retract it" in asked.text
    assert app.state.context.store.get("bats-are-blind").status == "published"  # only asked, not yet retracted
    retracted = post_form(editor, "/desk/checks/bats-are-blind/retract", {}, version="2", reason="Wrong bat.",
                          confirm="yes")  # fmt: skip
    assert retracted.status_code == 303
    page = editor.get("/checks/bats-are-blind").text
    assert "This fact-check has been retracted" in page and "Wrong bat." in page


def test_every_editor_form_needs_its_csrf_token(people: dict[str, TestClient], app: Any) -> None:
    writer = people["writer"]
    for url, extra in ((NEW, {}), ("/desk/preview", {"preview": "page"})):
        response = writer.post(url, data={**draft_fields(), **extra, "csrf": "forged"}, follow_redirects=False)
        assert response.status_code == 403, url
    assert app.state.context.store.get("bats-are-blind") is None


def test_the_editor_needs_a_signed_in_person(client: TestClient) -> None:
    response = client.get(NEW, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/desk/login?next=")


def test_the_seed_article_pasted_fills_the_form(people: dict[str, TestClient]) -> None:
    writer = people["writer"]
    seed = (Path(__file__).parent.parent / "fixtures" / "seed-article.txt").read_text()
    response = post_form(writer, "/desk/paste", {"article": seed, "language": "en"})
    assert response.status_code == 200
    tree = html.fromstring(response.text)
    value = {el.get("name"): (el.get("value") if el.tag == "input" else el.text_content()) for el in
             tree.xpath('//form[@id="editor"]//input | //form[@id="editor"]//textarea')}  # fmt: skip
    assert value["headline"] == "Immigration leads to child trafficking"
    assert value["slug"] == "immigration-leads-to-child-trafficking"
    assert value["datePublished"] == "2025-10-30"
    assert value["sections.0.heading"] == "A dramatic headline, a nuanced reality: what the U.S. government found"
    assert value["sections.4.heading"] == "Conflicting messages: agendas and implications in the evidence"
    assert "sections.5.heading" not in value and value["bottomLine"].startswith("Empirical evidence")  # no blank row
    assert "Keep Factually independent" not in response.text.split('id="editor"')[1]
    warnings = tree.xpath('//div[@class="desk-warnings"]//li')
    assert any("verdict" in li.text_content().lower() for li in warnings)


def test_the_desk_list_filters_by_status_language_author_and_words(people: dict[str, TestClient], app: Any) -> None:
    from feed.store.clock import utc_now

    app.state.context.publishing.import_documents(demo_documents(), utc_now())
    writer = people["writer"]
    post_form(writer, NEW, draft_fields())  # a draft, saved by Ben Okafor

    def listed(query: str) -> list[str]:
        response = writer.get("/desk" + query)
        assert response.status_code == 200, response.text
        return [a.get("href").split("/")[-2] for a in html.fromstring(response.text).xpath("//tbody//a")]

    assert listed("")[0] == "bats-are-blind"  # the most recently changed first
    assert listed("?status=draft") == ["bats-are-blind"]
    assert set(listed("?lang=es")) == {"agua-caliente-con-limon-cancer"}
    assert listed("?author=okafor") == ["bats-are-blind"]  # the last to save it
    assert listed("?q=lemon+cancer") == [] and listed("?q=lim%C3%B3n") == ["agua-caliente-con-limon-cancer"]
    assert listed("?status=retracted") == ["council-ban-street-musicians"]
    page = writer.get("/desk?status=draft").text
    assert "Ben Okafor" in page
    assert writer.get("/desk?status=deleted").status_code == 400
    assert writer.get("/desk?lang=%3Cx%3E").status_code == 400


def test_an_editor_corrects_with_a_public_note_and_the_history_shows_every_change(
    people: dict[str, TestClient], app: Any
) -> None:
    writer, editor = people["writer"], people["editor"]
    edit = post_form(writer, NEW, draft_fields()).headers["location"].split("?")[0]
    assert post_form(editor, "/desk/checks/bats-are-blind/publish", {}, version="1").status_code == 303
    form = editor.get(edit)
    assert 'name="correction"' in form.text and 'name="correction"' not in writer.get(NEW).text
    fields = draft_fields(summary="Bats can see; many also echolocate.")
    saved = post_form(editor, edit, fields, version="2", correction="The summary said bats cannot see.")
    assert saved.status_code == 303
    stored = app.state.context.store.get("bats-are-blind").document
    assert [c["note"] for c in stored["corrections"]] == ["The summary said bats cannot see."]
    page = editor.get("/checks/bats-are-blind").text
    assert "The summary said bats cannot see." in page
    # A later edit keeps the corrections log the form does not show.
    assert post_form(editor, edit, fields | {"headline": "Are bats blind? No."}, version="3").status_code == 303
    assert len(app.state.context.store.get("bats-are-blind").document["corrections"]) == 1
    history = html.fromstring(editor.get("/desk/checks/bats-are-blind/history").text)
    versions = [h.text_content() for h in history.xpath("//ol[@class='desk-history']/li/h2")]
    assert versions == ["Version 4", "Version 3", "Version 2", "Version 1"]
    text = history.text_content()
    assert "Ana Silva" in text and "Ben Okafor" in text
    assert history.xpath("//ins[contains(., 'echolocate')]") and history.xpath("//del")
    assert history.xpath("//dt[. = 'headline']/following-sibling::dd[1]/ins")[0].text == "No."
    assert history.xpath("//dt[. = 'corrections.0.note']")
    assert writer.get("/desk/checks/nothing/history").status_code == 404


def test_a_writer_submits_for_review_and_an_editor_asks_for_changes(people: dict[str, TestClient], app: Any) -> None:
    writer, editor = people["writer"], people["editor"]
    edit = post_form(writer, NEW, draft_fields()).headers["location"].split("?")[0]
    assert "Submit for review" in writer.get(edit).text
    assert post_form(writer, "/desk/checks/bats-are-blind/submit", {}).status_code == 303
    page = editor.get(edit).text
    assert "Submitted for review by Ben Okafor." in page and "Ask for changes" in page
    assert post_form(writer, "/desk/checks/bats-are-blind/request-changes", {}, note="x").status_code == 403
    empty = post_form(editor, "/desk/checks/bats-are-blind/request-changes", {}, note=" ")
    assert (
        empty.status_code == 409
        and app.state.context.store.review_stages(["bats-are-blind"])["bats-are-blind"].action == "submitted"
    )
    asked = post_form(editor, "/desk/checks/bats-are-blind/request-changes", {}, note="Add a second source.")
    assert asked.status_code == 303
    page = writer.get(edit).text
    assert "Ana Silva asks for changes:" in page and "Add a second source." in page and "Submit for review" in page
    history = writer.get("/desk/checks/bats-are-blind/history").text
    assert (
        "submitted for review by Ben Okafor" in history
        and "Ana Silva asked for changes: Add a second source." in history
    )
    assert [e.action for e in app.state.context.store.review_events("bats-are-blind")] == [
        "submitted",
        "changes_requested",
    ]


def test_a_preview_link_shows_the_draft_outside_the_desk_until_it_expires_or_ends(
    people: dict[str, TestClient], app: Any
) -> None:
    writer = people["writer"]
    post_form(writer, NEW, draft_fields())
    shared = post_form(writer, "/desk/checks/bats-are-blind/share", {}, days="2")
    assert shared.status_code == 200
    (link,) = set(re.findall(r"http://testserver/preview/[A-Za-z0-9_-]+", shared.text))  # the href and its text
    stranger = TestClient(app)  # no session
    page = stranger.get(link)
    assert page.status_code == 200 and "Are bats blind?" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["x-robots-tag"] == "noindex, nofollow"
    assert page.headers["referrer-policy"] == "no-referrer"  # the secret does not travel to linked sites
    (stored,) = app.state.context.store.preview_links("bats-are-blind")
    assert link.rsplit("/", 1)[1] not in stored.id  # only its hash is kept
    assert stranger.get(link[:-3] + "abc").status_code == 404
    with pytest.MonkeyPatch.context() as patch:
        later = utc_now() + timedelta(days=2, minutes=1)
        patch.setattr(previewlinks, "utc_now", lambda: later)
        assert stranger.get(link).status_code == 404  # expired after its two days
    again = re.findall(r"http://testserver/preview/[A-Za-z0-9_-]+",
                       post_form(writer, "/desk/checks/bats-are-blind/share", {}, days="7").text)[0]  # fmt: skip
    assert stranger.get(again).status_code == 200
    ended = post_form(writer, "/desk/checks/bats-are-blind/unshare", {})
    assert ended.status_code == 200 and stranger.get(again).status_code == 404


def test_a_blank_claim_row_as_a_browser_sends_it_is_left_out(people: dict[str, TestClient], app: Any) -> None:
    writer = people["writer"]
    edit = post_form(writer, NEW, draft_fields()).headers["location"].split("?")[0]
    tree = html.fromstring(post_form(writer, edit, draft_fields(), version="1", row="add:claims").text)
    (blank_type,) = tree.xpath('//select[@name="claims.1.claimant.type"]')  # the empty row "Add another" gave
    assert blank_type.value == ""  # selected by default, so the empty row submits nothing
    fields = draft_fields(**{"claims.1.claimant.type": "", "claims.1.verdict": "", "claims.1.text": ""})
    assert post_form(writer, edit, fields, version="1").status_code == 303
    claims = app.state.context.store.get("bats-are-blind").document["claims"]
    assert len(claims) == 1 and claims[0]["claimant"]["type"] == "Organization"  # a filled row keeps its type


SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.txt"


def form_of(response: httpx.Response) -> dict[str, str]:
    """The editor form's fields as the browser would send them (the first option of a select
    that has none chosen, like a browser)."""
    tree = html.fromstring(response.text)
    (form,) = tree.xpath('//form[@id="editor"]')
    fields = {key: value for key, value in form.form_values() if key not in ("csrf", "version")}
    for select in form.xpath(".//select[@name]"):
        chosen = select.xpath("./option[@selected]/@value") or select.xpath("./option/@value")[:1]
        fields[select.get("name")] = chosen[0] if chosen else ""
    return fields


def pasted_seed(writer: TestClient) -> httpx.Response:
    token = csrf_of(writer.get(NEW))
    return writer.post("/desk/paste", data={"csrf": token, "article": SEED.read_text(), "language": "en"})


def test_an_incomplete_draft_saves_and_what_publication_needs_is_a_warning_once(
    people: dict[str, TestClient], app: Any
) -> None:
    writer, editor = people["writer"], people["editor"]
    filled = pasted_seed(writer)
    assert filled.status_code == 200
    saved = post_form(writer, NEW, form_of(filled), action="save")  # no verdict, eight [n] and no source
    assert saved.status_code == 303, html.fromstring(saved.text).xpath("string(//main)")[:2000]
    slug = "immigration-leads-to-child-trafficking"
    assert app.state.context.store.get(slug).status == "draft"
    page = writer.get(saved.headers["location"])
    text = html.fromstring(page.text).xpath("string(//main)")
    message = "Section 1, paragraph 1 cites [1] and [2], but there are 0 sources."
    assert text.count(message) == 1, text  # beside its field, and only there
    tree = html.fromstring(page.text)
    (beside,) = tree.xpath('//p[@id="f-sections-0-paragraphs-warning"]')
    assert message in beside.text_content()
    (verdict,) = tree.xpath('//p[@id="f-claims-0-verdict-warning"]')
    assert verdict.text_content() == "Claim 1, Verdict is required."
    assert text.count("Claim 1, Verdict is required.") == 1
    # Links to the fields above the form, by their labels; no developer paths, no date to fill.
    assert tree.xpath('//div[@class="desk-warnings"]//a[@href="#f-sections-0-paragraphs"]/text()') == [
        "Section 1, paragraph 1"
    ]
    for word in ("claimReview", "datePublished", "sections.0", "sources[", "is required:"):
        assert word not in text, word
    # Publishing it is refused, with the same words beside the same fields.
    refused = post_form(editor, f"/desk/checks/{slug}/publish", {}, version="1")
    assert refused.status_code == 409 and app.state.context.store.get(slug).status == "draft"
    tree = html.fromstring(refused.text)
    assert message in tree.xpath('string(//p[@id="f-sections-0-paragraphs-error"])')
    assert "Claim 1, Verdict is required." in tree.xpath('string(//p[@id="f-claims-0-verdict-error"])')


def test_a_new_draft_has_no_warning_about_the_date_publishing_sets(people: dict[str, TestClient]) -> None:
    writer = people["writer"]
    fields = {k: v for k, v in draft_fields().items() if k not in ("datePublished", "dateModified")}
    location = post_form(writer, NEW, fields).headers["location"]
    page = writer.get(location)
    tree = html.fromstring(page.text)
    assert tree.xpath('//div[@class="desk-warnings"]') == [] and "Before publication" not in page.text


def test_messages_name_the_field_as_the_form_does_in_the_desks_language(people: dict[str, TestClient]) -> None:
    writer = people["writer"]
    fields = draft_fields(**{"sources.0.url": "not an address", "sections.0.heading": ""})
    english = html.fromstring(post_form(writer, NEW, fields).text)
    assert english.xpath('string(//p[@id="f-sources-0-url-error"])') == (
        "Source 1, Web address must be a whole web address, such as https://example.org/page."
    )
    assert english.xpath('string(//p[@id="f-sections-0-heading-error"])') == "Section 1, Heading is required."
    writer.headers["Accept-Language"] = "es"
    spanish = html.fromstring(post_form(writer, NEW, fields).text)
    assert spanish.xpath('string(//p[@id="f-sections-0-heading-error"])') == (
        "Sección 1, Encabezado: este campo es obligatorio."
    )


def test_dates_are_date_inputs_and_are_shown_in_the_desks_language(people: dict[str, TestClient]) -> None:
    writer = people["writer"]
    fields = draft_fields(**{"claims.0.date": "2025-10-30", "sources.0.date": "2022-10"})
    location = post_form(writer, NEW, fields).headers["location"]
    writer.headers["Accept-Language"] = "es"
    tree = html.fromstring(writer.get(location).text)
    (claim_date,) = tree.xpath('//input[@name="claims.0.date"]')
    assert claim_date.get("type") == "date" and claim_date.get("value") == "2025-10-30"
    assert tree.xpath('string(//p[@id="f-claims-0-date-hint"])') == "30 de octubre de 2025"
    (source_date,) = tree.xpath('//input[@name="sources.0.date"]')
    assert source_date.get("type") == "text"  # a year or a month is a date here too
    assert "octubre de 2022" in tree.xpath('string(//p[@id="f-sources-0-date-hint"])')
    (language,) = tree.xpath('//select[@name="language"]')
    assert language.xpath("./option[@selected]/text()") == ["English"]
    assert "العربية" in language.xpath("./option/text()")


def test_a_long_claim_is_a_warning_in_form_words_and_publishes(people: dict[str, TestClient], app: Any) -> None:
    writer, editor = people["writer"], people["editor"]
    claim = "Bats are blind, " * 12 + "and they fly by echo alone"
    location = post_form(writer, NEW, draft_fields(**{"claims.0.text": claim})).headers["location"]
    tree = html.fromstring(writer.get(location).text)
    (beside,) = tree.xpath('//p[@id="f-claims-0-text-warning"]')
    assert beside.text_content() == "Claim 1, Claim as made is too long for search results: at most 140 characters."
    published = post_form(editor, "/desk/checks/bats-are-blind/publish", {}, version="1")
    assert published.status_code == 303, html.fromstring(published.text).xpath("string(//main)")[:1000]
    assert app.state.context.store.get("bats-are-blind").status == "published"


def test_the_canonical_checkbox_saves_and_shows(people: dict[str, TestClient], app: Any) -> None:
    writer, store = people["writer"], app.state.context.store
    original = "https://news.example/2024/05/bats/"
    form = html.fromstring(writer.get(NEW).text)
    (box,) = form.xpath('//input[@name="originalIsCanonical"]')
    assert (box.get("type"), box.get("value"), box.get("checked")) == ("checkbox", "true", None)
    label = form.xpath('string(//label[@for="f-originalIsCanonical"])')
    assert label == "The original article stays the canonical page"
    # Beside "Original article": the next field of the form.
    names = form.xpath('//form[@id="editor"]//*[@name]/@name')
    assert names[names.index("originalUrl") + 1] == "originalIsCanonical"

    saved = post_form(writer, NEW, draft_fields(originalUrl=original, originalIsCanonical="true"))
    assert saved.status_code == 303
    record = store.get("bats-are-blind")
    assert record.document["originalIsCanonical"] is True and record.document["originalUrl"] == original
    page = html.fromstring(writer.get(saved.headers["location"]).text)
    assert page.xpath('//input[@name="originalIsCanonical"]/@checked') == ["checked"]

    # Unchecked, a browser sends nothing for it: false, left out of the document.
    fields = draft_fields(originalUrl=original) | {"version": version_of(writer.get(saved.headers["location"]))}
    assert post_form(writer, saved.headers["location"], fields).status_code == 303
    record = store.get("bats-are-blind")
    assert "originalIsCanonical" not in record.document and record.version == 2
    reopened = html.fromstring(writer.get(saved.headers["location"]).text)
    assert reopened.xpath('//input[@name="originalIsCanonical"]/@checked') == []


def test_the_canonical_checkbox_without_the_original_article_is_refused_beside_it(
    people: dict[str, TestClient], app: Any
) -> None:
    response = post_form(people["writer"], NEW, draft_fields(originalIsCanonical="true"))
    assert response.status_code == 422
    tree = html.fromstring(response.text)
    assert tree.xpath('string(//p[@id="f-originalIsCanonical-error"])') == (
        "The original article stays the canonical page: give the original article's address too."
    )
    (box,) = tree.xpath('//input[@name="originalIsCanonical"]')
    assert box.get("checked") is not None and box.get("aria-invalid") == "true"  # kept as sent, marked
    assert app.state.context.store.get("bats-are-blind") is None
