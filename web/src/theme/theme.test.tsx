import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { ThemeStateProvider, useThemeState } from './theme';

function Probe() {
  const { choice, dark, setChoice } = useThemeState();
  return (
    <div>
      <span data-testid="state">{`${choice}:${dark ? 'dark' : 'light'}`}</span>
      <button onClick={() => setChoice('light')}>light</button>
      <button onClick={() => setChoice('system')}>system</button>
    </div>
  );
}

// A matchMedia whose dark preference the test flips, telling listeners like a browser does.
function fakeSystem(initiallyDark: boolean) {
  let dark = initiallyDark;
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  vi.stubGlobal('matchMedia', (query: string) => ({
    get matches() {
      return query.includes('dark') ? dark : false;
    },
    media: query,
    addEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.add(l),
    removeEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.delete(l),
  }));
  return (next: boolean) => {
    dark = next;
    listeners.forEach((l) => l({ matches: next } as MediaQueryListEvent));
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
  document.documentElement.classList.remove('dark');
});

describe('theme', () => {
  it('follows the system until the user chooses, then keeps the choice', () => {
    const setSystemDark = fakeSystem(true);
    render(
      <ThemeStateProvider>
        <Probe />
      </ThemeStateProvider>,
    );
    expect(screen.getByTestId('state').textContent).toBe('system:dark');
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    act(() => setSystemDark(false));
    expect(screen.getByTestId('state').textContent).toBe('system:light');

    act(() => screen.getByText('light').click());
    act(() => setSystemDark(true));
    expect(screen.getByTestId('state').textContent).toBe('light:light');
    expect(localStorage.getItem('poise.theme')).toBe('light');
    expect(document.documentElement.classList.contains('dark')).toBe(false);
  });

  it('starts from a stored choice', () => {
    fakeSystem(false);
    localStorage.setItem('poise.theme', 'dark');
    render(
      <ThemeStateProvider>
        <Probe />
      </ThemeStateProvider>,
    );
    expect(screen.getByTestId('state').textContent).toBe('dark:dark');
  });
});
