import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';

export const RAW_RESPONSE = 'raw_response';
/** Marks a controller or route whose response is not wrapped in the envelope (health). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

export interface SuccessEnvelope<T> {
  code: 0;
  message: 'OK';
  data: T | null;
}

/** Wraps every successful `/api/v1` response: `{ code: 0, message: "OK", data }`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()]);
    if (raw) return next.handle();
    return next.handle().pipe(map((data): SuccessEnvelope<unknown> => ({ code: 0, message: 'OK', data: data ?? null })));
  }
}
