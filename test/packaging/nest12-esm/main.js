// A NestJS 12 app as ES modules: import 'nestjs-dynamo-es' must give the package's ES module build.
// Prints one JSON line for the packaging test. Settings come from the environment the test sets.
import 'reflect-metadata';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as cqrs from '@nestjs/cqrs';
import * as terminus from '@nestjs/terminus';
import * as tracing from '@opentelemetry/sdk-trace-base';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rxjs from 'rxjs';
import * as es from 'nestjs-dynamo-es';
import * as health from 'nestjs-dynamo-es/health';
import lifecycle from './lifecycle.cjs';
import roundTrip from './round-trip.cjs';

const packages = { common, core, cqrs, rxjs, es, health, terminus, tracing };
const settings = { clientConfig: JSON.parse(process.env.CLIENT_CONFIG), tablePrefix: process.env.TABLE_PREFIX, id: process.env.RUN_ID };
const result = await roundTrip(packages, settings);
result.lifecycle = await lifecycle(packages, settings);
const require = createRequire(import.meta.url);
// The optional peer @aws-sdk/client-kms: whether the package could find it, and whether anything loaded it.
const kmsResolvable = (() => {
  try {
    require.resolve('@aws-sdk/client-kms', { paths: [dirname(fileURLToPath(import.meta.resolve('nestjs-dynamo-es')))] });
    return true;
  } catch {
    return false;
  }
})();
result.kms = { resolvable: kmsResolvable, loaded: Object.keys(require.cache).filter((file) => file.includes('client-kms')) };
// Every entry point in both flavours: what import() and require() hand out, by export name.
const flavours = {};
for (const entry of ['nestjs-dynamo-es', 'nestjs-dynamo-es/testing', 'nestjs-dynamo-es/health', 'nestjs-dynamo-es/lambda']) {
  flavours[entry] = {
    imported: { file: fileURLToPath(import.meta.resolve(entry)), exports: Object.keys(await import(entry)).sort() },
    required: { file: require.resolve(entry), exports: Object.keys(require(entry)).sort() },
  };
}
console.log(JSON.stringify({ ...result, flavours }));
