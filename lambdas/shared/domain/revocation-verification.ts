// Revocation verification (docs/reference/campaigns.md, "Revocation verification"): after applying,
// the controller reads every assignment the run removed back from the directory. Pure: what a
// read-back means, the VERIFY phase's running counts, and what the finish's totals say.
import { addDays } from './campaign-schedule.js';
import type { Assignment, CampaignPhase, CampaignStats, Revocation, RevocationRef, RevocationVerification, RunVerification } from './model.js';

/** A removal found still present is read back again this long after each check, until it is gone. */
export const RECHECK_INTERVAL_DAYS = 1;
/** The owner's notice lists this many still-present removals by name; the count gives the rest. */
export const STILL_PRESENT_LISTED = 20;

/**
 * What reading `found` back says about a removal. Absent: ABSENT. Found MANUAL: STILL_PRESENT, since
 * the first check that found it (`previous`), checked again a day later. Found RULE or INHERITED: a
 * rule grants it now, which the campaign never certifies nor removes (docs/reference/directory.md):
 * the manual grant it removed is gone, so ABSENT, with the origin found.
 */
export function verificationOf(found: Assignment | undefined, now: Date, previous?: RevocationVerification): RevocationVerification {
  const at = now.toISOString();
  if (!found) return { status: 'ABSENT', at };
  if (found.origin !== 'MANUAL') return { status: 'ABSENT', at, origin: found.origin };
  const since = previous?.status === 'STILL_PRESENT' ? (previous.since ?? previous.at) : at;
  return { status: 'STILL_PRESENT', at, since, nextCheckAt: addDays(at, RECHECK_INTERVAL_DAYS) };
}

export type VerifyPhase = Extract<CampaignPhase, { name: 'VERIFY' }>;

export const refOf = (r: Pick<Revocation, 'userId' | 'privilegeId' | 'privilegeName'>): RevocationRef => ({
  userId: r.userId,
  privilegeId: r.privilegeId,
  ...(r.privilegeName !== undefined ? { privilegeName: r.privilegeName } : {}),
});

/** The phase after one more chunk: its cursor, the counts summed, the first still-present ones kept (up to STILL_PRESENT_LISTED). */
export function afterChunk(phase: VerifyPhase, after: string, checked: readonly Revocation[]): VerifyPhase {
  const still = checked.filter((r) => r.verification?.status === 'STILL_PRESENT');
  const sample = [...(phase.sample ?? []), ...still.map(refOf)].slice(0, STILL_PRESENT_LISTED);
  return {
    name: 'VERIFY',
    after,
    verified: (phase.verified ?? 0) + checked.length,
    stillPresent: (phase.stillPresent ?? 0) + still.length,
    notManual: (phase.notManual ?? 0) + checked.filter((r) => r.verification?.status === 'ABSENT' && r.verification.origin !== undefined).length,
    ...(sample.length > 0 ? { sample } : {}),
  };
}

export const runVerificationOf = (phase: VerifyPhase, now: Date): RunVerification => ({
  at: now.toISOString(),
  verified: phase.verified ?? 0,
  stillPresent: phase.stillPresent ?? 0,
  notManual: phase.notManual ?? 0,
});

/** The finish's totals with what verification found (a run finished without it keeps its totals as they were). */
export const withVerification = (stats: CampaignStats, verification: RunVerification | undefined): CampaignStats =>
  verification ? { ...stats, stillPresent: verification.stillPresent } : stats;
