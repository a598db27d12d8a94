import { GraphQLScalarType, Kind } from 'graphql';
import { formatYuan, parseYuan, localDate, badInput } from '@jiceng/core';

/** Money: yuan as a decimal string ("50000.00"); held as integer fen (bigint) inside. */
export const MoneyScalar = new GraphQLScalarType<bigint, string>({
  name: 'Money',
  description: 'An amount in yuan as a decimal string with two decimals, e.g. "50000.00". Exact: never a float.',
  serialize: (v) => formatYuan(v as bigint | number | string),
  parseValue: (v) => parseYuan(v, 'amount'),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput('amount', 'money must be a decimal string in yuan, e.g. "50000.00"');
    return parseYuan(ast.value, 'amount');
  },
});

/**
 * LocalDate (graphql-scalars' name and format): a calendar date, yyyy-mm-dd, with no time zone. Parsed
 * by core's localDate (real dates inside the service's window), so a bad one is BAD_USER_INPUT.
 */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'LocalDate',
  description: 'A calendar date, yyyy-mm-dd (ISO 8601), with no time zone',
  serialize: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10)),
  parseValue: (v) => localDate(v, 'date'),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput('date', 'must be a date as yyyy-mm-dd');
    return localDate(ast.value, 'date');
  },
});
