import { EventStoreErrorCode } from '../errors/event-store.error.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { CliError, EXIT_INTERRUPTED } from './cli-error.js';
import { PROGRAM } from './command-line.js';
import { parkedCommand } from './projection-parked.command.js';
import { retryParkedCommand } from './projection-retry-parked.command.js';
import { statusCommand } from './projection-status.command.js';
import { count, duration, ProgressBar } from './progress-bar.js';

const rebuild: CliCommand = {
  name: 'projection rebuild',
  usage: 'projection rebuild <name> [options]',
  summary: "Rebuild a projection of the config's app, with a progress bar",
  description: `Rebuilds the projection named <name> (its @Projection name) as ProjectionManager.rebuild() does: takes
its lease, moves its checkpoint back to the start of the feed, calls its reset(), and replays the
whole feed into it; then releases the lease. Fails, changing nothing, when another live app instance
holds the lease (stop the projection there, or rebuild it there).

This needs the app's projection classes: the config must be a .mjs or .js file exporting \`app\`, the
Nest module whose providers include them (and that imports what they inject), but not forRoot: the
CLI adds forRoot with the config's options and projections: { autoStart: false }, so nothing else
runs. The event classes need no list: their @EventType is known once the module loads them.

  // ${PROGRAM}.config.mjs
  import { ReadModelModule } from './dist/read-model/read-model.module.js';
  export const options = { tablePrefix: 'prod-' };
  export const app = ReadModelModule;

Progress goes to stderr: a bar with percent, events, rate and time left on a terminal, plain lines
otherwise. Ctrl-C stops the rebuild (exit code 130); the projection resumes the replay from where
it got when it next runs.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run(context) {
    const name = context.positionals[0]!;
    const { io } = context;
    const settings = await context.settings();
    // Loaded here: Nest's core is the slowest import of the CLI, and only this command needs it.
    const { createProjectionAppContext } = await import('./projection-app-context.js');
    const { context: app, manager } = await createProjectionAppContext(settings, io);
    const bar = new ProgressBar(io.stderr, `rebuilding "${name}"`);
    const stop = () => void manager.stop(name).catch(() => undefined);
    io.signal?.addEventListener('abort', stop, { once: true });
    try {
      const done = await manager.rebuild(name, { onProgress: (progress) => bar.update(progress) });
      bar.finish();
      io.stdout.write(
        `Rebuilt projection "${name}": ${count(done.eventsHandled)} events in ${duration(done.elapsedMs)} (${count(Math.round(done.eventsPerSecond))} events/s)\n`,
      );
      return 0;
    } catch (error) {
      bar.finish();
      if ((error as { code?: unknown })?.code === EventStoreErrorCode.PROJECTION_STOPPED && io.signal?.aborted === true) {
        throw new CliError(`interrupted: ${(error as Error).message}`, EXIT_INTERRUPTED);
      }
      throw error;
    } finally {
      io.signal?.removeEventListener('abort', stop);
      await app.close();
    }
  },
};

/** `projection rebuild`, `status`, `parked`, `retry-parked`. */
export const projectionCommands: CliCommandGroup = {
  name: 'projection',
  summary: "Rebuild a projection, show its partitions and lag, list and retry its parked events",
  commands: [rebuild, statusCommand, parkedCommand, retryParkedCommand],
};
