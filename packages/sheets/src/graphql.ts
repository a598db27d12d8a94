import { Arg, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import { requirePrincipal, type JicengContext } from '@jiceng/tenancy';
import { listJobs, readJob, type ImportJob as JobRow } from './import/jobs.js';

@ObjectType({ description: 'A problem of an imported file: where it is (sheet, row, column) and what it is, in Chinese' })
export class ImportProblem {
  @Field(() => String) sheet!: string;
  @Field(() => Int, { nullable: true, description: '1-based row in the sheet (1 is the header row)' }) row!: number | null;
  @Field(() => String, { nullable: true, description: 'column letter (A, B, …)' }) column!: string | null;
  @Field(() => String, { nullable: true }) header!: string | null;
  @Field(() => String, { description: 'UNKNOWN_HEADER, MISSING_HEADER, BAD_NUMBER, FORMULA, VILLAGE_NOT_FOUND, DUPLICATE, NOT_PAIRED, …' }) code!: string;
  @Field(() => String) message!: string;
}

@ObjectType()
export class ImportOutcome {
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int, { description: 'rows already as the file gives them (re-importing changes nothing)' }) unchanged!: number;
}

@ObjectType({ description: 'An import of a spreadsheet (POST /import/<kind>): its state and progress; only its owner sees it' })
export class ImportJob {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'assessments | support' }) kind!: string;
  @Field(() => String, { nullable: true }) fileName!: string | null;
  @Field(() => String, { description: 'QUEUED, RUNNING, DONE or FAILED' }) state!: string;
  @Field(() => Int, { nullable: true, description: 'data rows in the file (once read)' }) total!: number | null;
  @Field(() => Int, { description: 'rows checked' }) validated!: number;
  @Field(() => Int, { description: 'rows written (in the one transaction: visible once DONE)' }) written!: number;
  @Field(() => Int, { description: 'every problem found (the list is capped: IMPORT_MAX_PROBLEMS)' }) problemCount!: number;
  @Field(() => [ImportProblem]) problems!: ImportProblem[];
  @Field(() => String, { nullable: true, description: 'why it failed: ROWS_REFUSED, MALFORMED_FILE, PAYLOAD_TOO_LARGE, INTERRUPTED, …' }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => ImportOutcome, { nullable: true }) result!: ImportOutcome | null;
  @Field(() => String) createdAt!: string;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
}

export const jobOut = (j: JobRow) => ({ ...j, id: toGlobalId('ImportJob', j.id) });

@Resolver()
export class ImportJobResolver {
  @Query(() => ImportJob, { nullable: true, description: 'one of your import jobs (another user\'s is null)' })
  async importJob(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    const p = requirePrincipal(ctx);
    let dbId: string;
    try {
      dbId = fromGlobalId(id, 'ImportJob', 'id');
    } catch {
      return null;
    }
    const job = await readJob(ctx.em, p.userId, dbId);
    return job ? jobOut(job) : null;
  }

  @Query(() => [ImportJob], { description: 'your latest import jobs, newest first' })
  async importJobs(@Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: JicengContext) {
    return (await listJobs(ctx.em, requirePrincipal(ctx).userId, first)).map(jobOut);
  }
}
