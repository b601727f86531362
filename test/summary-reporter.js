/**
 * Ends jest's output with one plain line, "jest: N passed, N failed[, N skipped]", that CI
 * systems which do not parse jest's own summary can read.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    // stderr, like jest's own summary, so that this line comes last in a combined log.
    process.stderr.write(`\n${line}\n`);
  }
}
