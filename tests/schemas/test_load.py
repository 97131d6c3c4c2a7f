"""load_factcheck reads back exactly what parse_factcheck gave, from the document to_document wrote."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from schemas.document import (
    BOOLEAN,
    DATE,
    ENUM,
    FACTCHECK,
    LANGUAGE,
    LIST,
    LONG_TEXT,
    OBJECT,
    SLUG,
    TEXT,
    URL,
    VERDICT,
    Shape,
)
from schemas.model import load_factcheck, to_document
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents
from tests.schemas.test_claimreview import with_people


def round_trips(document: dict[str, Any], publishers: Any, name: str) -> None:
    parsed = parse_factcheck(copy.deepcopy(document), publishers)
    stored = to_document(parsed)
    assert load_factcheck(stored) == parsed, name
    assert to_document(load_factcheck(stored)) == stored, name


def everything(document: dict[str, Any], publishers: Any) -> dict[str, Any]:
    """`document` with every optional field of every object present."""
    document = with_people(document)
    document |= {
        "publisher": next(iter(publishers)),
        "datePublished": "2025-10-30T09:00:00+01:00",
        "dateModified": "2025-11-02",
        "bottomLine": document.get("bottomLine", "In short: no."),
        "relatedQuestions": ["Is it true?", "Who said it?"],
        "tags": ["health", "science"],
        "image": {"url": "https://img.example/a.png", "alt": "A chart"},
        "corrections": [{"date": "2025-11-01", "note": "A figure was wrong."}],
    }
    sources = document.setdefault("sources", [{"title": "A study", "url": "https://journal.example/1"}])
    sources[0] |= {"publisher": "Journal", "date": "2024-05-01"}
    claim = document["claims"][0]
    claim |= {
        "date": "2025-10-01",
        "appearances": ["https://social.example/p/1", "https://video.example/v/2"],
        "firstAppearance": "https://social.example/p/1",
        "explanation": "The study says *otherwise*.",
    }
    return document


def variants(publishers: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for document in demo_documents():
        slug = document["slug"]
        out.append((slug, document))
        out.append((f"{slug} with everything", everything(document, publishers)))
        several = copy.deepcopy(document)
        several["claims"] = [
            {**several["claims"][0], "text": f"Claim {n}", "verdict": label.label.upper()}
            for n, label in enumerate(next(iter(publishers.values())).scale.labels)
        ]
        out.append((f"{slug} with several claims", several))
        translated = copy.deepcopy(several)
        for claim, label in zip(translated["claims"], next(iter(publishers.values())).scale.labels, strict=True):
            claim["verdict"] = label.in_language(translated["language"] if label.value else "ar")
        out.append((f"{slug} with verdicts in other languages", translated))
        retracted = everything(document, publishers) | {"status": "retracted", "retraction": {"reason": "Withdrawn."}}
        out.append((f"{slug} retracted", retracted))
        dated = retracted | {"retraction": {"reason": "The study was withdrawn.", "date": "2025-12-01T10:00:00Z"}}
        out.append((f"{slug} retracted with a date", dated))
        corrected = copy.deepcopy(document)
        corrected["corrections"] = [{"date": f"2025-11-0{n}", "note": f"Correction {n}."} for n in range(1, 4)]
        out.append((f"{slug} corrected", corrected))
    return out


def test_every_demo_document_and_its_variants_round_trip(publishers: Any) -> None:
    for name, document in variants(publishers):
        round_trips(document, publishers, name)


# -- generated documents: random choices over the document's description ----------------------


WORDS = ["claim", "vaccine", "rain", "tax", "école", "números", "数字", "*emphasis*"]


def random_value(rng: random.Random, kind: str, publishers: Any) -> Any:
    """A valid random value of `kind`; verdicts in any case and spacing, as a writer might send them."""
    if kind in (TEXT, LONG_TEXT):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    if kind == URL:
        return f"https://site{rng.randrange(9)}.example/p/{rng.randrange(1000)}"
    if kind == DATE:
        return rng.choice(["2025-10-30", "2024-02-29T23:59:59Z", "2025-01-01T08:00:00.5+05:30"])
    if kind == SLUG:
        return f"generated-{rng.randrange(10_000)}"
    if kind == LANGUAGE:
        return rng.choice(["en", "pt-BR", "es", "zh-Hant-TW"])
    if kind == VERDICT:
        label: str = rng.choice(next(iter(publishers.values())).scale.labels).label
        return rng.choice([label, label.lower(), f" {label.upper()} "])
    if kind == BOOLEAN:
        return rng.choice([True, False])  # false said, or left out: the same document
    raise AssertionError(kind)


def generated(rng: random.Random, shape: Shape, publishers: Any, retracted: bool) -> dict[str, Any]:
    """A valid random object of `shape`: each optional field present or not, lists of 1 to 3."""
    out: dict[str, Any] = {}
    for each in shape.fields:
        present = each.required or rng.random() < 0.6
        if each.name == "retraction":
            present = retracted  # a retracted fact-check has one, and only a retracted one
        elif each.name == "status" and retracted:
            present = True
        if not present:
            continue

        if each.kind == OBJECT and each.shape is not None:
            out[each.name] = generated(rng, each.shape, publishers, retracted)
        elif each.kind == LIST and each.shape is not None:
            out[each.name] = [generated(rng, each.shape, publishers, retracted) for _ in range(rng.randint(1, 3))]
        elif each.kind == LIST:
            out[each.name] = [random_value(rng, each.item or TEXT, publishers) for _ in range(rng.randint(1, 3))]
        elif each.name == "status":
            out[each.name] = "retracted" if retracted else rng.choice(["draft", "published"])
        elif each.kind == ENUM:
            out[each.name] = rng.choice(each.values)
        elif each.name == "publisher":
            out[each.name] = next(iter(publishers))  # the verdicts come from its scale
        else:
            out[each.name] = random_value(rng, each.kind, publishers)
    if out.get("type") == "Organization":
        out.pop("jobTitle", None)  # a job title belongs to a person
    if out.get("originalIsCanonical") and "originalUrl" not in out:
        out.pop("originalIsCanonical")  # the original article stays canonical only when there is one
    return out


@pytest.mark.parametrize("seed", range(40))
def test_generated_documents_round_trip(seed: int, publishers: Any) -> None:
    rng = random.Random(seed)
    document = generated(rng, FACTCHECK, publishers, retracted=seed % 4 == 0)
    round_trips(document, publishers, f"seed {seed}")
