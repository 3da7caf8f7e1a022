import type { Response } from 'express';

/** The SPEC §3 success body. */
export interface SuccessBody<T> {
  success: true;
  data: T;
  message?: string;
}

export function sendSuccess<T>(res: Response, status: number, data: T, message?: string): void {
  const body: SuccessBody<T> = { success: true, data, ...(message === undefined ? {} : { message }) };
  res.status(status).json(body);
}
