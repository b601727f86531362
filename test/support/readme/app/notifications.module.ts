import { Module } from '@nestjs/common';

/** The module of the app's @EventsHandler classes. */
@Module({})
export class NotificationsModule {}
