import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { AdminController } from './admin.controller.js';
import { AuditAccountHandler } from './queries/audit-account.handler.js';

@Module({ imports: [BankAggregatesModule], controllers: [AdminController], providers: [AuditAccountHandler] })
export class AdminModule {}
