// Every runtime config key the gateway knows, with its group, type, range and default. The
// config API (GET /api/v1/config) answers only {key, value}: no descriptions, types, defaults or
// groups, so they are kept here, taken from README.md's configuration tables and the ranges the
// gateway checks (src/config/runtime_config.cpp, src/keys/token_bucket.cpp). Labels and
// descriptions are in the `settings` locale files under keys.<key>.

export type SettingType = 'int' | 'float' | 'bool' | 'enum' | 'text' | 'secret' | 'url' | 'json' | 'aliases';

export type GroupId = 'upstream' | 'proxy' | 'validation' | 'translation' | 'logs' | 'statistics' | 'tokenBucket' | 'other';

export interface SettingSpec {
  key: string;
  group: GroupId;
  type: SettingType;
  // The value that applies when the key is not stored (null: none, the key is required).
  default: string | null;
  min?: number;
  max?: number;
  options?: string[];
  unit?: 's' | 'ms' | 'h' | 'd' | 'KiB' | 'rows' | 'tokens' | 'tokens/s';
  // Cannot be deleted (the gateway needs a stored value).
  required?: boolean;
}

export const GROUPS: GroupId[] = ['upstream', 'proxy', 'tokenBucket', 'translation', 'validation', 'logs', 'statistics', 'other'];

const int = (key: string, group: GroupId, def: number, min: number, max: number, unit?: SettingSpec['unit']): SettingSpec => ({
  key,
  group,
  type: 'int',
  default: String(def),
  min,
  max,
  unit,
});

export const BUCKET_PREFIX = 'token_bucket_';
const bucketInt = (name: string, def: number, min: number, max: number, unit?: SettingSpec['unit']) =>
  int(BUCKET_PREFIX + name, 'tokenBucket', def, min, max, unit);
const bucketRate = (name: string, def: number): SettingSpec => ({
  key: BUCKET_PREFIX + name,
  group: 'tokenBucket',
  type: 'float',
  default: String(def),
  min: 0.1,
  max: 100,
  unit: 'tokens/s',
});
const bucketBool = (name: string, def: boolean): SettingSpec => ({
  key: BUCKET_PREFIX + name,
  group: 'tokenBucket',
  type: 'bool',
  default: String(def),
});

export const SETTINGS: SettingSpec[] = [
  // Upstream
  { key: 'target_api_url', group: 'upstream', type: 'url', default: null, required: true },
  { key: 'api_token', group: 'upstream', type: 'secret', default: null, required: true },
  int('upstream_connect_timeout_seconds', 'upstream', 10, 1, 300, 's'),
  int('upstream_first_byte_timeout_seconds', 'upstream', 300, 1, 3600, 's'),
  int('upstream_idle_timeout_seconds', 'upstream', 120, 1, 3600, 's'),
  int('upstream_total_timeout_seconds', 'upstream', 600, 1, 7200, 's'),
  int('stream_keepalive_seconds', 'upstream', 15, 0, 3600, 's'),
  // Proxy behaviour and keys
  int('proxy_retry_max_count', 'proxy', 3, 0, 20),
  int('proxy_retry_backoff_ms', 'proxy', 100, 0, 60_000, 'ms'),
  int('key_cooldown_default_seconds', 'proxy', 60, 1, 86_400, 's'),
  {
    key: 'key_selection_strategy',
    group: 'proxy',
    type: 'enum',
    default: 'weighted',
    options: ['weighted', 'random', 'round_robin', 'least_recently_used'],
  },
  int('key_exhausted_window_seconds', 'proxy', 900, 0, 7 * 86_400, 's'),
  int('key_exhausted_min_429s', 'proxy', 3, 1, 10_000),
  { key: 'key_error_actions', group: 'proxy', type: 'json', default: '' },
  // Token buckets (edited through /api/v1/token-bucket/config)
  bucketInt('default_capacity', 10, 1, 1000, 'tokens'),
  bucketRate('default_refill_rate', 1),
  bucketInt('high_priority_capacity', 20, 1, 1000, 'tokens'),
  bucketRate('high_priority_refill_rate', 2),
  bucketInt('low_priority_capacity', 5, 1, 1000, 'tokens'),
  bucketRate('low_priority_refill_rate', 0.5),
  bucketBool('enable_token_bucket', true),
  bucketBool('fallback_to_random', false),
  bucketInt('bucket_ttl', 3600, 60, 86_400, 's'),
  bucketInt('cleanup_interval', 300, 60, 3600, 's'),
  bucketBool('enable_lazy_cleanup', true),
  bucketBool('enable_lru_eviction', true),
  bucketInt('max_buckets', 1000, 10, 10_000),
  bucketInt('high_freq_ttl', 3600, 60, 86_400, 's'),
  bucketInt('medium_freq_ttl', 1800, 60, 86_400, 's'),
  bucketInt('low_freq_ttl', 300, 60, 86_400, 's'),
  bucketInt('high_freq_threshold', 100, 1, 10_000),
  bucketInt('medium_freq_threshold', 10, 1, 10_000),
  // Translation
  { key: 'model_aliases', group: 'translation', type: 'aliases', default: '{}' },
  { key: 'anthropic_model_opus', group: 'translation', type: 'text', default: 'gemini-2.5-pro' },
  { key: 'anthropic_model_sonnet', group: 'translation', type: 'text', default: 'gemini-2.5-pro' },
  { key: 'anthropic_model_haiku', group: 'translation', type: 'text', default: 'gemini-2.5-flash' },
  { key: 'anthropic_model_default', group: 'translation', type: 'text', default: 'gemini-2.5-flash' },
  // Key validation jobs
  int('key_validation_active_interval_seconds', 'validation', 600, 0, 30 * 86_400, 's'),
  int('key_validation_exhausted_interval_seconds', 'validation', 1800, 0, 30 * 86_400, 's'),
  int('key_validation_error_interval_seconds', 'validation', 86_400, 0, 30 * 86_400, 's'),
  int('key_validation_max_failed_count', 'validation', 3, 0, 1000),
  int('key_validation_timeout_seconds', 'validation', 10, 1, 600, 's'),
  int('key_validation_concurrent_count', 'validation', 5, 1, 50),
  { key: 'key_validation_model_name', group: 'validation', type: 'text', default: 'gemini-2.5-flash' },
  { key: 'key_validation_method', group: 'validation', type: 'enum', default: 'generate', options: ['generate', 'models'] },
  // Request log
  int('request_log_retention_days', 'logs', 30, 0, 3650, 'd'),
  int('request_log_max_rows', 'logs', 5_000_000, 0, 1_000_000_000, 'rows'),
  int('request_log_body_capture_kb', 'logs', 0, 0, 64, 'KiB'),
  // Survival statistics
  int('key_survival_snapshot_interval_seconds', 'statistics', 60, 1, 3600, 's'),
  int('key_survival_raw_retention_hours', 'statistics', 48, 1, 720, 'h'),
  int('key_survival_hourly_retention_days', 'statistics', 30, 1, 3650, 'd'),
];

export const SPEC_BY_KEY: Record<string, SettingSpec> = Object.fromEntries(SETTINGS.map((s) => [s.key, s]));

// A key the table does not know (stored by hand or by a newer gateway): shown as text under "other".
export function specOf(key: string): SettingSpec {
  return SPEC_BY_KEY[key] ?? { key, group: 'other', type: 'text', default: null };
}

export const isBucketKey = (key: string) => key.startsWith(BUCKET_PREFIX);
