export * from './correlated-command.interface.js';
export * from './event-metadata-scope.interface.js';
