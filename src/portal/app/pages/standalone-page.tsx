// Pages shown without the shell, when there is no session to show it with: after signing out, and
// when the portal cannot start (configuration unreadable, a sign-in that could not be completed).
import { PRODUCT_NAME } from '../shell.js';

function Standalone({ title, children }: { title: string; children: preact.ComponentChildren }) {
  document.title = `${title} · ${PRODUCT_NAME}`;
  return (
    <main id="main" class="standalone">
      <p class="product">{PRODUCT_NAME}</p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function SignedOutPage() {
  return (
    <Standalone title="You have signed out">
      <p>Your session in this browser has ended.</p>
      <p>
        <a href="/tasks">Sign in again</a>
      </p>
    </Standalone>
  );
}

export function StartupErrorPage({ message }: { message: string }) {
  return (
    <Standalone title="The portal could not start">
      <p role="alert">{message}</p>
      <p>
        <a href="/tasks">Try again</a>. If this keeps happening, tell the administrators of the access reviews.
      </p>
    </Standalone>
  );
}
