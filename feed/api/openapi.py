"""The OpenAPI 3.1 description of the publishing API, served at /openapi.json.

The fact-check document's schema is built from `schemas.document`, the description the
validator (schemas.validation) also reads its keys and limits from, so the two cannot drift;
tests check that they agree, object by object and on the demo documents.
"""

from __future__ import annotations

from typing import Any

from feed.api import claimsearch as cs
from feed.core.query import MAX_LANGUAGE_TAG
from feed.core.urls import PATTERNS
from schemas.document import FACTCHECK, LANGUAGE_TAG, json_schema

_URL = {"type": "string", "format": "uri", "pattern": "^https?://"}
_TEXT = {"type": "string", "minLength": 1}

# Built from the one description of a document, which the validator reads too.
FACTCHECK_SCHEMA: dict[str, Any] = json_schema(FACTCHECK)

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "The URL of this site's page on the problem type, or about:blank"},
        "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}  # fmt: skip

RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"}, "version": {"type": "integer"},
        "status": {"enum": ["draft", "published", "retracted"]}, "url": _URL,
        "createdAt": {"type": "string"}, "updatedAt": {"type": "string"},
        "document": {"$ref": "#/components/schemas/FactCheck"},
        "verdicts": {"type": "array", "items": {"type": "object"},
                     "description": "Each claim's current verdict; empty once retracted"},
        "retraction": {"type": "object", "description": "Only when retracted: the notice, in the fact-check's "
                       "language, with the reason and date", "properties": {
            "notice": {"type": "string"}, "reason": {"type": "string"}, "date": {"type": ["string", "null"]}}},
        "claimReview": {"type": "array", "items": {"type": "object"},
                        "description": "ClaimReview JSON-LD, one per claim; empty unless published"},
        "warnings": {"type": "array", "description": "Only in the answer to a write: the ClaimReview advice "
                     "(a claimReviewed over 140 characters, a claim that gives its verdict away), never a refusal",
                     "items": {"type": "object", "properties": {"field": {"type": "string"},
                                                                "message": {"type": "string"}}}},
    },
}  # fmt: skip


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _record(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"ETag": {"schema": {"type": "string"}, "description": "Send back in If-Match"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Record"}}},
    }


_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_IF_MATCH = {"name": "If-Match", "in": "header", "schema": {"type": "string"}}
_UNAUTHORIZED = {
    "401": _problem("Missing, unknown, expired or revoked bearer token"),
    "403": _problem("The token is limited to another publisher"),
    "429": {
        **_problem("Too many failed token checks from this address, or too many writes by this token or address"),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    },
}
_WRITE_ERRORS = {
    "400": _problem("Malformed JSON"),
    **_UNAUTHORIZED,
    "413": _problem("Body too large"),
    "415": _problem("Body is not JSON"),
    "422": _problem("Invalid fact-check; `errors` names every failing field"),
}
_SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
# Public, and a token (when sent and valid) shows drafts too: {} is OpenAPI's "no credentials".
_TOKEN_OPTIONAL: list[dict[str, list[str]]] = [{}, {"bearer": []}]

LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
        "page": {"type": "integer"}, "total": {"type": "integer"},
        "next": {"type": ["string", "null"], "description": "The next page's URL; null on the last page"},
    },
}  # fmt: skip

REVISIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "revisions": {"type": "array", "items": {"type": "object", "properties": {
            "version": {"type": "integer"}, "status": {"enum": ["draft", "published", "retracted"]},
            "recordedAt": {"type": "string"}, "document": {"$ref": "#/components/schemas/FactCheck"},
            "actor": {"type": ["object", "null"], "description": "The token that wrote it; null for imports",
                      "properties": {"keyId": {"type": "string"}, "name": {"type": "string"}}}}}},
    },
}  # fmt: skip


# Google Fact Check Tools' claims.search answer (FactCheckedClaimSearchResponse), and its errors.
_TIMESTAMP = {"type": "string", "format": "date-time", "description": "RFC 3339, in UTC"}
CLAIM_SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "No results is {}: empty fields are left out, never null",
    "properties": {
        "claims": {"type": "array", "items": {"type": "object", "required": ["text", "claimReview"], "properties": {
            "text": {"type": "string"}, "claimant": {"type": "string"}, "claimDate": _TIMESTAMP,
            "claimReview": {"type": "array", "items": {"type": "object", "properties": {
                "publisher": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "site": {"type": "string", "description": "The publisher's host, without www."}}},
                "url": {**_URL, "description": "The ClaimReview url, as the page's JSON-LD gives it"},
                "title": {"type": "string"}, "reviewDate": _TIMESTAMP,
                "textualRating": {"type": "string", "description": "The verdict in the fact-check's words "
                                  "(the ClaimReview's reviewRating.alternateName)"},
                "languageCode": {"type": "string"}}}}}}},
        "nextPageToken": {"type": "string", "description": "Only when more claims follow"},
    },
}  # fmt: skip
GOOGLE_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "integer"}, "message": {"type": "string"},
        "status": {"type": "string", "description": "INVALID_ARGUMENT for a bad parameter"},
        "details": {"type": "array", "items": {"type": "object", "description": "google.rpc.BadRequest: "
                    "fieldViolations names each bad parameter"}}}}},
}  # fmt: skip


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _claims_search() -> dict[str, Any]:
    number = {"type": "integer", "minimum": 0}
    return {
        "operationId": "claimsSearch",
        "summary": "Search the published claims, as Google Fact Check Tools' claims.search",
        "description": "Google's parameters, answer, page tokens and errors: a tool written for "
        "factchecktools.googleapis.com works here by changing its base URL. One result per claim of each "
        "published fact-check; retracted ones are never given.",
        "security": [{}],
        "parameters": [
            _query("query", "Words of the claim. Required unless reviewPublisherSiteFilter is given", _TEXT),
            _query("languageCode", "A BCP 47 language tag; the region is not considered (es-MX finds es too)",
                   {"type": "string", "maxLength": MAX_LANGUAGE_TAG, "pattern": LANGUAGE_TAG.pattern}),
            _query("reviewPublisherSiteFilter", "A publisher's site, such as news.example (or a subdomain "
                   "of it); with it, query may be left out", {"type": "string"}),
            _query("maxAgeDays", "Reviews published this many days ago at most; 0 is unset",
                   {**number, "maximum": cs.MAX_AGE_DAYS}),
            _query("pageSize", f"Claims a page; {cs.DEFAULT_PAGE_SIZE} when unset or 0, at most "
                   f"{cs.MAX_PAGE_SIZE} given", {**number, "maximum": cs.INT32}),
            _query("pageToken", "The nextPageToken of the previous page, with the same other parameters",
                   {"type": "string"}),
            _query("offset", "Claims to skip; read only without a pageToken",
                   {**number, "maximum": cs.MAX_OFFSET}),
            *(_query(name, "Sent by Google's clients; taken and ignored", {"type": "string"})
              for name in cs.IGNORED_PARAMETERS),
            _query("alt", "Google's response format: only json", {"enum": ["json"]}),
        ],
        "responses": {
            "200": {"description": "A page of claims", "headers": {"Cache-Control": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClaimSearch"}}}},
            "400": {"description": "A bad or missing parameter, or a pageToken not issued for this query",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GoogleError"}}}},
        },
    }  # fmt: skip


def _json(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def openapi_document(base_url: str) -> dict[str, Any]:
    document_body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FactCheck"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "factcard publishing API",
            "version": "1",
            "description": "Publish fact-checks as schema.org ClaimReview. Reads are public; "
            "writes need a bearer token from `factcard token create NAME`. Tools that search Google "
            "Fact Check Tools search this archive the same way at claims:search.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": base_url}],
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `factcard token create NAME`. Writes need one; reads take one "
                "optionally, to see drafts.",
            }},
            "schemas": {"FactCheck": FACTCHECK_SCHEMA, "Problem": PROBLEM_SCHEMA, "Record": RECORD_SCHEMA,
                        "CheckList": LIST_SCHEMA, "Revisions": REVISIONS_SCHEMA,
                        "ClaimSearch": CLAIM_SEARCH_SCHEMA, "GoogleError": GOOGLE_ERROR_SCHEMA},
        },
        "paths": {
            PATTERNS["api_checks"]: {
                "get": {
                    "operationId": "listChecks",
                    "summary": "List fact-checks, newest first (drafts only with a token)",
                    "description": "Public: without a token, published and retracted fact-checks. With a valid "
                    "bearer token, drafts too, and `status=draft` lists drafts alone. An invalid token "
                    "is treated as none.",
                    "security": _TOKEN_OPTIONAL,
                    "parameters": [
                        {"name": "status", "in": "query", "schema": {"enum": ["draft", "published", "retracted"]}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "lang", "in": "query", "description": "Only fact-checks in this language or "
                         "a regional form of it (es: es, es-MX, es-419), whatever the case",
                         "schema": {"type": "string", "maxLength": MAX_LANGUAGE_TAG, "pattern": LANGUAGE_TAG.pattern}},
                    ],
                    "responses": {"200": _json("A page of fact-checks", "CheckList"),
                                  "400": _problem("Bad status, page or lang (drafts need a token)")},
                },
                "post": {
                    "operationId": "createCheck",
                    "summary": "Create a fact-check (a draft unless status says otherwise)",
                    "security": _SECURED,
                    "requestBody": document_body,
                    "responses": {"201": _record("Created"), "409": _problem("Slug taken"), **_WRITE_ERRORS},
                },
            },
            PATTERNS["api_check"]: {
                "parameters": [_SLUG],
                "get": {
                    "operationId": "getCheck",
                    "summary": "One fact-check (a draft only with a token)",
                    "description": "Public for published and retracted fact-checks; a draft is found only "
                    "with a valid bearer token (without one it is a 404).",
                    "security": _TOKEN_OPTIONAL,
                    "parameters": [{"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                                    "description": "An ETag read before; unchanged gets 304"}],
                    "responses": {"200": _record("The fact-check"), "304": {"description": "Not modified"},
                                  "404": _problem("Unknown slug")},
                },
                "put": {
                    "operationId": "updateCheck",
                    "summary": "Replace a fact-check's content; needs If-Match with the current ETag",
                    "security": _SECURED,
                    "parameters": [{**_IF_MATCH, "required": True}],
                    "requestBody": document_body,
                    "responses": {
                        "200": _record("Updated"), "404": _problem("Unknown slug"),
                        "409": _problem("Retracted fact-checks cannot be edited"),
                        "412": _problem("Stale ETag: someone else saved first"),
                        "428": _problem("If-Match missing"), **_WRITE_ERRORS,
                    },
                },
            },
            PATTERNS["api_publish"]: {
                "parameters": [_SLUG],
                "post": {
                    "operationId": "publishCheck",
                    "summary": "Publish a draft (checked against the ClaimReview rules first)",
                    "security": _SECURED,
                    "parameters": [_IF_MATCH],
                    "responses": {"200": _record("Published"), **_UNAUTHORIZED, "404": _problem("Unknown slug"),
                                  "409": _problem("Retracted"), "412": _problem("Stale ETag"),
                                  "422": _problem("Breaks the ClaimReview rules")},
                },
            },
            PATTERNS["api_retract"]: {
                "parameters": [_SLUG],
                "post": {
                    "operationId": "retractCheck",
                    "summary": "Retract a fact-check, with a reason shown to readers",
                    "security": _SECURED,
                    "parameters": [_IF_MATCH],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["reason"], "properties": {"reason": _TEXT}}}}},
                    "responses": {"200": _record("Retracted"), "404": _problem("Unknown slug"),
                                  "409": _problem("Already retracted"), "412": _problem("Stale ETag"),
                                  **_WRITE_ERRORS},
                },
            },
            PATTERNS["api_revisions"]: {
                "parameters": [_SLUG],
                "get": {
                    "operationId": "listRevisions",
                    "summary": "Every stored revision of a fact-check, oldest first",
                    "security": _SECURED,
                    "responses": {"200": _json("The revisions", "Revisions"), **_UNAUTHORIZED,
                                  "404": _problem("Unknown slug")},
                },
            },
            PATTERNS["claims_search"]: {"get": _claims_search()},
        },
    }  # fmt: skip
