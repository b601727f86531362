export * from './event-registration.interface.js';
export * from './event-serializer.interface.js';
export * from './event-type-options.interface.js';
export * from './event-upcaster.interface.js';
