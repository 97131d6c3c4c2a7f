"""What a fact-check is, and how it becomes ClaimReview JSON-LD.

Pure code: no HTTP, no database, no clock. Callers pass `now` in.
"""
