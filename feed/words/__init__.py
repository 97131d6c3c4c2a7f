"""Words: how text becomes search terms, language by language, the same when a fact-check is
indexed and when a reader's query is read.

Words are found by Unicode category (letters, marks, digits), so Devanagari's vowel signs and
Arabic's letters stay inside their words; scripts written without spaces (Chinese, Japanese,
Thai) become overlapping pairs of characters. Latin, Greek and Cyrillic words lose their accents
(`limon` finds `limón`), Arabic words their short vowels and the spellings of alef, yeh and teh
marbuta; then Snowball stems them in the language of the text (PyStemmer).

May import: nothing of feed; the very bottom of the house.
"""
