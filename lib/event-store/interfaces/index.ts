export * from './event-envelope.interface.js';
export * from './append-options.interface.js';
export * from './append-result.interface.js';
export * from './read-options.interface.js';
export * from './boundary-cache-options.interface.js';
