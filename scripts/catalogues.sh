#!/usr/bin/env bash
# Bring the message catalogues up to date with the code and templates:
#   extract  every message into widget/locale/factcard.pot,
#   update   each language's .po with the new and changed messages (new ones untranslated),
#   compile  each .po into the .mo the service reads.
# Translate in the .po files between the update and the compile (docs/developers/languages.md).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg --ignore-dirs 'node_modules build .* _*' --no-location --sort-output \
    --project factcard --copyright-holder factcard -o widget/locale/factcard.pot . 2>&1 | grep -v '^extracting' || true
pybabel update -D factcard -i widget/locale/factcard.pot -d widget/locale --no-fuzzy-matching --ignore-obsolete
pybabel compile -D factcard -d widget/locale --statistics
