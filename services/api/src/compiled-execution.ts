import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes queries that come back through graphql-jit: a document is compiled into plain JavaScript
 * once it has been asked for `compileAfter` times, and runs as that code from then on (no per-field
 * argument walk, type dispatch or development `instanceOf` of graphql-js's interpreter). The resolvers,
 * and with them every rule, guard and loader, are the schema's own, unchanged.
 *
 * What stays on graphql-js: mutations (run one field after another, rarely repeated), a first request of
 * a document (a one-off query is not worth compiling), anything graphql-jit cannot compile, and a request
 * whose variables the compiled query refuses (graphql-js then words the refusal as it always has).
 */
export interface CompiledExecution {
  /** requests run compiled, and run by graphql-js, since the start */
  readonly counts: { compiled: number; interpreted: number };
  execute(args: { document: DocumentNode; operationName?: string | null; variables?: Record<string, unknown>; context: unknown; operation: 'query' | 'mutation' | 'subscription' }): Promise<ExecutionResult>;
}

/** A document's state per operation: requests seen so far, or its compiled form (null: cannot compile). */
type Entry = number | CompiledQuery | null;

export function compiledExecution(schema: GraphQLSchema, compileAfter = 2): CompiledExecution {
  // keyed on the parsed document, which Apollo keeps once per query text in its bounded cache:
  // a document it drops takes its compiled code with it
  const documents = new WeakMap<DocumentNode, Map<string, Entry>>();
  const counts = { compiled: 0, interpreted: 0 };
  const interpret = (document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, context: unknown) => {
    counts.interpreted++;
    return execute({ schema, document, operationName, variableValues: variables, contextValue: context }) as ExecutionResult | Promise<ExecutionResult>;
  };

  function compiled(document: DocumentNode, operationName: string): CompiledQuery | null {
    let operations = documents.get(document);
    if (!operations) {
      operations = new Map();
      documents.set(document, operations);
    }
    const entry = operations.get(operationName) ?? 0;
    if (typeof entry !== 'number') return entry;
    if (entry + 1 < compileAfter) {
      operations.set(operationName, entry + 1);
      return null;
    }
    let query: CompiledQuery | null = null;
    try {
      const c = compileQuery(schema, document, operationName || undefined);
      query = isCompiledQuery(c) ? c : null;
    } catch {
      query = null; // a shape graphql-jit does not handle: interpreted, as before
    }
    operations.set(operationName, query);
    return query;
  }

  return {
    counts,
    async execute({ document, operationName, variables, context, operation }) {
      const query = operation === 'query' ? compiled(document, operationName ?? '') : null;
      if (query) {
        const result = await query.query(undefined, context, variables ?? {});
        // no data at all: the variables were refused before anything ran, and graphql-js says why, in its words
        if ('data' in result) {
          counts.compiled++;
          return result.errors?.length ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
        }
      }
      return interpret(document, operationName, variables, context);
    },
  };
}

/**
 * graphql-jit's errors are its own class, with `extensions` left undefined when the thrown error had none
 * (Apollo reads `extensions.code` and would turn the error into a bare internal error before our
 * formatError saw it): the same error as graphql-js's, with the original kept for formatError and logs.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const out = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? undefined,
  });
  (out as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return out;
}
