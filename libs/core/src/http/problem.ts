/** One error shape for every 4xx/5xx answer: RFC 9457 problem details, plus the fields at fault. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const problemType = (slug: string) => `https://statusync.dev/problems/${slug}`;
