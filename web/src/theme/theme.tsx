// Light and dark themes. The console follows the system's preference until the user picks one;
// the choice is kept in localStorage. Ant Design's algorithm switches its tokens, and the `dark`
// class on <html> switches Tailwind's dark: variants and our own CSS variables.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { theme as antdTheme, type ThemeConfig } from 'antd';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'poise.theme';

interface ThemeState {
  choice: ThemeChoice;
  dark: boolean;
  setChoice: (c: ThemeChoice) => void;
}

const ThemeContext = createContext<ThemeState>({ choice: 'system', dark: false, setChoice: () => {} });

function systemPrefersDark(): boolean {
  return typeof window !== 'undefined' && !!window.matchMedia?.('(prefers-color-scheme: dark)').matches;
}

function storedChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    // storage blocked: follow the system
  }
  return 'system';
}

export function ThemeStateProvider({ children }: { children: ReactNode }) {
  const [choice, setChoiceState] = useState<ThemeChoice>(storedChoice);
  const [systemDark, setSystemDark] = useState(systemPrefersDark);

  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const onChange = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);

  const dark = choice === 'dark' || (choice === 'system' && systemDark);
  useEffect(() => {
    document.documentElement.classList.toggle('dark', dark);
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);

  const value = useMemo<ThemeState>(
    () => ({
      choice,
      dark,
      setChoice: (c) => {
        setChoiceState(c);
        try {
          localStorage.setItem(STORAGE_KEY, c);
        } catch {
          // not kept: fine for this tab
        }
      },
    }),
    [choice, dark],
  );
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export const useThemeState = () => useContext(ThemeContext);

export function antdThemeFor(dark: boolean): ThemeConfig {
  return {
    algorithm: dark ? antdTheme.darkAlgorithm : antdTheme.defaultAlgorithm,
    token: {
      colorPrimary: '#4f6bff',
      borderRadius: 8,
      fontFamily:
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif',
    },
    components: {
      Layout: dark
        ? { siderBg: '#141414', headerBg: '#141414', bodyBg: '#0b0b0d' }
        : { siderBg: '#ffffff', headerBg: '#ffffff', bodyBg: '#f5f6fa' },
    },
  };
}
