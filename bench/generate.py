"""Fill a store with N generated, published fact-checks, fast (batched transactions).

python -m bench.generate --count 100000 --database-url sqlite:///bench.db
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from feed.core.settings import Settings
from feed.site.config import load_publishers
from feed.store import Change, open_store
from feed.store.clock import sort_key, stamp, utc_now
from schemas.model import to_document
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


def generate(database_url: str, count: int, batch: int = 5000, seed: int = 7) -> None:
    settings = Settings.load(overrides={"database_url": database_url})
    publishers = load_publishers(settings)
    store = open_store(database_url)
    rng = random.Random(seed)
    start = store.public_count()
    for first in range(start, count, batch):
        changes = []
        for n in range(first, min(first + batch, count)):
            fc = parse_factcheck(document(n, rng), publishers)
            changes.append(Change(to_document(fc), sort_key(fc.date_published), "publish"))
        store.create_many(changes, stamp(utc_now()))
        print(f"  {min(first + batch, count):>7} fact-checks", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url", default="sqlite:///bench.db")
    args = parser.parse_args()
    generate(args.database_url, args.count)


if __name__ == "__main__":
    main()
