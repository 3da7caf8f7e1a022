import type { Response } from 'express';

/** The SPEC §3 error body. */
export interface ErrorBody {
  success: false;
  error: { code: string; message: string; details?: unknown };
}

export interface HttpProblem {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export function sendError(res: Response, { status, code, message, details }: HttpProblem): void {
  const body: ErrorBody = { success: false, error: { code, message, ...(details === undefined ? {} : { details }) } };
  res.status(status).json(body);
}
