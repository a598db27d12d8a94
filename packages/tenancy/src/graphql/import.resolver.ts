import { Arg, Ctx, Field, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { JicengContext } from '../context.js';
import { assertCan } from '../principal.js';
import { importCodeList } from '../import/import.service.js';

@ObjectType({ description: 'What an import changed' })
export class ImportResult {
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
}

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportResult, {
    description: 'Import a code list (CSV, see docs/import.md): all rows or none; every problem is listed with its line in extensions.problems',
  })
  async importAdminUnits(@Arg('csv', () => String) csv: string, @Ctx() ctx: JicengContext): Promise<ImportResult> {
    assertCan(ctx.principal, 'unit:import');
    return importCodeList(ctx.em, csv);
  }
}
