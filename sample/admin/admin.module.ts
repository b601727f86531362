import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { AdminController } from './admin.controller.js';
import { DeleteAccountHandler } from './commands/delete-account.handler.js';
import { ForgetCustomerHandler } from './commands/forget-customer.handler.js';
import { AuditAccountHandler } from './queries/audit-account.handler.js';

@Module({ imports: [BankAggregatesModule], controllers: [AdminController], providers: [AuditAccountHandler, DeleteAccountHandler, ForgetCustomerHandler] })
export class AdminModule {}
