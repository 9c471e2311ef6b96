import { ReplicaInitial1764200000000 } from './1764200000000-ReplicaInitial';
import { ReplicaRows1764300000000 } from './1764300000000-ReplicaRows';
import { OutboxSent1764400000000 } from './1764400000000-OutboxSent';
import { UnverifiedCursor1764500000000 } from './1764500000000-UnverifiedCursor';
import { InvitationDelivery1764770000000 } from './1764770000000-InvitationDelivery';
import { ReplicaPatientLanguage1764920000000 } from './1764920000000-PatientLanguage';

/** Listed explicitly: electron-vite bundles the main process, so globs would find nothing. Append only. */
export const REPLICA_MIGRATIONS = [ReplicaInitial1764200000000, ReplicaRows1764300000000, OutboxSent1764400000000, UnverifiedCursor1764500000000, InvitationDelivery1764770000000, ReplicaPatientLanguage1764920000000];
