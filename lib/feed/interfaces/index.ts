export * from './feed-event.interface.js';
export * from './feed-options.interface.js';
export * from './replay-all-options.interface.js';
