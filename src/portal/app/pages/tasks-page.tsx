// My tasks: placeholder of the contract commit; the portal branch builds the real page.
import { useEffect, useState } from 'preact/hooks';
import type { TaskListView } from '../../../../lambdas/approver-api/api-types.js';
import type { ApiClient } from '../api-client.js';

export function TasksPage({ api }: { api: ApiClient }) {
  const [tasks, setTasks] = useState<TaskListView | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.tasks().then(setTasks, (e: Error) => setError(e.message));
  }, [api]);
  if (error) return <p role="alert">{error}</p>;
  if (!tasks) return <p>Loading…</p>;
  return (
    <main>
      <h1>My tasks</h1>
      <ul>
        {tasks.tasks.map((t) => (
          <li key={t.entryId}>
            <a href={`/entries/${encodeURIComponent(t.entryId)}`}>{t.subjectName ?? t.subjectId}</a>
          </li>
        ))}
      </ul>
    </main>
  );
}
