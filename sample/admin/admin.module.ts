import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { AdminController } from './admin.controller.js';

@Module({ imports: [BankAggregatesModule], controllers: [AdminController] })
export class AdminModule {}
