import { EventType } from '../lib/index.js';

/** The event class of the cold start measurement (bench/lambda-cold-start.ts). */
@EventType('ColdStartDeposited')
export class ColdStartDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}
