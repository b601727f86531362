import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Terminus answers a failed check by throwing a 503 whose response is its report. The app's
 * ApiErrorFilter would replace that with the API's error body and lose the report, so the health
 * controller answers with the report as it is (a controller's filter comes before the global one).
 */
@Catch(ServiceUnavailableException)
export class HealthReportFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ServiceUnavailableException, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse<unknown>(), error.getResponse(), error.getStatus());
  }
}
