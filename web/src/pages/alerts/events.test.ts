import { describe, expect, it } from 'vitest';
import type { AlertWebhook } from './api';
import { EMPTY_ALERT_FORM, eventsOf, fromWebhook, toAlertFields } from './events';

const hook: AlertWebhook = {
  id: 1,
  name: 'ops',
  url: 'https://hooks.example.com/poise',
  headers: { Authorization: 'Bearer rec****', 'X-Env': 'prod' },
  enabled: true,
  events: ['key.error', 'pool.active_low', 'error_rate.high'],
  active_keys_below: 3,
  active_percent_below: null,
  error_rate_percent_above: 20,
  error_rate_min_requests: 50,
  created_at: '',
  updated_at: '',
};

describe('alert event form mapping', () => {
  it('maps the chosen events and their thresholds to the API fields', () => {
    const { body, problems } = toAlertFields(
      {
        ...EMPTY_ALERT_FORM,
        name: ' ops ',
        url: 'https://hooks.example.com/poise',
        keyError: true,
        keyExhausted: false,
        poolLow: true,
        activeKeysBelow: 3,
        activePercentBelow: 25,
        errorRate: true,
        errorRatePercent: 20,
        errorRateMinRequests: 50,
        validationFailures: true,
      },
      null,
    );
    expect(problems).toEqual({});
    expect(body).toEqual({
      name: 'ops',
      url: 'https://hooks.example.com/poise',
      enabled: true,
      events: ['key.error', 'pool.active_low', 'error_rate.high', 'validation.failures'],
      active_keys_below: 3,
      active_percent_below: 25,
      error_rate_percent_above: 20,
      error_rate_min_requests: 50,
    });
  });

  it('clears the thresholds of events not chosen and needs one for each chosen threshold event', () => {
    const base = { ...EMPTY_ALERT_FORM, name: 'a', url: 'http://h.example/x', activeKeysBelow: 3, errorRatePercent: 10 };
    const { body } = toAlertFields(base, null);
    expect(body.events).toEqual(['key.error', 'key.exhausted']);
    expect(body).toMatchObject({ active_keys_below: null, active_percent_below: null, error_rate_percent_above: null });
    expect(body.error_rate_min_requests).toBeUndefined();

    expect(toAlertFields({ ...base, poolLow: true, activeKeysBelow: null }, null).problems).toEqual({ activeKeysBelow: 'form.poolThreshold' });
    expect(toAlertFields({ ...base, poolLow: true, activeKeysBelow: null, activePercentBelow: 10 }, null).problems).toEqual({});
    expect(toAlertFields({ ...base, errorRate: true, errorRatePercent: null }, null).problems).toEqual({ errorRatePercent: 'form.errorRateThreshold' });
    expect(toAlertFields({ ...base, errorRate: true, errorRatePercent: 0, errorRateMinRequests: null }, null).body).toMatchObject({
      error_rate_percent_above: 0,
      error_rate_min_requests: 20,
    });
    expect(toAlertFields({ ...base, keyError: false, keyExhausted: false }, null).problems).toEqual({ events: 'form.eventsRequired' });
  });

  it('checks the URL and header names', () => {
    const base = { ...EMPTY_ALERT_FORM, name: 'a', url: 'https://h.example/x' };
    expect(toAlertFields({ ...base, url: 'ftp://h.example' }, null).problems.url).toBe('form.urlInvalid');
    expect(toAlertFields({ ...base, url: 'https://u:p@h.example/' }, null).problems.url).toBe('form.urlInvalid');
    expect(toAlertFields({ ...base, url: 'https://h.example/#x' }, null).problems.url).toBe('form.urlInvalid');
    const { problems } = toAlertFields(
      { ...base, headers: [{ name: 'Content-Type', value: 'x' }, { name: 'bad name', value: 'x' }, { name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] },
      null,
    );
    expect(problems).toEqual({
      'headers.0.name': 'form.headerReserved',
      'headers.1.name': 'form.headerName',
      'headers.3.name': 'form.headerDuplicate',
    });
  });

  it('reads a webhook back, masked header values left empty', () => {
    const v = fromWebhook(hook);
    expect(eventsOf(v)).toEqual(hook.events);
    expect(v.headers).toEqual([
      { name: 'Authorization', value: '', masked: 'Bearer rec****' },
      { name: 'X-Env', value: 'prod' },
    ]);
    expect(v).toMatchObject({ activeKeysBelow: 3, activePercentBelow: null, errorRatePercent: 20, errorRateMinRequests: 50 });
  });

  it('does not send headers an edit left alone, and makes masked ones be typed again when they change', () => {
    const v = fromWebhook(hook);
    const same = toAlertFields(v, hook);
    expect(same.problems).toEqual({});
    expect('headers' in same.body).toBe(false);

    const added = toAlertFields({ ...v, headers: [...v.headers, { name: 'X-New', value: '1' }] }, hook);
    expect(added.problems).toEqual({ 'headers.0.value': 'form.headerReenter' });

    const retyped = toAlertFields(
      { ...v, headers: [{ ...v.headers[0], value: 'Bearer receiver-secret' }, v.headers[1], { name: 'X-New', value: '1' }] },
      hook,
    );
    expect(retyped.problems).toEqual({});
    expect(retyped.body.headers).toEqual({ Authorization: 'Bearer receiver-secret', 'X-Env': 'prod', 'X-New': '1' });

    const cleared = toAlertFields({ ...v, headers: [] }, hook);
    expect(cleared.problems).toEqual({});
    expect(cleared.body.headers).toBeNull();
  });
});
