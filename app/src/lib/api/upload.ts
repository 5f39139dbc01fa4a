import { session } from '../session.svelte';
import { ApiError } from './client';

/**
 * POSTs a file with upload progress (fetch cannot report it): onProgress gets 0..1 while the bytes
 * go up, then null while the server works. A 401 waits for the re-login dialog and sends again.
 */
export async function uploadWithProgress<T>(path: string, file: File, contentType: string, onProgress: (fraction: number | null) => void): Promise<T> {
  const once = () =>
    new Promise<{ status: number; body: string; retryAfter: string | null }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/v1${path}`);
      xhr.setRequestHeader('content-type', contentType);
      xhr.setRequestHeader('accept', 'application/json');
      if (session.csrfToken) xhr.setRequestHeader('x-csrf-token', session.csrfToken);
      xhr.upload.onprogress = (e) => onProgress(e.lengthComputable ? e.loaded / e.total : null);
      xhr.upload.onload = () => onProgress(null);
      xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText, retryAfter: xhr.getResponseHeader('retry-after') });
      xhr.onerror = () => reject(new ApiError(0, 'network', 'upload failed'));
      xhr.send(file);
    });
  let res = await once();
  if (res.status === 401 && session.user) {
    await session.waitForRelogin();
    res = await once();
  }
  let payload: { error?: { code?: string; message?: string; details?: unknown } } & Record<string, unknown> = {};
  try {
    payload = JSON.parse(res.body);
  } catch {
    /* not JSON */
  }
  if (res.status < 200 || res.status >= 300) {
    throw new ApiError(res.status, payload.error?.code ?? `http_${res.status}`, payload.error?.message ?? `HTTP ${res.status}`, payload.error?.details, Number(res.retryAfter) || undefined);
  }
  return payload as T;
}
