// My tasks: the caller's open campaign entries and re-approvals, soonest due first, with counts,
// overdue marks in words and a filter. The mails link here as /tasks?approver=<id>.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { TaskListView, TaskView } from '../../../../lambdas/approver-api/api-types.js';
import { formatInstant, fromNow, plural } from '../format.js';
import { useFocusOnArrival, usePortal, useTitle } from '../shell.js';

const openItemsOf = (task: TaskView): number => (task.kind === 'CAMPAIGN' ? task.openItemCount : task.openItemIds.length);
const subjectOf = (task: TaskView): string => task.subjectName ?? task.subjectId;

function searchText(task: TaskView): string {
  const parts =
    task.kind === 'CAMPAIGN'
      ? [task.subjectName, task.subjectId, task.campaignName, ...task.openItems.map((i) => `${i.privilegeName ?? ''} ${i.privilegeId}`)]
      : [task.subjectName ?? '', task.subjectId, task.workflowName, ...task.items.map((i) => `${i.privilegeName ?? ''} ${i.privilegeId}`)];
  return parts.join(' ').toLowerCase();
}

export function TasksPage() {
  const { api, me } = usePortal();
  const { query } = useLocation();
  const [list, setList] = useState<TaskListView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useTitle('My tasks');
  useFocusOnArrival(heading, list !== undefined || error !== undefined);

  useEffect(() => {
    api.tasks().then(setList, (e: Error) => setError(e.message));
  }, [api]);

  const tasks = useMemo(() => [...(list?.tasks ?? [])].sort((a, b) => a.dueDate.localeCompare(b.dueDate)), [list]);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? tasks.filter((t) => searchText(t).includes(needle)) : tasks;
  }, [tasks, filter]);
  const openItems = tasks.reduce((n, t) => n + openItemsOf(t), 0);
  const overdue = tasks.filter((t) => t.overdue).length;
  const callerId = list?.caller.id ?? me?.id;
  const linkedFor = query.approver;

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        My tasks
      </h1>
      {linkedFor && callerId && linkedFor !== callerId && (
        <p class="notice">
          The link you followed lists the tasks of <strong>{linkedFor}</strong>, but you are signed in as{' '}
          <strong>{list?.caller.displayName ?? me?.displayName}</strong>: these are your own tasks.
        </p>
      )}
      <dl class="counts" aria-busy={list ? 'false' : 'true'}>
        <div>
          <dt>Open tasks</dt>
          <dd>{list ? tasks.length : '–'}</dd>
        </div>
        <div>
          <dt>Open items</dt>
          <dd>{list ? openItems : '–'}</dd>
        </div>
        <div class={overdue > 0 ? 'count-overdue' : undefined}>
          <dt>Overdue</dt>
          <dd>{list ? overdue : '–'}</dd>
        </div>
      </dl>
      <div class="toolbar">
        <label for="task-filter">Filter tasks</label>
        <input
          id="task-filter"
          type="search"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
          aria-describedby="task-filter-count"
          autocomplete="off"
        />
        <span id="task-filter-count" class="muted">
          {list ? (filter.trim() ? `${shown.length} of ${plural(tasks.length, 'task')} shown` : `${plural(tasks.length, 'task')}`) : ''}
        </span>
      </div>
      {error && (
        <p role="alert" class="error-box">
          Your tasks could not be loaded: {error}
        </p>
      )}
      {!list && !error && <TaskSkeleton />}
      {list && tasks.length === 0 && <p class="empty">You have no open tasks. Nothing is waiting for your decision.</p>}
      {list && tasks.length > 0 && shown.length === 0 && <p class="empty">No task matches “{filter.trim()}”.</p>}
      {shown.length > 0 && (
        <ul class="task-list" aria-label="Tasks, soonest due first">
          {shown.map((task) => (
            <TaskCard key={task.entryId} task={task} asOf={list!.asOf ?? new Date().toISOString()} />
          ))}
        </ul>
      )}
    </>
  );
}

function TaskCard({ task, asOf }: { task: TaskView; asOf: string }) {
  const open = openItemsOf(task);
  return (
    <li class={task.overdue ? 'task overdue' : 'task'}>
      <a class="task-link" href={`/entries/${encodeURIComponent(task.entryId)}`}>
        {subjectOf(task)}
      </a>
      {task.overdue && <span class="badge badge-overdue">Overdue</span>}
      <p class="task-what">
        {task.kind === 'CAMPAIGN'
          ? `${task.campaignName} · stage ${task.stage}`
          : `Re-approval of ${task.items[0]?.privilegeName ?? task.items[0]?.privilegeId ?? 'an assignment'} · ${task.workflowName}, step ${task.step} of ${task.steps}`}
      </p>
      <p class="task-meta">
        <span>
          {task.kind === 'CAMPAIGN' ? `${open} of ${plural(task.itemCount, 'item')} open` : plural(open, 'item') + ' open'}
        </span>
        <span>
          Due <time dateTime={task.dueDate}>{formatInstant(task.dueDate)}</time> ({fromNow(task.dueDate, asOf)})
        </span>
      </p>
    </li>
  );
}

function TaskSkeleton() {
  return (
    <ul class="task-list skeleton" aria-hidden="true">
      {[0, 1, 2].map((n) => (
        <li key={n} class="task">
          <span class="bone bone-title" />
          <span class="bone" />
          <span class="bone bone-short" />
        </li>
      ))}
    </ul>
  );
}
