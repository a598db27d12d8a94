import { tenancyModule, type JicengModule } from '@jiceng/tenancy';

/** The bounded contexts this service composes, in dependency order (migrations run in this order). */
export const modules: JicengModule[] = [tenancyModule];
