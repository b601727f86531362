'use strict';
// A NestJS 11 app in plain CommonJS: require('nestjs-dynamo-es') must give the package's CommonJS build.
// Prints one JSON line for the packaging test. Settings come from the environment the test sets.
require('reflect-metadata');
const roundTrip = require('./round-trip.cjs');

async function main() {
  const result = await roundTrip(
    {
      common: require('@nestjs/common'),
      core: require('@nestjs/core'),
      cqrs: require('@nestjs/cqrs'),
      rxjs: require('rxjs'),
      es: require('nestjs-dynamo-es'),
      health: require('nestjs-dynamo-es/health'),
      terminus: require('@nestjs/terminus'),
      tracing: require('@opentelemetry/sdk-trace-base'),
    },
    { clientConfig: JSON.parse(process.env.CLIENT_CONFIG), tablePrefix: process.env.TABLE_PREFIX, id: process.env.RUN_ID },
  );
  // Every entry point in both flavours: what require() and import() hand out, by export name.
  const flavours = {};
  for (const entry of ['nestjs-dynamo-es', 'nestjs-dynamo-es/testing', 'nestjs-dynamo-es/health', 'nestjs-dynamo-es/lambda']) {
    flavours[entry] = {
      required: { file: require.resolve(entry), exports: Object.keys(require(entry)).sort() },
      imported: { exports: Object.keys(await import(entry)).sort() },
    };
  }
  console.log(JSON.stringify({ ...result, flavours }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
