import { PersonalDataDisabledError } from '../errors/personal-data-disabled.error.js';
import { plannedTables } from '../tables/planned-tables.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { confirmConsequence } from './confirmation.js';
import { ErasureReportOutput, OUT_OPTION_HELP } from './erasure-report-output.js';

// The AWS SDK and the EventStore are loaded inside run(): help and usage errors answer without them.

const forget: CliCommand = {
  name: 'subject forget',
  usage: 'subject forget <subjectId> [--yes] [--out <file>] [options]',
  summary: "Erase a data subject's personal data (crypto-shredding), and print the erasure report",
  description: `Deletes the data key of the subject, as EventStore.forgetSubject() does, after asking on the terminal:
from then on the personal-data fields encrypted with it read as redacted in events, snapshots and
projections rebuilt later, in every process; the events themselves stay, and aggregates still load.
Prints the erasure report (JSON) on stdout; everything else goes to stderr. Cannot be undone.

Needs the app's personalData options (keysTable and the key wrapping) in the config: a JSON config
can name the KMS key (wrapping.kmsKeyId) or hold the local key; an .mjs config can also give a
kmsClient.

Options:
  --yes                  Do not ask first (for scripts; required when stdin is not a terminal)
${OUT_OPTION_HELP}`,
  options: { yes: { type: 'boolean' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const subjectId = context.positionals[0]!;
    // A blank id (an unset shell variable) is refused before anything else; loaded here, as it brings the AWS SDK.
    const subjects: typeof import('../personal-data/personal-data-service.js') = await import('../personal-data/personal-data-service.js');
    subjects.assertSubjectId(subjectId);
    const settings = await context.settings();
    if (settings.resolved.personalData === undefined) throw new PersonalDataDisabledError('subject forget');
    const [{ withCliRuntime }, { requireTables }, { EventStore }, { CommittedEventsPublisher }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../event-store/event-store.js'),
      import('../publishing/committed-events.publisher.js'),
    ]);
    const keysTable = settings.resolved.personalData.keysTable;
    return withCliRuntime(
      settings,
      async (runtime) => {
        const tables = plannedTables(runtime.options, false).filter((table) => table.role === 'personalDataKeys');
        await requireTables(runtime.client, tables, runtime.options.tableSetup);
        const store = new EventStore(runtime, new CommittedEventsPublisher());
        const output = await ErasureReportOutput.open(context.io, context.values);
        await output.deliver(async () => {
          await confirmConsequence(context.io, context.values, {
            command: 'subject forget',
            explanation:
              `Forget data subject "${subjectId}": its data key is deleted from table "${keysTable}", so the personal-data fields ` +
              `encrypted with it read as redacted for good, in events, snapshots and projections rebuilt later; appends of its ` +
              `personal data are refused from then on. This cannot be undone.`,
            question: `Forget subject "${subjectId}"?`,
          });
          return store.forgetSubject(subjectId);
        });
        return 0;
      },
      { personalData: true },
    );
  },
};

/** `subject forget`. */
export const subjectCommands: CliCommandGroup = {
  name: 'subject',
  summary: "Erase a data subject's personal data",
  commands: [forget],
};
