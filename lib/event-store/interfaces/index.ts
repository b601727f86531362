export * from './event-envelope.interface.js';
export * from './append-options.interface.js';
export * from './append-result.interface.js';
export * from './read-options.interface.js';
