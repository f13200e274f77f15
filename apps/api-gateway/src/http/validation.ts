import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ProblemException } from '@statusync/core';

/** Flattens class-validator's tree into `{ field, reason }` pairs (`platforms.0`, ...). */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

export const validationFailed = (errors: FieldProblem[]) =>
  new ProblemException(400, 'validation', 'Invalid request', 'One or more fields are invalid.', errors);

/**
 * Strict input: unknown fields are refused (not silently dropped), types are not coerced except for query
 * strings, which the DTOs convert explicitly.
 */
export const strictValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    validateCustomDecorators: true,
    exceptionFactory: (errors) => validationFailed(fieldProblems(errors)),
  });
