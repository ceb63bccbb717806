import { Tags, type Stack } from 'aws-cdk-lib';
import { SERVICE_NAME } from '../../lambdas/shared/config/tables.js';

/** Tag keys every resource carries, for cost allocation, inventories and IAM conditions. */
export const TAG_KEYS = { application: 'application', component: 'component' } as const;

/** The product as a tag value. */
export const APPLICATION_TAG = SERVICE_NAME;

export type Component = 'stateful' | 'stateless';

/**
 * Tags every taggable resource of `stack` with the application and the stack's component, and the
 * stack itself (`@aws-cdk/core:explicitStackTags` leaves the stack out unless it is named).
 */
export function tagComponent(stack: Stack, component: Component): void {
  const tags = { [TAG_KEYS.application]: APPLICATION_TAG, [TAG_KEYS.component]: component };
  for (const [key, value] of Object.entries(tags)) {
    Tags.of(stack).add(key, value);
    Tags.of(stack).add(key, value, { includeResourceTypes: ['aws:cdk:stack'] });
  }
}
