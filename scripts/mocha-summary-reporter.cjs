'use strict';
// Mocha's spec reporter, followed by the one summary line CI reads: `tests: N passed, N failed`.
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // Registered after the spec reporter's own epilogue listener, so this is the last line.
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures } = runner.stats;
      process.stdout.write(`tests: ${passes} passed, ${failures} failed\n`);
    });
  }
}

module.exports = SummaryReporter;
