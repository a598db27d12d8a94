import { tenancyModule, type JicengModule } from '@jiceng/tenancy';
import { rectificationModule } from '@jiceng/rectification';
import { pairingModule } from '@jiceng/pairing';
import { fundingModule } from '@jiceng/funding';
import { warningModule } from '@jiceng/warning';
import { sheetsModule } from '@jiceng/sheets';

/** The bounded contexts this service composes, in dependency order (migrations and seeds run in this order). */
export const modules: JicengModule[] = [tenancyModule, rectificationModule, pairingModule, fundingModule, warningModule, sheetsModule];
