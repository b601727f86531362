import { Module } from '@nestjs/common';
import { BalancesTable } from './balances-table.js';

/** Provides and exports the read model's storage. */
@Module({ providers: [BalancesTable], exports: [BalancesTable] })
export class BalancesModule {}
