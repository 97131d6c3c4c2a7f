from __future__ import annotations

import copy
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import demo_documents


def draft(slug: str = "a-claim") -> dict[str, Any]:
    return {
        "slug": slug,
        "headline": "Is the claim right?",
        "language": "en",
        "summary": "It is not [1].",
        "claims": [{"text": "The claim", "verdict": "False"}],
        "sources": [{"title": "A source", "url": "https://example.org/source"}],
    }


def create(client: TestClient, auth: dict[str, str], document: dict[str, Any]) -> Any:
    response = client.post("/api/checks", json=document, headers=auth)
    assert response.status_code == 201, response.text
    return response


def test_writes_need_a_valid_token(client: TestClient, token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer fc_nope_nope"}, {"Authorization": f"Basic {token}"}):
        response = client.post("/api/checks", json=draft(), headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post("/api/checks", json=draft(), headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def test_create_returns_the_record_with_etag_and_location(client: TestClient, auth: dict[str, str]) -> None:
    response = create(client, auth, draft())
    body = response.json()
    assert response.headers["etag"] == '"a-claim.v1"'
    assert response.headers["location"] == "http://testserver/api/checks/a-claim"
    assert body["status"] == "draft" and body["version"] == 1
    assert body["claimReview"] == []  # drafts publish no markup
    assert body["verdicts"][0]["category"] == "false"


def test_a_verdict_written_in_another_language_is_stored_as_the_label(client: TestClient, auth: dict[str, str]) -> None:
    document = draft() | {"language": "fr"}
    document["claims"][0]["verdict"] = "FAUX"
    body = create(client, auth, document).json()
    assert body["document"]["claims"][0]["verdict"] == "False"
    assert body["verdicts"][0] | {"cssClass": ""} == {
        "label": "Faux",
        "language": "fr",
        "category": "false",
        "value": 1,
        "cssClass": "",
    }
    assert client.get("/api/checks/a-claim", headers=auth).json()["document"]["claims"][0]["verdict"] == "False"


def test_invalid_document_names_every_failing_field(client: TestClient, auth: dict[str, str]) -> None:
    document = draft() | {"language": "", "slug": "BAD"}
    document["claims"][0]["verdict"] = "Nope"
    response = client.post("/api/checks", json=document, headers=auth)
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid fact-check"
    assert {e["field"] for e in problem["errors"]} == {"language", "slug", "claims[0].verdict"}
    assert client.get("/api/checks/BAD").status_code == 404


def test_javascript_url_is_a_400_class_error_naming_the_field(client: TestClient, auth: dict[str, str]) -> None:
    document = draft()
    document["sources"][0]["url"] = "javascript:alert(document.cookie)"
    response = client.post("/api/checks", json=document, headers=auth)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error == {"field": "sources[0].url", "message": "must be an http or https URL (got javascript)"}


def test_malformed_oversized_and_non_json_bodies(client: TestClient, auth: dict[str, str], settings: Any) -> None:
    headers = auth | {"Content-Type": "application/json"}
    response = client.post("/api/checks", content=b'{"slug": ', headers=headers)
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]
    big = b'{"slug": "' + b"x" * (settings.max_body_bytes + 1) + b'"}'
    assert client.post("/api/checks", content=big, headers=headers).status_code == 413
    response = client.post("/api/checks", content=b"slug=x", headers=auth | {"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_duplicate_slug_is_a_conflict(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    response = client.post("/api/checks", json=draft(), headers=auth)
    assert response.status_code == 409


def test_update_needs_if_match_and_refuses_stale_writes(client: TestClient, auth: dict[str, str]) -> None:
    etag = create(client, auth, draft()).headers["etag"]
    edited = draft() | {"headline": "Editor one's headline"}
    assert client.put("/api/checks/a-claim", json=edited, headers=auth).status_code == 428
    first = client.put("/api/checks/a-claim", json=edited, headers=auth | {"If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] == '"a-claim.v2"'
    second = client.put(
        "/api/checks/a-claim", json=draft() | {"headline": "Editor two"}, headers=auth | {"If-Match": etag}
    )
    assert second.status_code == 412
    assert "version 2" in second.json()["detail"]
    current = client.get("/api/checks/a-claim", headers=auth).json()
    assert current["document"]["headline"] == "Editor one's headline"
    wrong_slug = client.put("/api/checks/a-claim", json=edited, headers=auth | {"If-Match": '"other.v2"'})
    assert wrong_slug.status_code == 412


def test_update_cannot_change_slug_or_status(client: TestClient, auth: dict[str, str]) -> None:
    etag = create(client, auth, draft()).headers["etag"]
    response = client.put(
        "/api/checks/a-claim", json=draft("other") | {"status": "published"}, headers=auth | {"If-Match": etag}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"slug", "status"}


def test_publish_then_edit_then_retract(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    published = client.post("/api/checks/a-claim/publish", headers=auth)
    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published" and body["document"]["datePublished"]
    assert body["claimReview"][0]["url"] == "http://testserver/checks/a-claim"
    assert client.get("/checks/a-claim").status_code == 200

    edited = client.put(
        "/api/checks/a-claim", json=draft() | {"headline": "Better headline"},
        headers=auth | {"If-Match": published.headers["etag"]},
    )  # fmt: skip
    assert edited.status_code == 200
    assert edited.json()["document"]["dateModified"] >= body["document"]["datePublished"]
    assert edited.json()["document"]["datePublished"] == body["document"]["datePublished"]

    assert client.post("/api/checks/a-claim/retract", json={}, headers=auth).status_code == 422
    retracted = client.post("/api/checks/a-claim/retract", json={"reason": "Source was forged."}, headers=auth)
    assert retracted.status_code == 200
    assert retracted.json()["document"]["retraction"]["reason"] == "Source was forged."
    assert retracted.json()["claimReview"] == []
    assert client.post("/api/checks/a-claim/publish", headers=auth).status_code == 409
    assert client.post("/api/checks/a-claim/retract", json={"reason": "again"}, headers=auth).status_code == 409

    history = client.get("/api/checks/a-claim/revisions", headers=auth).json()["revisions"]
    assert [(r["version"], r["status"]) for r in history] == [
        (1, "draft"), (2, "published"), (3, "published"), (4, "retracted"),
    ]  # fmt: skip
    assert history[0]["document"]["headline"] == "Is the claim right?"


def test_publishing_a_claim_that_gives_its_verdict_away_warns(client: TestClient, auth: dict[str, str]) -> None:
    document = draft()
    document["claims"][0]["text"] = "False: the claim"
    assert create(client, auth, document).json()["warnings"][0]["field"] == "claimReview[0].claimReviewed"
    response = client.post("/api/checks/a-claim/publish", headers=auth)
    assert response.status_code == 200
    assert response.json()["warnings"] == [
        {"field": "claimReview[0].claimReviewed", "message": "should state the claim, not the verdict 'False'"}
    ]
    assert client.get("/api/checks/a-claim").json()["status"] == "published"


def test_a_draft_without_its_verdict_or_sources_saves_and_publishing_it_is_refused(
    client: TestClient, auth: dict[str, str]
) -> None:
    document = draft() | {"sources": [], "claims": [{"text": "The claim"}]}
    del document["sources"]
    create(client, auth, document)
    response = client.post("/api/checks/a-claim/publish", headers=auth)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"summary", "claims[0].verdict"}
    assert client.get("/api/checks/a-claim", headers=auth).json()["status"] == "draft"


def test_drafts_are_visible_only_with_a_token(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    assert client.get("/api/checks/a-claim").status_code == 404
    assert client.get("/api/checks/a-claim", headers=auth).status_code == 200
    assert client.get("/checks/a-claim").status_code == 404
    assert client.get("/api/checks").json()["total"] == 0
    assert client.get("/api/checks?status=draft").status_code == 400
    assert client.get("/api/checks?status=draft", headers=auth).json()["total"] == 1


def test_list_pages_newest_first(client: TestClient, auth: dict[str, str], publishing: Any) -> None:
    from feed.store.clock import utc_now

    publishing.import_documents(demo_documents(), utc_now())
    first = client.get("/api/checks?status=published").json()
    slugs = [item["slug"] for item in first["items"]]
    assert slugs[0] == "immigration-child-trafficking"  # datePublished 2025-10-30, the newest
    assert first["total"] == 7 and first["next"] is None
    assert client.get("/api/checks?page=0").status_code == 400


def test_conditional_get_on_a_record(client: TestClient, auth: dict[str, str]) -> None:
    etag = create(client, auth, draft()).headers["etag"]
    assert client.get("/api/checks/a-claim", headers=auth | {"If-None-Match": etag}).status_code == 304


def test_reads_allow_any_origin_without_credentials(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/api/checks")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


# The publishing API, and Google Fact Check Tools' claims.search answered for this archive.
API_PATHS = ("/api/", "/v1alpha1/")


def test_openapi_document_is_valid_and_describes_every_api_route(client: TestClient, app: Any) -> None:
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    documented = {
        (path, method.upper()) for path, item in spec["paths"].items() for method in item if method != "parameters"
    }
    served = {
        (route.path, method)
        for route in app.routes
        if getattr(route, "path", "").startswith(API_PATHS)
        for method in (route.methods or []) if method != "HEAD"
    }  # fmt: skip
    assert served == documented


def test_openapi_names_every_operation_after_its_handler_and_declares_its_security(
    client: TestClient, app: Any
) -> None:
    spec = client.get("/openapi.json").json()
    public_reads = {("/api/checks", "get"), ("/api/checks/{slug}", "get")}
    for route in app.routes:
        if not getattr(route, "path", "").startswith(API_PATHS):
            continue
        for method in {m.lower() for m in route.methods or []} - {"head"}:
            operation = spec["paths"][route.path][method]
            first, *rest = route.endpoint.__name__.split("_")
            assert operation["operationId"] == first + "".join(word.title() for word in rest)
            if route.path == "/v1alpha1/claims:search":
                assert operation["security"] == [{}]  # public: Google's `key` is taken and ignored
            elif (route.path, method) in public_reads:
                # Public, and a token shows drafts too.
                assert operation["security"] == [{}, {"bearer": []}]
                assert "draft" in operation["description"] and "token" in operation["description"]
            else:
                assert operation["security"] == [{"bearer": []}]
                assert "401" in operation["responses"]


def test_openapi_schema_and_validator_agree_on_documents(publishers: Any) -> None:
    from jsonschema import Draft202012Validator

    from feed.api.openapi import FACTCHECK_SCHEMA
    from schemas.errors import ValidationError
    from schemas.validation import parse_factcheck
    from tests.schemas.test_claimreview import with_people

    schema = Draft202012Validator(FACTCHECK_SCHEMA)
    for document in [*demo_documents(), *map(with_people, demo_documents())]:
        parse_factcheck(document, publishers)
        assert list(schema.iter_errors(document)) == [], document["slug"]
    for where in ("authors", "claims", "sources", "corrections"):
        document = with_people(demo_documents()[2])
        document[where][0]["colour"] = "red"
        with pytest.raises(ValidationError):
            parse_factcheck(document, publishers)
        assert list(schema.iter_errors(document)) != [], where


def test_unknown_api_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.postgres
def test_api_on_postgresql(postgres_url: str, tmp_path: Any) -> None:
    from feed.app import create_app
    from feed.core.settings import Settings
    from feed.core.tokens import create_token
    from feed.store.clock import utc_now

    application = create_app(Settings.load({}, {"database_url": postgres_url, "base_url": "http://testserver"}))
    headers = {"Authorization": "Bearer " + create_token(application.state.context.store, "pg", utc_now())}
    with TestClient(application) as pg_client:
        created = pg_client.post("/api/checks", json=draft(), headers=headers)
        assert created.status_code == 201
        stale = copy.deepcopy(draft()) | {"headline": "late"}
        pg_client.post("/api/checks/a-claim/publish", headers=headers)
        response = pg_client.put(
            "/api/checks/a-claim", json=stale, headers=headers | {"If-Match": created.headers["etag"]}
        )
        assert response.status_code == 412
        assert pg_client.get("/checks/a-claim").status_code == 200


def test_a_draft_cannot_be_retracted_into_public_view(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft() | {"headline": "Unreviewed draft"})
    response = client.post("/api/checks/a-claim/retract", json={"reason": "never mind"}, headers=auth)
    assert response.status_code == 409
    assert client.get("/checks/a-claim").status_code == 404
    assert "Unreviewed draft" not in client.get("/feed.json").text


def test_publish_with_a_stale_etag_is_refused_even_when_already_published(
    client: TestClient, auth: dict[str, str]
) -> None:
    first = create(client, auth, draft()).headers["etag"]
    assert client.post("/api/checks/a-claim/publish", headers=auth).status_code == 200
    assert client.post("/api/checks/a-claim/publish", headers=auth | {"If-Match": first}).status_code == 412


@pytest.mark.parametrize(
    "url",
    ["/embed/a-claim?claim=²", "/oembed?url=http%3A%2F%2Ftestserver%2Fchecks%2Fa-claim&maxwidth=²",
     "/oembed?url=http://[", "/feed.json?since=0001-01-01T00:00:00%2B01:00",
     "/feed.json?since=9999-12-31T23:59:59-01:00", "/checks/a%00b", "/checks/a%00b.json", "/embed/a%00b",
     "/api/checks/a%00b", "/?page=²"],
)  # fmt: skip
def test_odd_input_gets_a_clear_4xx_never_a_500(client: TestClient, auth: dict[str, str], url: str) -> None:
    create(client, auth, draft())
    client.post("/api/checks/a-claim/publish", headers=auth)
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    assert response.status_code in (200, 400, 404), (url, response.status_code)


def test_no_redirect_is_built_from_the_host_header(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    client.post("/api/checks/a-claim/publish", headers=auth)
    response = client.get("/checks/a-claim/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404 and "location" not in response.headers


def test_responses_match_their_openapi_schemas(client: TestClient, auth: dict[str, str]) -> None:
    """The record, list and revisions bodies validate against what /openapi.json declares."""
    import jsonschema

    components = client.get("/openapi.json").json()["components"]

    def check(body: Any, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)

    create(client, auth, draft())
    check(client.post("/api/checks/a-claim/publish", headers=auth).json(), "Record")
    check(client.get("/api/checks", headers=auth).json(), "CheckList")
    revisions = client.get("/api/checks/a-claim/revisions", headers=auth).json()
    assert revisions["revisions"][-1]["actor"]["name"] == "test newsroom"
    check(revisions, "Revisions")
    bad = {**revisions, "revisions": [{**revisions["revisions"][0], "actor": "someone"}]}
    with pytest.raises(jsonschema.ValidationError):
        check(bad, "Revisions")


def test_a_long_claim_is_published_with_a_warning_in_the_answer(client: TestClient, auth: dict[str, str]) -> None:
    # Advice, not law: real archives carry claims up to 365 characters; they publish, with a warning.
    document = draft("a-long-claim") | {"status": "published"}
    document["claims"][0]["text"] = ("The claim, " * 30).strip()
    response = create(client, auth, document)
    body = response.json()
    assert body["status"] == "published"
    assert body["claimReview"][0]["claimReviewed"] == document["claims"][0]["text"]
    assert body["warnings"] == [
        {"field": "claimReview[0].claimReviewed", "message": "should be short: at most 140 characters (has 329)"}
    ]
    assert "warnings" not in client.get("/api/checks/a-long-claim").json()  # told to the writer only
    assert create(client, auth, draft("a-short-claim")).json()["warnings"] == []
