// Small helpers of the forms: today's date, idempotency keys, the API's errors beside their fields.
import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../graphql/client.js';

/** Today as yyyy-mm-dd (local). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A fresh idempotency key for one submit (a retry of the same submit would reuse it). */
export function newKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `web-${prefix}-${Date.now().toString(36)}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A form's submit: the API's BAD_USER_INPUT (and CONFLICT) naming one of the form's fields is shown beside
 * that field; anything else above the button. `fields` maps the API's field names to the form's inputs.
 */
export function useSubmit(fields: readonly string[]) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const busyRef = useRef(false);
  const run = useCallback(
    async (action: () => Promise<string | undefined>, clientErrors: Record<string, string> = {}) => {
      if (busyRef.current) return;
      setDone(null);
      setFormError(null);
      if (Object.keys(clientErrors).length > 0) {
        setErrors(clientErrors);
        return;
      }
      setErrors({});
      busyRef.current = true;
      setBusy(true);
      try {
        setDone((await action()) ?? '已保存');
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(String(e), 'INTERNAL_SERVER_ERROR');
        if (err.field && fields.includes(err.field)) setErrors({ [err.field]: err.message });
        else setFormError(err.message);
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
    [fields],
  );
  return { errors, formError, busy, done, run };
}

