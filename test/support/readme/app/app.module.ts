import { Module } from '@nestjs/common';

/** The app's root module (README's "Using it" shows one). */
@Module({})
export class AppModule {}
