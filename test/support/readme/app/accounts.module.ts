import { Module } from '@nestjs/common';

/** README's AccountsModule: forFeature({ aggregates: [Account] }) and the command handlers. */
@Module({})
export class AccountsModule {}
