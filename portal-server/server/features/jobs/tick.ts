import type { Database } from '../../../../shared/node/db';
import { JobRunEntity } from '../../../../shared/node/entities/server';

/**
 * Whether this instance runs job `name` now: true for the one instance whose conditional update of
 * the job's row succeeds, once per `everyMs` across all instances sharing the database. Each
 * instance ticks on its own timer; the others find the row already stamped and skip the tick.
 */
export async function claimTick(db: Database, name: string, now: Date, everyMs: number): Promise<boolean> {
  return db.write(async (m) => {
    await m.createQueryBuilder().insert().into(JobRunEntity).values({ name, lastRunAt: new Date(0).toISOString() }).orIgnore().execute();
    const lastRunAt = m.connection.driver.escape('lastRunAt');
    const result = await m
      .createQueryBuilder()
      .update(JobRunEntity)
      .set({ lastRunAt: now.toISOString() })
      // Half a period: instances whose timers drift still run the job about once a period.
      .where(`name = :name AND ${lastRunAt} <= :due`, { name, due: new Date(now.getTime() - everyMs / 2).toISOString() })
      .execute();
    return result.affected === 1;
  });
}
