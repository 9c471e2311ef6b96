import { ServerInitial1764100000000 } from './1764100000000-Initial';
import { ServerPatientSelfService1764200000000 } from './1764200000000-PatientSelfService';
import { ServerAccountRecovery1764330000000 } from './1764330000000-AccountRecovery';
import { ServerSecurityHardening1764350000000 } from './1764350000000-SecurityHardening';
import { ServerMutationIntent1764400000000 } from './1764400000000-MutationIntent';
import { ServerMailLiveness1764500000000 } from './1764500000000-MailLiveness';
import { ServerChangeLogNonce1764550000000 } from './1764550000000-ChangeLogNonce';
import { ServerClientBinding1764600000000 } from './1764600000000-ClientBinding';
import { ServerSeveralInstances1764700000000 } from './1764700000000-SeveralInstances';
import { ServerClinicSecuritySettings1764720000000 } from './1764720000000-ClinicSecuritySettings';
import { ServerSecondFactor1764810000000 } from './1764810000000-SecondFactor';
import { ServerRegistrationIdLookup1764820000000 } from './1764820000000-RegistrationIdLookup';
import { ServerEmailChange1764850000000 } from './1764850000000-EmailChange';
import { ServerInvitationDelivery1764900000000 } from './1764900000000-InvitationDelivery';
import { ServerPatientLanguage1764910000000 } from './1764910000000-PatientLanguage';

/** Listed explicitly: electron-vite bundles the main process, so globs would find nothing. */
export const SERVER_MIGRATIONS = [
  ServerInitial1764100000000,
  ServerPatientSelfService1764200000000,
  ServerAccountRecovery1764330000000,
  ServerSecurityHardening1764350000000,
  ServerMutationIntent1764400000000,
  ServerMailLiveness1764500000000,
  ServerChangeLogNonce1764550000000,
  ServerClientBinding1764600000000,
  ServerSeveralInstances1764700000000,
  ServerClinicSecuritySettings1764720000000,
  ServerSecondFactor1764810000000,
  ServerRegistrationIdLookup1764820000000,
  ServerEmailChange1764850000000,
  ServerInvitationDelivery1764900000000,
  ServerPatientLanguage1764910000000,
];
