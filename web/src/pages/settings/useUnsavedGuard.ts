// Asks before unsaved changes are lost: closing or reloading the tab (beforeunload), and any
// navigation inside the console (links, the menu, the user menu, the browser's Back button)
// through react-router's useBlocker.
import { useEffect, useRef } from 'react';
import { useBlocker } from 'react-router';

export function useUnsavedGuard(dirty: boolean, confirm: (proceed: () => void, stay: () => void) => void) {
  const confirmRef = useRef(confirm);
  confirmRef.current = confirm;
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    if (blocker.state === 'blocked') confirmRef.current(() => blocker.proceed(), () => blocker.reset());
  }, [blocker]);

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
}
