'use strict';
// A NestJS 11 app in plain CommonJS: require('nestjs-dynamo-es') must give the package's CommonJS build.
// Prints one JSON line for the packaging test. Settings come from the environment the test sets.
require('reflect-metadata');
const { dirname } = require('node:path');
const lifecycle = require('./lifecycle.cjs');
const roundTrip = require('./round-trip.cjs');

async function main() {
  const packages = {
    common: require('@nestjs/common'),
    core: require('@nestjs/core'),
    cqrs: require('@nestjs/cqrs'),
    rxjs: require('rxjs'),
    es: require('nestjs-dynamo-es'),
    health: require('nestjs-dynamo-es/health'),
    terminus: require('@nestjs/terminus'),
    tracing: require('@opentelemetry/sdk-trace-base'),
  };
  const settings = { clientConfig: JSON.parse(process.env.CLIENT_CONFIG), tablePrefix: process.env.TABLE_PREFIX, id: process.env.RUN_ID };
  const result = await roundTrip(packages, settings);
  result.lifecycle = await lifecycle(packages, settings);
  // The optional peer @aws-sdk/client-kms: whether the package could find it, and whether anything loaded it.
  const kmsResolvable = (() => {
    try {
      require.resolve('@aws-sdk/client-kms', { paths: [dirname(require.resolve('nestjs-dynamo-es'))] });
      return true;
    } catch {
      return false;
    }
  })();
  result.kms = { resolvable: kmsResolvable, loaded: Object.keys(require.cache).filter((file) => file.includes('client-kms')) };
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
