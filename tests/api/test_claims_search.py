"""GET /v1alpha1/claims:search as a tool written for Google's Fact Check Tools API uses it: a real
server on 127.0.0.1, read by a client that knows only Google's documentation
(tests/api/factcheck_tools_client.py), over the demo and generated fact-checks."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import extruct
import httpx
import pytest

from feed.app import create_app
from feed.core.settings import Settings
from feed.site.config import DEFAULT_CONFIG
from feed.store.clock import rfc3339, utc_now
from tests.api.factcheck_tools_client import Claim, FactCheckTools, FactCheckToolsError, read_response
from tests.conftest import LiveServer, demo_documents, free_port, live_app

PUBLISHERS = (
    '[publishers.newsroom]\nname = "The Newsroom"\nscale = "default"\nurl = "https://www.news.example/"\n'
    '[publishers.factdesk]\nname = "The Newsroom Fact Desk"\nscale = "default"\nurl = "https://fact.news.example/"\n'
)
NOW = utc_now()
WORD = "aquifer"  # in every generated claim, in no demo one
LANGUAGES = ("en", "es", "es-MX", "pt-BR")
OWNERS = ("demo", "newsroom", "factdesk")
KEPT = {"newsroom": "www.news.example", "factdesk": "fact.news.example"}  # their CMS hosts


def generated() -> list[dict[str, Any]]:
    """Fact-checks over many pages: 1 to 3 claims each, four languages, three publishers, some
    published days ago and some a year ago, some retracted; one keeps imported verdict words.
    The newsroom's and its fact desk's keep their CMS canonical (their reviews' urls are there)."""
    documents = []
    for n in range(21):
        published = NOW - timedelta(days=(400 + n) if n % 5 == 1 else (2 + n))
        claims = [
            {"text": f"The {WORD} under district {n} holds claim {c} of water",
             "claimant": {"name": f"Councillor {n}", "type": "Person"},
             "date": (published - timedelta(days=2)).date().isoformat(), "verdict": ("False", "Mostly true")[c % 2]}
            for c in range(1 + n % 3)
        ]  # fmt: skip
        slug, publisher = f"{WORD}-district-{n:02d}", OWNERS[(n // 2) % 3]
        document: dict[str, Any] = {
            "slug": slug,
            "status": "retracted" if n % 7 == 6 else "published",
            "headline": f"Does the {WORD} under district {n} hold what they say?",
            "language": LANGUAGES[n % 4],
            "publisher": publisher,
            "datePublished": rfc3339(published),
            "summary": f"Survey records show what the {WORD} under district {n} holds.",
            "claims": claims,
        }
        if publisher in KEPT:
            document |= {"originalUrl": f"https://{KEPT[publisher]}/{slug}/", "originalIsCanonical": True}
        if document["status"] == "retracted":
            document["retraction"] = {"reason": "The survey was of another district.", "date": rfc3339(NOW)}
        if n == 4:
            document["claims"][0] |= {"verdict": "Pants on fire", "verdictLabel": "Pants on fire"}
        documents.append(document)
    return documents


DOCUMENTS = [*demo_documents(), *generated()]


@dataclass
class Served:
    server: LiveServer
    tools: FactCheckTools
    app: Any


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("claims-search")
    config = folder / "factcard.toml"
    config.write_text(DEFAULT_CONFIG.read_text() + "\n" + PUBLISHERS)
    port = free_port()
    settings = Settings.load({}, {"database_url": f"sqlite:///{folder / 'live.db'}", "config_file": str(config),
                                  "base_url": f"http://127.0.0.1:{port}"})  # fmt: skip
    app = create_app(settings)
    app.state.context.publishing.import_documents(DOCUMENTS, NOW)
    with LiveServer(app, port) as server, httpx.Client(timeout=10) as http:
        yield Served(server, FactCheckTools(server.url, http=http), app)


def review_urls(base: str, document: dict[str, Any]) -> list[str]:
    page = f"{base}/checks/{document['slug']}"
    if document.get("originalIsCanonical"):
        return [document["originalUrl"]] * len(document["claims"])  # the CMS's page, for every claim
    if len(document["claims"]) == 1:
        return [page]
    return [f"{page}#claim-{i + 1}" for i in range(len(document["claims"]))]


def expected(base: str, keep: Any) -> set[tuple[str, str]]:
    """(review url, claim text) of every claim of the published fact-checks that `keep` keeps."""
    return {
        (url, claim["text"])
        for d in DOCUMENTS
        if d["status"] == "published" and keep(d)
        for url, claim in zip(review_urls(base, d), d["claims"], strict=True)
    }


def seen(claims: list[Claim]) -> list[tuple[str, str]]:
    assert all(len(c.claim_review) == 1 for c in claims)
    return [(c.claim_review[0].url, c.text) for c in claims]


def generated_only(d: dict[str, Any]) -> bool:
    return d["slug"].startswith(WORD)


# -- paging ------------------------------------------------------------------


def test_paging_by_next_page_token_visits_every_claim_exactly_once(served: Served) -> None:
    pages = list(served.tools.pages(query=WORD, pageSize=4))
    claims = [claim for page in pages for claim in page.claims]
    want = expected(served.server.url, generated_only)
    assert len(want) > 20 and len(pages) == -(-len(want) // 4)  # every page full but the last
    assert all(len(page.claims) == 4 for page in pages[:-1]) and pages[-1].next_page_token is None
    assert sorted(seen(claims)) == sorted(want)  # each once: a list, not a set


def test_a_fact_check_of_several_claims_gives_each_claim(served: Served) -> None:
    base = served.server.url
    claims = served.tools.search_all(query="health myths", pageSize=100)
    urls = [url for url, _ in seen(claims) if "three-everyday-health-myths" in url]
    assert urls == [f"{base}/checks/three-everyday-health-myths#claim-{i}" for i in (1, 2, 3)]


def test_offset_starts_at_that_claim_and_matches_the_pages(served: Served) -> None:
    everything = seen(served.tools.search_all(query=WORD, pageSize=5))
    for offset in (0, 3, 7, len(everything) - 1):
        page = served.tools.search(query=WORD, pageSize=5, offset=offset)
        assert seen(list(page.claims)) == everything[offset : offset + 5]
    assert served.tools.search(query=WORD, offset=len(everything)).claims == ()
    # With a pageToken, offset is not read (Google: "only considered if pageToken is unset").
    token = served.tools.search(query=WORD, pageSize=5).next_page_token
    assert token is not None
    assert seen(list(served.tools.search(query=WORD, pageSize=5, pageToken=token, offset=2).claims)) == everything[5:10]


def test_page_size_defaults_to_ten_and_is_capped(served: Served) -> None:
    assert len(served.tools.search(query=WORD).claims) == 10
    assert len(served.tools.search(query=WORD, pageSize=0).claims) == 10  # 0 is unset, as in Google's protocol
    total = len(expected(served.server.url, generated_only))
    big = served.tools.search(query=WORD, pageSize=100_000)
    assert len(big.claims) == total and big.next_page_token is None


# -- filters -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "primary"), [("es", "es"), ("es-MX", "es"), ("ES-419", "es"), ("pt", "pt")])
def test_language_code_matches_the_language_in_every_region(served: Served, code: str, primary: str) -> None:
    claims = served.tools.search_all(query=WORD, languageCode=code)
    in_language = expected(served.server.url, lambda d: generated_only(d) and d["language"].split("-")[0] == primary)
    assert in_language and sorted(seen(claims)) == sorted(in_language)
    assert {c.claim_review[0].language_code.split("-")[0] for c in claims} == {primary}


def test_language_code_finds_the_demo_in_its_language(served: Served) -> None:
    claims = served.tools.search_all(query="água quente limão", languageCode="pt")
    assert [c.text for c in claims] == ["Beber água quente com limão cura o câncer"]
    assert served.tools.search(query="água quente limão", languageCode="hi").claims == ()


def test_max_age_days_keeps_the_recent_reviews(served: Served) -> None:
    claims = served.tools.search_all(query=WORD, maxAgeDays=30, pageSize=3)
    recent = expected(served.server.url, lambda d: generated_only(d) and d["datePublished"] >= rfc3339(
        NOW - timedelta(days=30)))  # fmt: skip
    assert recent and len(recent) < len(expected(served.server.url, generated_only))
    assert sorted(seen(claims)) == sorted(recent)
    cutoff = NOW - timedelta(days=30)
    assert all(c.claim_review[0].review_date and c.claim_review[0].review_date >= cutoff for c in claims)


@pytest.mark.parametrize(
    ("site", "owners"),
    [("news.example", {"newsroom", "factdesk"}), ("www.news.example", {"newsroom", "factdesk"}),
     ("https://news.example/", {"newsroom", "factdesk"}), ("fact.news.example", {"factdesk"}),
     ("127.0.0.1", {"demo"})],
)  # fmt: skip
def test_review_publisher_site_filter_keeps_that_sites_publishers(served: Served, site: str, owners: set[str]) -> None:
    # Google requires query unless reviewPublisherSiteFilter is given: without one, all of the site's.
    claims = served.tools.search_all(reviewPublisherSiteFilter=site, pageSize=7)
    assert sorted(seen(claims)) == sorted(expected(served.server.url, lambda d: d.get("publisher", "demo") in owners))
    with_query = served.tools.search_all(query=WORD, reviewPublisherSiteFilter=site)
    assert sorted(seen(with_query)) == sorted(expected(
        served.server.url, lambda d: generated_only(d) and d.get("publisher", "demo") in owners))  # fmt: skip


def test_publisher_site_is_the_publishers_host_without_www(served: Served) -> None:
    sites = {c.claim_review[0].publisher.name: c.claim_review[0].publisher.site
             for c in served.tools.search_all(query=WORD, pageSize=100)}  # fmt: skip
    assert sites == {"Factcard Demo Desk": "127.0.0.1", "The Newsroom": "news.example",
                     "The Newsroom Fact Desk": "fact.news.example"}  # fmt: skip


def test_a_site_with_no_publisher_here_finds_nothing(served: Served) -> None:
    page = served.tools.search(reviewPublisherSiteFilter="elsewhere.example")
    assert page.claims == () and page.next_page_token is None
    assert served.tools.http.get(served.server.url + "/v1alpha1/claims:search?query=zzyzx+qqqq").json() == {}


def test_retracted_fact_checks_are_never_returned(served: Served) -> None:
    retracted = {d["slug"] for d in DOCUMENTS if d["status"] == "retracted"}
    assert len(retracted) >= 3
    everything = [
        *served.tools.search_all(query=WORD, pageSize=100),
        *served.tools.search_all(query="council street musicians", pageSize=100),
        *(c for site in ("news.example", "127.0.0.1") for c in served.tools.search_all(reviewPublisherSiteFilter=site)),
    ]
    assert everything
    urls = {url for url, _ in seen(everything)}
    assert len(urls) > 20 and not {slug for slug in retracted for url in urls if slug in url}


# -- what each claim says ----------------------------------------------------


def page_claimreviews(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback server)
        html = response.read().decode("utf-8")
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"])
    return [node for node in data["json-ld"] if node.get("@type") == "ClaimReview"]


def as_utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.consumer
def test_each_claim_review_is_the_one_on_our_page(served: Served) -> None:
    """url, title, reviewDate and textualRating: what the page's ClaimReview JSON-LD says (extruct)."""
    base = served.server.url
    claims = served.tools.search_all(query=WORD, pageSize=100) + served.tools.search_all(query="health myths")
    # Our page of each review url (a newsroom that keeps its CMS has its reviews' urls there).
    ours = {url: f"{base}/checks/{d['slug']}" for d in DOCUMENTS for url in review_urls(base, d)}
    pages: dict[str, list[dict[str, Any]]] = {}
    for claim in claims:
        review = claim.claim_review[0]
        page = ours[review.url]
        nodes = pages.setdefault(page, page_claimreviews(page))
        (node,) = (n for n in nodes if n["url"] == review.url and n["claimReviewed"] == claim.text)
        assert node["claimReviewed"] == claim.text
        assert node["headline"] == review.title and node["inLanguage"] == review.language_code
        assert node["reviewRating"]["alternateName"] == review.textual_rating
        assert review.review_date == as_utc(node["datePublished"])
        assert claim.claimant == node["itemReviewed"]["author"]["name"]
        assert claim.claim_date == as_utc(node["itemReviewed"]["datePublished"])
    assert len(pages) > 10
    ratings = {c.claim_review[0].textual_rating for c in claims}
    assert {"Falso", "Pants on fire", "False"} <= ratings  # in the fact-check's words, imported ones kept


def test_answer_leaves_absent_fields_out(served: Served) -> None:
    body = served.tools.http.get(served.server.url + "/v1alpha1/claims:search",
                                 params={"query": "lightning strikes twice", "key": "k"}).json()  # fmt: skip
    (claim,) = body["claims"]
    assert "claimDate" not in claim and claim["claimant"] == "Popular saying"  # the demo gives no claim date
    assert "null" not in str(body) and "None" not in str(body)
    read_response(body)


def test_importer_reads_the_answer_as_a_fact_check_tools_answer(served: Served) -> None:
    """factcard's own importer of Fact Check Tools answers takes ours: one page per review url."""
    from feed.importer.feeds import factchecktools_pages, is_factchecktools

    body = served.tools.http.get(served.server.url + "/v1alpha1/claims:search", params={"query": WORD}).json()
    assert is_factchecktools(body)
    pages = list(factchecktools_pages(body, served.server.url))
    assert {p.url for p in pages} == {c["claimReview"][0]["url"] for c in body["claims"]}


# -- errors, headers ---------------------------------------------------------


def refused(served: Served, **params: str | int) -> FactCheckToolsError:
    with pytest.raises(FactCheckToolsError) as caught:
        served.tools.search(**params)
    assert caught.value.code == 400 and caught.value.status == "INVALID_ARGUMENT"
    return caught.value


def test_a_tampered_or_foreign_page_token_is_a_400(served: Served) -> None:
    token = served.tools.search(query=WORD, pageSize=3).next_page_token
    assert token is not None
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for bad in (flipped, token[:-1], token + "A", "not-a-token", "%%%", "A" * 500):
        error = refused(served, query=WORD, pageSize=3, pageToken=bad)
        assert error.violations[0][0] == "pageToken" and "nextPageToken" in error.message
    # A token of one query is refused by another (Google: all other fields must be the same).
    for other in ({"query": "lightning"}, {"query": WORD, "languageCode": "es"}, {"query": WORD, "maxAgeDays": 9},
                  {"query": WORD, "reviewPublisherSiteFilter": "news.example"}):  # fmt: skip
        refused(served, pageSize=3, pageToken=token, **other)
    assert served.tools.search(query=WORD, pageSize=3, pageToken=token).claims  # the page size may change


def test_query_is_required_unless_a_site_filter_is_given(served: Served) -> None:
    for params in ({}, {"query": ""}, {"query": "   "}, {"languageCode": "en"}):
        error = refused(served, **params)
        assert error.violations == [("query", error.message)] and "reviewPublisherSiteFilter" in error.message


@pytest.mark.parametrize(
    ("params", "field"),
    [({"pageSize": "ten"}, "pageSize"), ({"pageSize": "-1"}, "pageSize"), ({"pageSize": "2.5"}, "pageSize"),
     ({"pageSize": str(2**40)}, "pageSize"), ({"offset": "-1"}, "offset"), ({"offset": "x"}, "offset"),
     ({"offset": "10001"}, "offset"), ({"maxAgeDays": "-3"}, "maxAgeDays"), ({"maxAgeDays": "1d"}, "maxAgeDays"),
     ({"languageCode": "not a language"}, "languageCode"), ({"reviewPublisherSiteFilter": "a b"},
     "reviewPublisherSiteFilter"), ({"query": "<>"}, "query"), ({"query": "word " * 80}, "query"),
     ({"alt": "proto"}, "alt"), ({"unknown": "1"}, "unknown")],
)  # fmt: skip
def test_bad_values_are_a_400_naming_the_parameter(served: Served, params: dict[str, str], field: str) -> None:
    error = refused(served, query=WORD, **params) if "query" not in params else refused(served, **params)
    assert [name for name, _ in error.violations] == [field]


def test_google_clients_extra_parameters_are_taken(served: Served) -> None:
    page = served.tools.search(query=WORD, alt="json", prettyPrint="false", quotaUser="tool-1", pageSize=2)
    assert len(page.claims) == 2


def test_any_origin_may_read_it_for_a_minute_and_nothing_else_may_be_done(served: Served) -> None:
    url = served.server.url + "/v1alpha1/claims:search"
    response = served.tools.http.get(url, params={"query": WORD}, headers={"Origin": "https://tool.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["cache-control"] == "public, max-age=60"
    error = served.tools.http.get(url)
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == "*"
    assert error.headers["content-type"] == "application/json"
    posted = served.tools.http.post(url, params={"query": WORD})
    assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD"
    assert posted.headers["content-type"] == "application/problem+json"


def test_a_new_fact_check_is_found_at_once(tmp_path: Path) -> None:
    """Never kept by the render cache: an answer given before a publish is not given after it."""
    app, port = live_app(tmp_path, demo_documents())
    with LiveServer(app, port) as server, httpx.Client(timeout=10) as http:
        tools = FactCheckTools(server.url, http=http)
        query = {"query": "quartzite meteor"}
        assert tools.search(**query).claims == ()
        document = {
            "slug": "quartzite-meteor", "status": "published", "headline": "Was the quartzite a meteor?",
            "language": "en", "datePublished": rfc3339(utc_now()), "summary": "It was granite.",
            "claims": [{"text": "The quartzite on the beach is a meteor", "verdict": "False"}],
        }  # fmt: skip
        app.state.context.publishing.import_documents([document], utc_now())
        (claim,) = tools.search(**query).claims
        assert claim.claim_review[0].url == server.url + "/checks/quartzite-meteor"


def test_answers_match_the_openapi_description(served: Served) -> None:
    import jsonschema

    from feed.api.claimsearch import PARAMETERS

    spec = served.tools.http.get(served.server.url + "/openapi.json").json()
    operation = spec["paths"]["/v1alpha1/claims:search"]["get"]
    assert [p["name"] for p in operation["parameters"]] == list(PARAMETERS)

    def check(body: Any, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        jsonschema.validate(
            body, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker()
        )

    url = served.server.url + "/v1alpha1/claims:search"
    page = served.tools.http.get(url, params={"query": WORD, "pageSize": 3}).json()
    assert page["claims"] and page["nextPageToken"]
    check(page, "ClaimSearch")
    check(served.tools.http.get(url).json(), "GoogleError")
    with pytest.raises(jsonschema.ValidationError):
        check({"claims": [{"text": "t", "claimReview": [{"url": "ftp://x"}]}]}, "ClaimSearch")
