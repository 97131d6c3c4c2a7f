"""A small client of Google's Fact Check Tools claims.search, written from Google's reference
(developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search) and nothing
of ours: it takes a base URL, sends Google's parameters (with an API key, as tools do) and reads
the answer strictly by Google's field names. An unknown field, a missing one, a wrong type or a
null raises, so a factcard answer this client reads is one a tool written for Google reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

PATH = "/v1alpha1/claims:search"


class ShapeError(AssertionError):
    """The answer is not shaped as Google documents it."""


class FactCheckToolsError(Exception):
    """An error answer, read as Google's APIs write them (google.rpc.Status as JSON)."""

    def __init__(self, code: int, status: str, message: str, violations: list[tuple[str, str]]):
        super().__init__(f"{code} {status}: {message}")
        self.code, self.status, self.message, self.violations = code, status, message, violations


@dataclass(frozen=True)
class Publisher:
    name: str
    site: str | None


@dataclass(frozen=True)
class ClaimReview:
    publisher: Publisher
    url: str
    title: str
    review_date: datetime | None
    textual_rating: str
    language_code: str


@dataclass(frozen=True)
class Claim:
    text: str
    claimant: str | None
    claim_date: datetime | None
    claim_review: tuple[ClaimReview, ...]


@dataclass(frozen=True)
class SearchResponse:
    claims: tuple[Claim, ...]
    next_page_token: str | None


def _object(value: Any, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(f"{where} is not an object: {value!r}")
    unknown = set(value) - required - optional
    if unknown:
        raise ShapeError(f"{where} has fields Google does not document: {sorted(unknown)}")
    missing = required - set(value)
    if missing:
        raise ShapeError(f"{where} lacks {sorted(missing)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ShapeError(f"{where} is not a non-empty string: {value!r}")
    return value


def _timestamp(value: Any, where: str) -> datetime:
    """Google's Timestamp in JSON: RFC 3339, UTC, written with Z."""
    text = _string(value, where)
    if not text.endswith("Z"):
        raise ShapeError(f"{where} is not a UTC RFC 3339 timestamp: {text!r}")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _optional(data: dict[str, Any], key: str, where: str) -> str | None:
    return _string(data[key], f"{where}.{key}") if key in data else None


def _review(value: Any, where: str) -> ClaimReview:
    data = _object(value, where, {"publisher", "url", "title", "textualRating", "languageCode"}, {"reviewDate"})
    publisher = _object(data["publisher"], f"{where}.publisher", {"name"}, {"site"})
    url = _string(data["url"], f"{where}.url")
    if not url.startswith(("http://", "https://")):
        raise ShapeError(f"{where}.url is not a web address: {url!r}")
    return ClaimReview(
        publisher=Publisher(_string(publisher["name"], f"{where}.publisher.name"),
                            _optional(publisher, "site", f"{where}.publisher")),
        url=url,
        title=_string(data["title"], f"{where}.title"),
        review_date=_timestamp(data["reviewDate"], f"{where}.reviewDate") if "reviewDate" in data else None,
        textual_rating=_string(data["textualRating"], f"{where}.textualRating"),
        language_code=_string(data["languageCode"], f"{where}.languageCode"),
    )  # fmt: skip


def _claim(value: Any, where: str) -> Claim:
    data = _object(value, where, {"text", "claimReview"}, {"claimant", "claimDate"})
    reviews = data["claimReview"]
    if not isinstance(reviews, list) or not reviews:
        raise ShapeError(f"{where}.claimReview is not a non-empty list")
    return Claim(
        text=_string(data["text"], f"{where}.text"),
        claimant=_optional(data, "claimant", where),
        claim_date=_timestamp(data["claimDate"], f"{where}.claimDate") if "claimDate" in data else None,
        claim_review=tuple(_review(r, f"{where}.claimReview[{i}]") for i, r in enumerate(reviews)),
    )


def read_response(body: Any) -> SearchResponse:
    """A claims.search answer; no results is `{}` (an empty list is left out, as protobuf does)."""
    data = _object(body, "response", set(), {"claims", "nextPageToken"})
    claims = data.get("claims", [])
    if not isinstance(claims, list) or ("claims" in data and not claims):
        raise ShapeError("claims is not a non-empty list")
    return SearchResponse(
        claims=tuple(_claim(c, f"claims[{i}]") for i, c in enumerate(claims)),
        next_page_token=_optional(data, "nextPageToken", "response"),
    )


def read_error(status_code: int, body: Any) -> FactCheckToolsError:
    error = _object(_object(body, "error answer", {"error"}, set())["error"], "error", {"code", "message", "status"},
                    {"details"})  # fmt: skip
    if error["code"] != status_code:
        raise ShapeError(f"error.code {error['code']!r} is not the HTTP status {status_code}")
    violations = []
    for detail in error.get("details", []):
        if detail.get("@type") == "type.googleapis.com/google.rpc.BadRequest":
            violations += [(v["field"], v["description"]) for v in detail["fieldViolations"]]
    return FactCheckToolsError(status_code, _string(error["status"], "error.status"),
                               _string(error["message"], "error.message"), violations)  # fmt: skip


class FactCheckTools:
    """claims.search at `base_url` (Google's is https://factchecktools.googleapis.com)."""

    def __init__(self, base_url: str, key: str = "an-api-key", http: httpx.Client | None = None):
        self.base_url, self.key = base_url.rstrip("/"), key
        self.http = http or httpx.Client(timeout=10)

    def search(self, **params: str | int) -> SearchResponse:
        """One page; params by Google's names (query, languageCode, maxAgeDays, pageSize, ...)."""
        response = self.http.get(self.base_url + PATH, params={**params, "key": self.key})
        if not response.headers.get("content-type", "").startswith("application/json"):
            raise ShapeError(f"not JSON: {response.headers.get('content-type')}")
        if response.status_code != 200:
            raise read_error(response.status_code, response.json())
        return read_response(response.json())

    def pages(self, **params: str | int) -> Iterator[SearchResponse]:
        """Every page, following nextPageToken until an answer has none."""
        token: str | None = None
        while True:
            page = self.search(**params, **({"pageToken": token} if token else {}))
            yield page
            token = page.next_page_token
            if not token:
                return

    def search_all(self, **params: str | int) -> list[Claim]:
        return [claim for page in self.pages(**params) for claim in page.claims]
