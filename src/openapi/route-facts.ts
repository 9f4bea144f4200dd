import type { INestApplicationContext, Type } from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { IS_PUBLIC } from '../authz/public.decorator.js';

/** What the guards will do on a route, read from the same metadata the guards read. */
export interface RouteFacts {
  /** `@Public()`: the global access guard lets it through without a token. */
  public: boolean;
  /** Behind `ThrottlerGuard` and not `@SkipThrottle()`d: may answer 429. */
  throttled: boolean;
}

/**
 * `@SkipThrottle()` stores `THROTTLER:SKIP<name>`; the constant is not exported by
 * @nestjs/throttler. Our one throttler is named 'default' (auth.module.ts). The unit
 * spec of the document pins that refresh (skipped) gets no 429 while login does.
 */
const SKIP_DEFAULT_THROTTLER = 'THROTTLER:SKIPdefault';

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** `AuthController.login` → `auth_login`: stable as long as the class and method names are. */
export function operationIdOf(controllerName: string, methodName: string): string {
  return `${snake(controllerName.replace(/Controller$/, ''))}_${snake(methodName)}`;
}

const isThrottlerGuard = (guard: unknown): boolean =>
  typeof guard === 'function' && (guard === ThrottlerGuard || guard.prototype instanceof ThrottlerGuard);

/**
 * The facts of every route handler, by operationId. Works in preview mode too: the
 * container of modules is a core provider, and only metadata is read, never an instance.
 */
export function routeFacts(app: INestApplicationContext): Map<string, RouteFacts> {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const facts = new Map<string, RouteFacts>();
  for (const wrapper of new DiscoveryService(app.get(ModulesContainer)).getControllers()) {
    const controller = wrapper.metatype as Type | null;
    if (!controller?.prototype) continue;
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const guards = [
        ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? []),
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? []),
      ];
      facts.set(operationIdOf(controller.name, name), {
        public: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) === true,
        throttled:
          guards.some(isThrottlerGuard) &&
          reflector.getAllAndOverride<boolean | undefined>(SKIP_DEFAULT_THROTTLER, [handler, controller]) !== true,
      });
    }
  }
  return facts;
}
