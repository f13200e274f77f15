import { HttpException } from '@nestjs/common';
import { FieldProblem, problemType } from './problem';

/** An HTTP error that renders as problem details with a stable `type` slug and optional field errors. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors?: FieldProblem[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  get typeUri(): string {
    return problemType(this.slug);
  }
}
