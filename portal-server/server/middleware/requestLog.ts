import type { NextFunction, Request, Response } from 'express';

/** One line per request: method, path WITHOUT the query string, status, duration. */
export function requestLog(log: (line: string) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  };
}
