// Any path the portal has no view for.
import { useRef } from 'preact/hooks';
import { useFocusOnArrival, useTitle } from '../shell.js';

export function NotFoundPage() {
  useTitle('Page not found');
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnArrival(heading, true);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        Page not found
      </h1>
      <p>
        This address is not a page of the portal. Go to <a href="/tasks">My tasks</a>.
      </p>
    </>
  );
}
