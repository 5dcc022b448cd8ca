/**
 * The contract's check of a reason's shape. Apart from reason.ts so that the command's catalogues (its help and
 * usage errors, loaded before any command runs) do not load zod.
 */
import { z } from 'zod';
import type { Reason, ReasonParam } from './reason';

export const ReasonParamSchema: z.ZodType<ReasonParam> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), ReasonSchema, z.array(ReasonParamSchema)]),
);
export const ReasonSchema: z.ZodType<Reason> = z.lazy(() =>
  z.object({ code: z.string().min(1).max(80), params: z.record(z.string(), ReasonParamSchema).optional() }),
);
