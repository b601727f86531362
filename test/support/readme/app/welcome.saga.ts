import { Injectable } from '@nestjs/common';

/** README's WelcomeSaga (AccountOpened → SendWelcome). */
@Injectable()
export class WelcomeSaga {}
