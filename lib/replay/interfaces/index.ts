export * from './replay-options.interface.js';
export * from './replay-handler-options.interface.js';
export * from './replay-result.interface.js';
export * from './replay-all-handler-options.interface.js';
export * from './replay-all-result.interface.js';
export * from './selected-event.interface.js';
