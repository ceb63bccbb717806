// One campaign's progress for its owner (GET /campaigns/{id}): entries by state, each approver's
// share, and every entry of the current run, overdue first; an entry the owner may reassign has a
// Reassign button (POST /entries/{id}/reassign), whose dialog shows each refusal next to its field.
// A campaign over its revocation cap shows what applying would do and asks its owner to confirm.
import { useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { CampaignProgressView, ConfirmApplyResult, OwnerEntryView, ReassignResult } from '../../../../lambdas/approver-api/api-types.js';
import type { ApiClient } from '../api-client.js';
import { Modal } from '../dialog.js';
import { entryStateWord, formatInstant } from '../format.js';
import { useFocusOnArrival, usePortal, useTitle } from '../shell.js';
import { AwaitingConfirmation } from './confirm-apply.js';
import { ReassignForm } from './reassign-dialog.js';
import { CampaignFacts, DueDate, LoadFailure, Placeholder, Progress, StateBadge, statesWithEntries, useApiView } from './campaign-parts.js';

export function CampaignPage({ api }: { api: ApiClient }) {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { announce } = usePortal();
  const [view, reload] = useApiView<CampaignProgressView>(() => api.campaign(id), [api, id]);
  const [reassigning, setReassigning] = useState<OwnerEntryView | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  useTitle(view.status === 'loaded' ? view.value.name : 'Campaign');
  useFocusOnArrival(heading, view.status !== 'loading');

  const reassigned = async (entry: OwnerEntryView, result: ReassignResult, extendDays: number | undefined) => {
    setReassigning(undefined);
    await reload();
    const to = result.approvers.map((p) => p.displayName).join(', ') || result.approverIds.join(', ');
    const moved = extendDays ? ` Now due ${formatInstant(result.dueDate)}.` : '';
    announce(`Reassigned ${entry.subjectName} to ${to}.${moved}`);
  };

  const confirmed = async (result: ConfirmApplyResult) => {
    await reload();
    announce(`Confirmed: the next controller run removes ${result.counts.remove} ${result.counts.remove === 1 ? 'assignment' : 'assignments'}.`);
  };

  return (
    <div class="owner-page" aria-busy={view.status === 'loading' ? 'true' : 'false'}>
      {view.status === 'loaded' ? (
        <div class="owner-title">
          <h1 tabIndex={-1} ref={heading}>
            {view.value.name}
          </h1>
          <StateBadge state={view.value.state} />
        </div>
      ) : (
        <h1 tabIndex={-1} ref={heading}>
          Campaign
        </h1>
      )}
      {view.status === 'loading' ? <Placeholder lines={10} /> : null}
      {view.status === 'failed' ? <LoadFailure error={view.error} /> : null}
      {view.status === 'loaded' && view.value.awaitingConfirmation ? (
        <AwaitingConfirmation campaign={{ ...view.value, awaitingConfirmation: view.value.awaitingConfirmation }} onConfirmed={confirmed} />
      ) : null}
      {view.status === 'loaded' ? <Progression campaign={view.value} onReassign={setReassigning} /> : null}
      <Modal open={reassigning !== undefined} onClose={() => setReassigning(undefined)} titleId="reassign-title" className="reassign">
        {reassigning ? (
          <ReassignForm target={reassigning} onClose={() => setReassigning(undefined)} onDone={(result, extendDays) => reassigned(reassigning, result, extendDays)} />
        ) : null}
      </Modal>
    </div>
  );
}

function Progression({ campaign, onReassign }: { campaign: CampaignProgressView; onReassign: (entry: OwnerEntryView) => void }) {
  const states = statesWithEntries(campaign);
  return (
    <>
      {campaign.description ? <p class="muted owner-description">{campaign.description}</p> : null}
      <CampaignFacts campaign={campaign} />
      <Progress campaign={campaign} id="campaign-progress" />

      <div class="owner-columns">
        <table class="owner-table">
          <caption>Entries by state</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col" class="owner-num">
                Entries
              </th>
            </tr>
          </thead>
          <tbody>
            {states.length === 0 ? (
              <tr>
                <td colSpan={2}>No entries</td>
              </tr>
            ) : (
              states.map((s) => (
                <tr key={s}>
                  <th scope="row">{entryStateWord(s)}</th>
                  <td class="owner-num">{campaign.entriesByState[s]}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <table class="owner-table">
          <caption>Approvers</caption>
          <thead>
            <tr>
              <th scope="col">Approver</th>
              <th scope="col" class="owner-num">
                Entries
              </th>
              <th scope="col" class="owner-num">
                Open
              </th>
              <th scope="col" class="owner-num">
                Overdue
              </th>
            </tr>
          </thead>
          <tbody>
            {campaign.approvers.length === 0 ? (
              <tr>
                <td colSpan={4}>No approver</td>
              </tr>
            ) : (
              campaign.approvers.map((a) => (
                <tr key={a.approver.id}>
                  <th scope="row">
                    {a.approver.displayName} <span class="owner-sub code">{a.approver.id}</span>
                  </th>
                  <td class="owner-num">{a.entries}</td>
                  <td class="owner-num">{a.open}</td>
                  <td class="owner-num">{a.overdue > 0 ? <span class="badge badge-overdue">{a.overdue} overdue</span> : 0}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      <table class="item-table owner-table owner-entries">
        <caption>Entries</caption>
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Stage</th>
            <th scope="col">State</th>
            <th scope="col">Approvers</th>
            <th scope="col">Due</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {campaign.entryList.length === 0 ? (
            <tr>
              <td colSpan={6}>No entries</td>
            </tr>
          ) : (
            campaign.entryList.map((entry) => (
              <tr key={entry.id} class={entry.overdue ? 'owner-overdue' : undefined}>
                <th scope="row">
                  {entry.subjectName}
                  <span class="owner-sub">
                    {entry.subjectKind === 'USER' ? 'User' : 'Privilege'} <span class="code">{entry.subjectId}</span> · {entry.itemCount} {entry.itemCount === 1 ? 'item' : 'items'}
                  </span>
                </th>
                {/* data-label: the column's name, shown before each value where the table becomes one card per entry (phones). */}
                <td data-label="Stage">{entry.stage}</td>
                <td data-label="State">{entryStateWord(entry.state)}</td>
                <td data-label="Approvers">{entry.approvers.length === 0 ? <span class="muted">None</span> : entry.approvers.map((p) => p.displayName).join(', ')}</td>
                <td data-label="Due">
                  <DueDate iso={entry.dueDate} overdue={entry.overdue} />
                </td>
                <td class="owner-actions">
                  {entry.canReassign ? (
                    <button type="button" class="secondary" onClick={() => onReassign(entry)}>
                      Reassign<span class="sr-only"> {entry.subjectName}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </>
  );
}
