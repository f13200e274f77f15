/**
 * One error shape for every 4xx/5xx answer: RFC 9457 problem details, plus what is at fault. `errors` is never
 * empty: `field` names a body or query field, a path parameter, a header (`Authorization`, `Content-Type`), or
 * the request as a whole (`body`, `path`, `request`) when no single field is to blame.
 */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** A problem before the filter fills in what it lacks. */
export interface ProblemDraft {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  requestId?: string;
  [extension: string]: unknown;
}

export interface ProblemDetails extends ProblemDraft {
  errors: FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const problemType = (slug: string) => `https://statusync.dev/problems/${slug}`;
