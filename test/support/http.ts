/** JSON over HTTP for process-level tests: the tools' one client, plus the admin key the test services are started with. */
export { http, type JsonResponse } from '../../tools/lib/http.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const admin = { 'x-api-key': ADMIN_KEY };
