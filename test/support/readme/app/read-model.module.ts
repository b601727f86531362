import { Module } from '@nestjs/common';

/** The module of the app's projections. */
@Module({})
export class ReadModelModule {}
