import { Kind, parse, visit, type ASTNode, type GraphQLError } from 'graphql';

/**
 * The argument (or input-object field) a bad scalar value was given for: a scalar's parser does not know
 * where its value sits, so its error names the scalar ("date"); the client wants the argument's name.
 * A variable's error says `Variable "$x" got invalid value … [at "x.field"]`; a literal's error points
 * at the value node. Null when the document cannot tell.
 */
export function argumentOf(error: GraphQLError): string | null {
  const body = error.source?.body;
  if (!body) return null;
  const variable = /^Variable "\$(\w+)" got invalid value/.exec(error.message);
  if (variable) {
    const at = /at "([\w.[\]]+)"/.exec(error.message.slice(variable[0].length));
    // as the services name them: an item of a list by its path (items[1].on), an input object's field by its name
    if (at) return at[1]!.includes('[') ? at[1]! : (at[1]!.split('.').at(-1) ?? null);
    return nameWhere(body, (value) => value.kind === Kind.VARIABLE && value.name.value === variable[1]);
  }
  const start = error.nodes?.[0]?.loc?.start;
  return start == null ? null : nameWhere(body, (value) => value.loc?.start === start);
}

function nameWhere(body: string, matches: (value: ASTNode & { kind: string; name?: any }) => boolean): string | null {
  let found: string | null = null;
  try {
    visit(parse(body), {
      Argument: (n) => { if (!found && matches(n.value as any)) found = n.name.value; },
      ObjectField: (n) => { if (!found && matches(n.value as any)) found = n.name.value; },
    });
  } catch {
    return null;
  }
  return found;
}
