"""The reader's search, /search and /search.json, on a real SQLite app with the demo content:
what is found and how it is shown, the filters and paging, the 400s, and that no answer is
cached, indexed or built as a file."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.testclient import TestClient

from feed.build.keeper import full_build
from feed.build.nginx import nginx_config
from feed.site.search import Ask, marked, parse_ask
from feed.store.clock import utc_now
from feed.words.query import query_words
from tests.conftest import demo_documents

LEMON = "agua-caliente-con-limon-cancer"
RETRACTED = "council-ban-street-musicians"


@pytest.fixture
def demo(app: Any) -> Any:
    app.state.context.publishing.import_documents(demo_documents(), utc_now())
    return app


@pytest.fixture
def reader(demo: Any) -> Iterator[TestClient]:
    with TestClient(demo) as test_client:
        yield test_client


def slugs(answer: dict[str, Any]) -> list[str]:
    return [item["slug"] for item in answer["items"]]


def results(page: str) -> list[str]:
    """The slugs of the results a search page lists, in order."""
    return re.findall(
        r'<li class="fc-list__item fc-result"[^>]*>\s*<h3><a href="http://testserver/checks/([^"]+)"', page
    )


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(html.unescape(url)).query)


def extra(slug: str, claim: str, headline: str, **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug, "status": "published", "language": "en", "headline": headline, "summary": "It is not.",
        "datePublished": fields.pop("published", "2025-01-01T10:00:00Z"),
        "claims": [{"text": claim, "verdict": fields.pop("verdict", "False")}], **fields,
    }  # fmt: skip


# -- what is found, and how it is shown -------------------------------------------------


def test_the_spanish_lemon_check_is_found_by_limon_and_its_words_are_marked(reader: TestClient) -> None:
    page = reader.get("/search", params={"q": "limon"})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert results(page.text) == [LEMON]
    body = page.text
    assert "¿El agua caliente con <mark>limón</mark> cura el cáncer?" in body  # the headline
    assert "<q>Beber agua caliente con <mark>limón</mark> cura el cáncer</q>" in body  # the claim
    assert 'data-category="false"' in body and ">Falso</span>" in body  # the verdict badge, in Spanish
    assert '<time datetime="2025-06-18T11:00:00Z" lang="en" dir="ltr">June 18, 2025</time>' in body
    # The embed code, without JavaScript: a <details> holding the snippet a publisher copies.
    embed = body.split('<details class="fc-result__embed"', 1)[1].split("</details>", 1)[0]
    assert "<summary>Embed this fact-check</summary>" in embed
    assert "&lt;blockquote class=&#34;factcard-embed&#34;" in embed and "widget.js" in embed


def test_the_page_speaks_the_readers_language_lang_first_then_accept_language(reader: TestClient) -> None:
    spanish = reader.get("/search", params={"q": "limon"}, headers={"Accept-Language": "es-MX, en;q=0.5"}).text
    assert '<html lang="es" dir="ltr">' in spanish and "18 de junio de 2025" in spanish
    arabic = reader.get("/search", params={"q": "limon", "lang": "ar"}, headers={"Accept-Language": "es"}).text
    assert '<html lang="ar" dir="rtl">' in arabic
    # The result stays in its own language inside the Arabic page; the reader's date is marked Arabic.
    assert f'lang="es" dir="ltr">\n      <h3><a href="http://testserver/checks/{LEMON}"' in arabic
    assert '<time datetime="2025-06-18T11:00:00Z" lang="ar" dir="rtl">' in arabic


def test_the_json_twin_gives_citable_findings(reader: TestClient) -> None:
    answer = reader.get("/search.json", params={"q": "limon"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["query"] == "limon" and slugs(body) == [LEMON]
    (item,) = body["items"]
    assert item["url"] == f"http://testserver/checks/{LEMON}" and item["status"] == "published"
    assert item["claims"][0]["verdict"] == {"label": "Falso", "category": "false", "language": "es"}
    assert (body["corrected"], body["relaxed"], body["next"], body["previous"]) == ({}, False, None, None)
    assert '<http://testserver/search?q=limon>; rel="alternate"; type="text/html"' == answer.headers["link"]
    page = reader.get("/search", params={"q": "limon"})
    assert page.headers["link"] == '<http://testserver/search.json?q=limon>; rel="alternate"; type="application/json"'


def test_a_retracted_fact_check_is_shown_retracted_never_with_its_old_verdict(reader: TestClient) -> None:
    page = reader.get("/search", params={"q": "street musicians"}).text
    assert results(page) == [RETRACTED]
    item = page.split('<li class="fc-list__item fc-result"', 1)[1].split("</li>", 1)[0]
    assert "This fact-check has been retracted." in item and "the minutes we relied on were a draft" in item
    assert "fc-verdict" not in item and "True" not in item  # its withdrawn verdict is not shown
    assert "fc-result__embed" not in item  # nor offered for embedding
    (finding,) = reader.get("/search.json", params={"q": "street musicians"}).json()["items"]
    assert finding["status"] == "retracted" and finding["retraction"]["notice"]
    assert all("verdict" not in claim for claim in finding["claims"])


def test_a_misspelt_word_is_corrected_and_the_page_says_so(reader: TestClient) -> None:
    body = reader.get("/search.json", params={"q": "limonn"}).json()
    assert slugs(body) == [LEMON] and body["corrected"] == {"limonn": "limon"}
    page = reader.get("/search", params={"q": "limonn"}).text
    assert "Showing results for limon." in page
    assert '<a href="http://testserver/search?q=limon">Search for limon</a>' in page


def test_results_with_only_some_of_the_words_say_so(reader: TestClient) -> None:
    body = reader.get("/search.json", params={"q": "limón zzzzqqq"}).json()
    assert slugs(body) == [LEMON] and body["relaxed"] is True
    page = reader.get("/search", params={"q": "limón zzzzqqq"}).text
    assert "No fact-check has every word you searched for; these have some of them." in page
    assert "No fact-check has every word" not in reader.get("/search", params={"q": "limon"}).text


def test_highlighting_escapes_everything_it_does_not_mark(demo: Any, reader: TestClient) -> None:
    hostile = extra(
        "hostile", '<img src=x onerror="alert(1)"> lemons & <b>limes</b>', "<script>alert(1)</script> lemons"
    )
    demo.state.context.publishing.import_documents([hostile], utc_now())
    page = reader.get("/search", params={"q": "<i>lemons</i>"}).text
    assert results(page) == ["hostile"]
    assert (
        "<script>alert" not in page and "<img src=x" not in page and "<b>limes" not in page and "<i>lemons" not in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>lemons</mark>" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; <mark>lemons</mark> &amp; &lt;b&gt;limes&lt;/b&gt;" in page
    assert 'value="&lt;i&gt;lemons&lt;/i&gt;"' in page  # the query, echoed in the form, is text too


def test_marked_joins_the_overlapping_pairs_of_a_dense_script_and_reads_the_documents_language() -> None:
    chinese = "喝热水可以杀死新冠病毒"
    words = query_words("病毒", ["zh"])
    terms = frozenset().union(*(word.terms for word in words))
    assert marked(chinese, "zh", terms) == [("喝热水可以杀死新冠", False), ("病毒", True)]
    words = query_words("cure", ["en", "es"])
    terms = frozenset().union(*(word.terms for word in words))
    assert marked("Lemon cures cancer", "en", terms) == [("Lemon ", False), ("cures", True), (" cancer", False)]
    assert marked("Lemon cures cancer", "en", frozenset()) == [("Lemon cures cancer", False)]


# -- filters and paging -----------------------------------------------------------------


def test_filters_narrow_a_search_and_alone_list_the_newest_that_match(reader: TestClient) -> None:
    def found(**params: Any) -> list[str]:
        answer = reader.get("/search.json", params=params)
        assert answer.status_code == 200, answer.text
        return slugs(answer.json())

    assert found(q="agua") == [LEMON, "agua-quente-com-limao-cancer"]
    assert found(q="agua", language="pt") == ["agua-quente-com-limao-cancer"]  # pt-BR is a form of pt
    assert found(category="misleading") == ["immigration-child-trafficking", "three-everyday-health-myths"]
    assert found(category=["misleading", "mixed"]) == found(category="misleading")
    assert found(category="true") == []  # the retracted check's withdrawn "True" files it under no verdict
    assert len(found(category=["misleading", "false"])) == 7
    assert found(**{"from": "2025-06-18", "to": "2025-06-19"}) == ["agua-quente-com-limao-cancer", LEMON]
    assert found(**{"from": "2025-06-19"})[-1] == "agua-quente-com-limao-cancer"  # `from` takes in its day
    assert found(**{"to": "2025-06-18"})[0] == LEMON  # and `to` its whole day
    assert found(tag="salud") == [LEMON]
    assert found(tag="Child trafficking") == ["immigration-child-trafficking"]  # a name is taken as its key
    assert found(claimant="cadena-de-mensajes", q="cancer") == [LEMON]
    assert found(q="limon", language="en") == []


def test_an_empty_search_shows_the_form_and_the_empty_fields_of_a_form_are_no_filters(reader: TestClient) -> None:
    for params in ({}, {"q": "", "language": "", "from": "", "to": "", "tag": "", "lang": "en"}):
        page = reader.get("/search", params=params)
        assert page.status_code == 200
        assert '<input id="search-q" type="search" name="q"' in page.text
        assert 'class="fc-results"' not in page.text and results(page.text) == []
        body = reader.get("/search.json", params=params).json()
        assert body["items"] == [] and body["next"] is None
    browse = reader.get("/search", params={"q": "", "category": "false"}).text
    assert 'class="fc-results"' in browse and len(results(browse)) >= 5  # browsing by a filter


def test_paging_keeps_every_filter(demo: Any, reader: TestClient) -> None:
    documents = [extra(f"lemon-{n:02d}", f"Lemons cure thing number {n}", f"Lemons and thing {n}",
                       published=f"2025-02-{n:02d}T10:00:00Z", tags=["citrus"]) for n in range(1, 13)]  # fmt: skip
    demo.state.context.publishing.import_documents(documents, utc_now())
    asked = {"q": "lemons", "language": "en", "category": "false", "tag": "citrus", "from": "2025-01-01",
             "to": "2025-12-31", "lang": "es"}  # fmt: skip
    first = reader.get("/search", params=asked).text
    assert len(results(first)) == 10
    (next_url,) = re.findall(r'<a rel="next" href="([^"]+)"', first)
    assert 'rel="prev"' not in first.split("<main", 1)[1]
    assert sorted(query_of(next_url)) == sorted([*asked.items(), ("page", "2")])
    second = reader.get(html.unescape(next_url).removeprefix("http://testserver")).text
    assert len(results(second)) == 2 and not set(results(second)) & set(results(first))
    (prev_url,) = re.findall(r'<a rel="prev" href="([^"]+)"', second)
    assert sorted(query_of(prev_url)) == sorted(asked.items())
    assert 'rel="next"' not in second.split("<main", 1)[1]
    # The form on page 2 keeps the filters too: the tag as a hidden field, the others filled in.
    assert '<input type="hidden" name="tag" value="citrus">' in second
    assert '<option value="en" lang="en" selected>' in second and 'value="false" checked' in second
    assert 'name="from" value="2025-01-01"' in second
    body = reader.get("/search.json", params=asked).json()
    assert sorted(query_of(body["next"])) == sorted([*asked.items(), ("page", "2")])
    assert urlsplit(body["next"]).path == "/search.json" and body["previous"] is None
    later = reader.get(body["next"].removeprefix("http://testserver")).json()
    assert len(later["items"]) == 2 and later["next"] is None
    assert sorted(query_of(later["previous"])) == sorted(asked.items())


# -- what is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "lemon " * 60}, "at most 300 characters"),
        ({"q": "<> ***"}, "no letters or digits"),
        ({"q": "lemon", "from": "2025-02-30"}, "from must be a day"),
        ({"to": "yesterday"}, "to must be a day"),
        ({"from": "2025-06-19", "to": "2025-06-18"}, "from is after to"),
        ({"category": ["false", "wrongish"]}, "category is not a verdict category"),
        ({"language": "zz"}, "language 'zz' is no language we know"),
        ({"language": "not a tag"}, "language must be a BCP 47 language tag"),
        ({"page": "0"}, "page must be a whole number"),
        ({"tag": "x" * 201}, "tag is at most 200 characters"),
        ({"q": ["a", "b"]}, "Give q once"),
        ({"sort": "newest"}, "No parameter 'sort' here"),
    ],
)
def test_bad_input_is_a_clear_400_a_page_for_people_and_a_problem_for_tools(
    reader: TestClient, params: dict[str, Any], named: str
) -> None:
    page = reader.get("/search", params=params)
    assert page.status_code == 400 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert named in html.unescape(page.text)
    problem = reader.get("/search.json", params=params)
    assert problem.status_code == 400 and problem.headers["content-type"] == "application/problem+json"
    assert named in problem.json()["detail"]


def test_a_query_problem_names_its_type_on_the_site(reader: TestClient) -> None:
    problem = reader.get("/search.json", params={"q": "lemon " * 60}).json()
    assert problem["title"] == "Query too long" and problem["type"] == "http://testserver/problems/query-too-long"
    assert reader.get("/problems/query-too-long").status_code == 200
    problem = reader.get("/search.json", params={"category": "wrongish"}).json()
    assert problem["type"] == "http://testserver/problems/bad-category"
    assert problem["errors"] == [{"field": "category", "message": problem["errors"][0]["message"]}]


def test_the_builder_reads_days_inclusively_as_store_times() -> None:
    ask = parse_ask([("q", " limon "), ("from", "2025-06-18"), ("to", "2025-06-18"), ("category", "false"),
                     ("category", "mixed"), ("category", "false")], ["es"])  # fmt: skip
    query = ask.store_query()
    assert (query.text, query.categories) == ("limon", ("mixed", "false"))  # one order: the scale's
    assert (query.since, query.until) == ("2025-06-18T00:00:00.000000Z", "2025-06-19T00:00:00.000000Z")
    assert Ask(page=3).store_query().offset == 20 and not Ask().filtered and Ask(tag="x").filtered


# -- never cached, never indexed, never a file --------------------------------------------


def test_noindex_and_no_store_on_both(reader: TestClient) -> None:
    for path in ("/search", "/search.json"):
        answer = reader.get(path, params={"q": "limon"})
        assert answer.headers["x-robots-tag"] == "noindex" and answer.headers["cache-control"] == "no-store", path
    assert '<meta name="robots" content="noindex">' in reader.get("/search").text
    robots = reader.get("/robots.txt").text
    assert "\nDisallow: /search\n" in robots and "Disallow: /api/" in robots


def test_many_distinct_searches_do_not_grow_the_response_cache(demo: Any, reader: TestClient) -> None:
    cache = demo.state.response_cache
    reader.get("/")  # the home page is kept: the count below can grow
    kept = len(cache.entries)
    assert kept >= 1
    for n in range(40):
        for path in ("/search", "/search.json"):
            assert reader.get(path, params={"q": f"lemon {n}", "page": str(1 + n % 3)}).status_code == 200
    # Only the parameters that cached pages read: the cache would keep these, were they scoped to be kept.
    for n in range(1, 6):
        for lang in ("en", "es", "ar"):
            assert reader.get("/search", params={"lang": lang, "page": str(n)}).status_code == 200
    assert reader.get("/search", params={"category": "false"}).status_code == 200
    assert len(cache.entries) == kept and not any("search" in key for key in cache.entries)
    assert not any("search" in key for key in cache.known)
    reader.get("/checks/" + LEMON)
    assert len(cache.entries) == kept + 1  # while a page is kept as ever


def test_every_public_page_has_the_search_box_and_the_home_page_its_own(reader: TestClient) -> None:
    for path in ("/", f"/checks/{LEMON}", "/checks/no-such-check", "/feeds/claimreview-extension"):
        page = reader.get(path).text
        header = page.split("</header>", 1)[0]
        assert '<form class="fc-site-search" role="search" action="http://testserver/search" method="get"' in header
        assert '<label class="fc-visually-hidden" for="site-search-q">' in header, path
        assert 'id="site-search-q" type="search" name="q"' in header, path
    spanish = reader.get(f"/checks/{LEMON}").text.split("</header>", 1)[0]
    assert '<input type="hidden" name="lang" value="es">' in spanish  # the search continues in Spanish
    home = reader.get("/", params={"lang": "es"}).text
    assert '<label for="home-search-q">' in home and '<input type="hidden" name="language" value="es">' in home
    assert "fc-site-search" not in reader.get("/desk/login").text  # the desk's pages are the newsroom's


def test_the_static_build_writes_no_search_and_nginx_passes_it_to_the_server(demo: Any, tmp_path: Path) -> None:
    ctx = demo.state.context
    report = full_build(ctx, tmp_path / "out")
    searches = {ctx.urls.path("search"), ctx.urls.path("search_json")}
    assert f"/checks/{LEMON}" in report.written and not searches & set(report.written)
    assert not list((tmp_path / "out").glob("search*"))
    assert 'action="http://testserver/search"' in (tmp_path / "out" / "index.html").read_text()
    config = nginx_config(ctx, "/srv/build", "127.0.0.1:8000")
    for path in ("/search", "/search.json"):
        block = config.split(f"location = {path} {{", 1)[1].split("}", 1)[0]
        assert "proxy_pass http://factcard_app;" in block, path


def test_no_desk_page_carries_the_public_search_box() -> None:
    """Every desk template that extends the public base.html empties its search box: the desk is
    the newsroom's own, and its header has its own links."""
    import feed

    desk_templates = sorted(Path(feed.__file__).parent.joinpath("templates").glob("desk_*.html"))
    assert len(desk_templates) > 10
    for path in desk_templates:
        text = path.read_text()
        if '{% extends "base.html" %}' in text:
            assert "{% block site_search %}{% endblock %}" in text, path.name
