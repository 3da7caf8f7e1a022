import type { Response } from 'express';
import { z } from 'zod';

/**
 * The SPEC §3 error body, defined once: the schema documents it (OpenAPI), the type and `errorBody`
 * build it, for Express responses and for the answers Node's HTTP parser gives before Express runs.
 */
export const errorBodySchema = z.object({
  success: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export interface HttpProblem {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { success: false, error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function sendError(res: Response, { status, code, message, details }: HttpProblem): void {
  res.status(status).json(errorBody(code, message, details));
}
