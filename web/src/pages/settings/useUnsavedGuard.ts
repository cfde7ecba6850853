// Asks before unsaved changes are lost: closing or reloading the tab (beforeunload), and leaving
// the page through a link of the console (the menu, a link in a page). The console's router is a
// <BrowserRouter>, where react-router's useBlocker is not available (it needs a data router), so
// link clicks are caught in the capture phase before the router sees them.
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';

export function useUnsavedGuard(dirty: boolean, confirm: (proceed: () => void) => void) {
  const navigate = useNavigate();
  const confirmRef = useRef(confirm);
  confirmRef.current = confirm;

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin) return;
      if (url.pathname === window.location.pathname) return;
      e.preventDefault();
      e.stopPropagation();
      confirmRef.current(() => navigate(url.pathname + url.search + url.hash));
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty, navigate]);
}
