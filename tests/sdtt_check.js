// Runs structured-data-testing-tool's Google preset on one URL or HTML file, prints a JSON summary.
// Usage: node sdtt_check.js URL_OR_FILE
const fs = require('fs')
const { structuredDataTest } = require('structured-data-testing-tool')
const { Google } = require('structured-data-testing-tool/presets')

const target = process.argv[2]
const input = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : target

function summary (result) {
  const describe = (t) => ({ test: t.test, group: t.group, description: t.description, error: t.error && t.error.message })
  return {
    passed: result.passed.map(describe),
    failed: result.failed.map(describe),
    warnings: result.warnings.map(describe),
    schemas: result.schemas
  }
}

structuredDataTest(input, { presets: [Google] })
  .then((result) => { console.log(JSON.stringify(summary(result))) })
  .catch((err) => {
    if (err.type === 'VALIDATION_FAILED') {
      console.log(JSON.stringify(summary(err.res)))
    } else {
      console.error(err.message || String(err))
      process.exit(2)
    }
  })
