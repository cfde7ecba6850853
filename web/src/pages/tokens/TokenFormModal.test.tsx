// The token form in the DOM: a missing name shows the locale's message, and a valid form sends
// the API's fields (empty limits as null). The limits' bounds themselves: limits.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { TokenFormModal } from './TokenFormModal';
import { toTokenFields, type TokenFormValues } from './limits';

describe('TokenFormModal', () => {
  it('refuses an empty name, then submits the limits as the API fields', { timeout: 30000 }, async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn<(v: TokenFormValues) => void>();
    render(<TokenFormModal open token={null} busy={false} error={null} onSubmit={onSubmit} onCancel={() => {}} />);
    const rpm = document.querySelector<HTMLInputElement>('#rpm_limit')!;
    fireEvent.click(screen.getByTestId('token-form-submit'));
    expect(await screen.findByText('Give the token a name.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('token-name'), { target: { value: 'app' } });
    fireEvent.change(rpm, { target: { value: '60' } });
    fireEvent.click(screen.getByTestId('token-form-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(toTokenFields(onSubmit.mock.calls[0][0])).toMatchObject({
      name: 'app',
      rpm_limit: 60,
      daily_request_quota: null,
      daily_token_quota: null,
      allowed_models: null,
      expires_at: null,
    });
  });
});
