import type { TestConfig } from 'yup';

/**
 * A pattern rule that never runs its pattern on text longer than `max`. yup runs every test of a
 * field even after one has failed, so a `max()` beside `matches()` would still hand a 50,000-
 * character value to the pattern: the length comes first here, and the `max()` kept beside this
 * rule reports it. Every pattern is linear as well (eslint-plugin-regexp's super-linear rules).
 */
export function patternWithin(max: number, name: string, message: string, pattern: RegExp): TestConfig<string | null | undefined> {
  return {
    name,
    message,
    test: (value) => value === undefined || value === null || value.length > max || pattern.test(value),
  };
}
