"""Fill a store with N generated, published fact-checks, fast (batched transactions).

python -m bench.generate --count 100000 --database-url sqlite:///bench.db
python -m bench.generate --count 100000 --database-url sqlite:///varied.db --varied

By default every fact-check is in English with 1-3 claims (what the read-path benchmarks
measure). `--varied` mixes the languages the card speaks and gives about one fact-check in ten
one or two translations, as a newsroom's archive has them (see `varied_document`).
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.languages import LANGUAGES, PHRASES, TOPIC_WORDS
from feed.core.settings import Settings
from feed.site.config import load_publishers
from feed.store import Change, open_store
from feed.store.clock import sort_key, stamp, utc_now
from schemas.model import to_document
from schemas.publisher import Publisher
from schemas.validation import parse_factcheck

VERDICTS = ["True", "Mostly true", "Mixed", "Misleading", "Mostly false", "False", "Unproven"]
TOPICS = ["vaccines", "elections", "climate", "economy", "immigration", "health", "crime", "energy"]


def document(n: int, rng: random.Random) -> dict[str, Any]:
    published = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * n)
    topic = rng.choice(TOPICS)
    claims = [
        {
            "text": f"Claim {n}.{c} about {topic} made in a widely shared post",
            "claimant": {"name": f"Speaker {rng.randrange(500)}", "type": "Person", "jobTitle": "Politician"},
            "date": (published - timedelta(days=2)).date().isoformat(),
            "appearances": [f"https://social.example.com/posts/{n}-{c}"],
            "verdict": rng.choice(VERDICTS),
            "explanation": "The figures quoted come from a report that says something different.",
        }
        for c in range(1 + n % 3)
    ]
    return {
        "slug": f"generated-check-{n:06d}",
        "status": "published",
        "headline": f"Fact check {n}: what the numbers on {topic} really say",
        "language": "en",
        "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": f"A claim about {topic} circulated widely. The sources it cites do not support it [1].",
        "claims": claims,
        "sections": [{"heading": "What we found", "paragraphs": ["The report says otherwise [1]. " * 8]}],
        "bottomLine": "Check the original source before sharing [1].",
        "sources": [{"title": "Official statistics", "url": f"https://stats.example.org/{topic}/{n}"}],
        "tags": [topic],
    }


def slug_of(n: int) -> str:
    return f"generated-check-{n:06d}"


# --varied: fact-checks come in blocks of GROUP_EVERY; the first of a block names the next one
# or two as its translations (same story, claims and verdicts, other languages), the rest stand
# alone. Everything about fact-check n follows from n and the seed, so a store filled in several
# runs (generate resumes at the count it holds) is the store one run fills.
GROUP_EVERY = 10
WEIGHTS = {"en": 40, "es": 15, "pt": 12, "fr": 10, "de": 10, "ar": 7, "hi": 6}  # of the standalone ones


def translation_group(n: int, seed: int = 7) -> tuple[int, list[str]]:
    """The first index of n's block and the languages of its group (the original's first)."""
    block = n - n % GROUP_EVERY
    rng = random.Random(f"group-{seed}-{block}")
    original = rng.choices(LANGUAGES, [WEIGHTS[language] for language in LANGUAGES])[0]
    others = rng.sample([language for language in LANGUAGES if language != original], 1 + rng.randrange(2))
    return block, [original, *others]


def varied_document(n: int, publisher: Publisher, seed: int = 7) -> dict[str, Any]:
    """Fact-check n of a varied store: its language, words and verdicts (the scale's label in
    that language, as an editor writes it) and, for the original of a group, its translations."""
    block, languages = translation_group(n, seed)
    member = n - block
    in_group = member < len(languages)
    # A group's members share the story: one generator for it, seeded by the block.
    story = random.Random(f"group-{seed}-{block}-story" if in_group else f"check-{seed}-{n}")
    if in_group:
        language = languages[member]
    else:
        language = story.choices(LANGUAGES, [WEIGHTS[language] for language in LANGUAGES])[0]
    words = PHRASES[language]
    topic_index = story.randrange(len(TOPICS))
    topic = TOPIC_WORDS[language][topic_index]
    labels = publisher.scale.labels
    claim_count = 1 + story.randrange(3)
    published = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * n)
    claims = []
    for c in range(claim_count):
        speaker, label = story.randrange(500), story.choice(labels)
        claims.append({
            "text": words["claim"].format(n=block if in_group else n, c=c, topic=topic),
            "claimant": {"name": f"Speaker {speaker}", "type": "Person", "jobTitle": "Politician"},
            "date": (published - timedelta(days=2)).date().isoformat(),
            "appearances": [f"https://social.example.com/posts/{block if in_group else n}-{c}"],
            "verdict": label.in_language(language),
            "explanation": words["explanation"],
        })  # fmt: skip
    document: dict[str, Any] = {
        "slug": slug_of(n),
        "status": "published",
        "headline": words["headline"].format(n=n, topic=topic),
        "language": language,
        "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": words["summary"].format(topic=topic),
        "claims": claims,
        "sections": [{"heading": words["heading"], "paragraphs": [words["paragraph"] * 8]}],
        "bottomLine": words["bottomLine"],
        "sources": [{"title": words["source"], "url": f"https://stats.example.org/{TOPICS[topic_index]}/{n}"}],
        "tags": [topic],
    }
    if in_group and member == 0:
        document["translations"] = [slug_of(block + m) for m in range(1, len(languages))]
    return document


def generate(database_url: str, count: int, batch: int = 5000, seed: int = 7, *, varied: bool = False) -> None:
    """Fill the store up to `count` published fact-checks (resuming at what it holds)."""
    settings = Settings.load(overrides={"database_url": database_url})
    publishers = load_publishers(settings)
    publisher = next(iter(publishers.values()))
    store = open_store(database_url)
    rng = random.Random(seed)
    start = store.public_count()
    for first in range(start, count, batch):
        changes = []
        for n in range(first, min(first + batch, count)):
            raw = varied_document(n, publisher, seed) if varied else document(n, rng)
            fc = parse_factcheck(raw, publishers)
            changes.append(Change(to_document(fc), sort_key(fc.date_published), "publish"))
        store.create_many(changes, stamp(utc_now()))
        print(f"  {min(first + batch, count):>7} fact-checks", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url", default="sqlite:///bench.db")
    parser.add_argument("--varied", action="store_true", help="several languages, some fact-checks translated")
    args = parser.parse_args()
    generate(args.database_url, args.count, varied=args.varied)


if __name__ == "__main__":
    main()
