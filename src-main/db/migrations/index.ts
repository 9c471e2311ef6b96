import { ReplicaInitial1764200000000 } from './1764200000000-ReplicaInitial';

/** Listed explicitly: electron-vite bundles the main process, so globs would find nothing. */
export const REPLICA_MIGRATIONS = [ReplicaInitial1764200000000];
