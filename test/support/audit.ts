// The audit log beside a campaign store, for tests whose subject is not the log: each call gets a
// log of its own unless one is given.
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import type { AuditLog, CampaignStore } from '../../lambdas/shared/use-cases/ports.js';

export const withAudit = <C extends CampaignStore>(campaigns: C, audit: AuditLog = new InMemoryAuditLog()) => ({ campaigns, audit });
