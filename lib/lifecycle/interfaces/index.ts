export * from './stream-metadata.interface.js';
export * from './delete-stream-options.interface.js';
export * from './erasure-report.interface.js';
export * from './lifecycle-options.interface.js';
