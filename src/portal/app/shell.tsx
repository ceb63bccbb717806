// The frame around every view: a skip link, the header (product, who is signed in, the views,
// sign out), the one polite live region that says what each action did, and the page's title.
// Pages reach the API, the caller and the announcer through usePortal().
import { createContext, type ComponentChildren, type RefObject } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { MeView } from '../../../lambdas/approver-api/api-types.js';
import { ApiError, type ApiClient } from './api-client.js';

export const PRODUCT_NAME = 'Access reviews';

export interface Portal {
  api: ApiClient;
  /** Who is signed in; undefined until GET /me answers. */
  me: MeView | undefined;
  /** Says `message` in the live region (read by screen readers, shown under the header). */
  announce(message: string): void;
}

const PortalContext = createContext<Portal | undefined>(undefined);

export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal() outside <Shell>');
  return portal;
}

/** Sets the document's title for a view: "<view> · Access reviews". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT_NAME}`;
  }, [title]);
}

/**
 * Moves focus to the view's heading once its content is there, so that a screen reader announces
 * the new view and the keyboard starts from it (not from a link of the previous view). `view`
 * names what is shown (an entry's id), so that the next one is arrived at too.
 */
export function useFocusOnArrival(ref: RefObject<HTMLElement>, ready: boolean, view = ''): void {
  const done = useRef<string | undefined>();
  useEffect(() => {
    if (!ready || done.current === view) return;
    done.current = view;
    const active = document.activeElement;
    // Never steal focus from a field the visitor already reached.
    if (!active || active === document.body || !active.isConnected) ref.current?.focus({ preventScroll: true });
  }, [ready, view]);
}

export function Shell({ api, onSignOut, children }: { api: ApiClient; onSignOut: () => void; children: ComponentChildren }) {
  const [me, setMe] = useState<MeView | undefined>();
  const [meError, setMeError] = useState<string | undefined>();
  const [status, setStatus] = useState('');
  const announcement = useRef(0);
  const { path } = useLocation();
  const current = (active: boolean) => (active ? ('page' as const) : undefined);

  useEffect(() => {
    api.me().then(setMe, (error: unknown) => {
      // 401 already sends the browser to sign in; anything else leaves the views usable without a name.
      if (!(error instanceof ApiError && error.status === 401)) setMeError('Your name could not be loaded.');
    });
  }, [api]);

  const announce = (message: string) => {
    // Emptied first, so that the same words said twice are announced twice.
    const n = ++announcement.current;
    setStatus('');
    setTimeout(() => {
      if (announcement.current === n) setStatus(message);
    }, 50);
  };

  return (
    <PortalContext.Provider value={{ api, me, announce }}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <div class="header-inner">
          <a class="product" href="/">
            {PRODUCT_NAME}
          </a>
          <nav aria-label="Views" class="views">
            <ul>
              <li>
                <a href="/tasks" aria-current={current(path === '/' || path === '/tasks')}>
                  My tasks
                </a>
              </li>
              {me?.isCampaignOwner && (
                <li>
                  <a href="/campaigns" aria-current={current(path.startsWith('/campaigns'))}>
                    My campaigns
                  </a>
                </li>
              )}
            </ul>
          </nav>
          <div class="who">
            <span class="caller" title={meError}>
              {me ? (
                <>
                  <span class="sr-only">Signed in as </span>
                  {me.displayName}
                </>
              ) : (
                ''
              )}
            </span>
            <button type="button" class="secondary" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <div class="status-bar">
        <p role="status" aria-live="polite" aria-atomic="true" class="status">
          {status}
        </p>
      </div>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </PortalContext.Provider>
  );
}
