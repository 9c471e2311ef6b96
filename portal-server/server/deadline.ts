/** Settles as `work` does, or rejects with DeadlineExceeded once `ms` have passed; the timer never outlives it. */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`not done within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
