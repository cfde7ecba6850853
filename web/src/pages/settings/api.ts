// The config routes the Settings page uses: GET /config, POST /config/bulk-save,
// DELETE /config/{key} (reset to default), GET/PUT /token-bucket/config.
import { useQuery } from '@tanstack/react-query';
import { del, get, post, put } from '../../api/client';
import { BUCKET_PREFIX } from './schema';
import type { Values } from './logic';

export interface ConfigItem {
  id: number;
  key: string;
  value: string;
  updated_at: string;
  updated_by_user_id: number | null;
}

export interface BucketConfigAnswer {
  success: true;
  message: string;
  data: Record<string, number | boolean>;
}

export const SETTINGS_KEY = ['settings'] as const;

export interface LoadedSettings {
  items: ConfigItem[];
  // Stored values by key, token-bucket settings taken from their own route.
  stored: Values;
}

async function load(signal?: AbortSignal): Promise<LoadedSettings> {
  const [items, bucket] = await Promise.all([
    get<ConfigItem[]>('/config', undefined, signal),
    get<BucketConfigAnswer>('/token-bucket/config', undefined, signal),
  ]);
  const stored: Values = {};
  for (const i of items) stored[i.key] = i.value;
  for (const [name, v] of Object.entries(bucket.data ?? {})) stored[BUCKET_PREFIX + name] = String(v);
  return { items, stored };
}

export function useSettings() {
  return useQuery({ queryKey: SETTINGS_KEY, queryFn: ({ signal }) => load(signal), staleTime: 30_000, refetchOnWindowFocus: false });
}

export const saveConfig = (items: Array<{ key: string; value: string }>) =>
  post<{ detail: string }>('/config/bulk-save', { items });
export const saveBuckets = (settings: Record<string, number | boolean>) =>
  put<{ success: boolean; message: string }>('/token-bucket/config', settings);
export const resetKey = (key: string) => del<void>(`/config/${encodeURIComponent(key)}`);
