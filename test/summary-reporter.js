/**
 * Ends jest's output with one plain line, "jest: N passed, N failed[, N skipped]", for CI systems
 * that do not parse jest's own summary. Written when the process exits, so that it comes after
 * jest's summary and its "Ran all test suites." line.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    process.once('exit', () => process.stderr.write(`${line}\n`));
  }
}
