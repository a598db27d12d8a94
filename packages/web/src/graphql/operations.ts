// The operations the screens use, typed from schema.graphql (gql.tada). One place, so that a schema
// change shows up in `pnpm typecheck` here.
import { graphql } from './graphql.js';

export const ME = graphql(`
  query Me {
    me {
      user { id username displayName roles }
      unit { id code name level }
      scope { id code name level }
      actions
    }
  }
`);

export const DUE_ITEMS = graphql(`
  query DueItems($first: Int!) {
    me {
      dueItems(first: $first) { kind refId title dueOn unit { id code name level } }
    }
  }
`);

export const UNIT_LIGHTS = graphql(`
  fragment UnitLights on AdminUnit @_unmask {
    id code name level light
    lightCounts { green yellow red }
  }
`);

/**
 * The board of a unit: itself, the way up (within scope) and its children with their lights. 200 children
 * keep the query under the default cost limit (GRAPHQL_MAX_COST 5000); no unit of the demo has more.
 */
export const BOARD = graphql(
  `
  query Board($code: String!) {
    adminUnit(code: $code) {
      ...UnitLights
      ancestors { id code name level }
      children(first: 200) { totalCount pageInfo { hasNextPage } edges { node { ...UnitLights } } }
    }
  }
`,
  [UNIT_LIGHTS],
);

/** One unit's lights again (a live change re-reads the card it concerns). */
export const UNIT_BY_ID = graphql(
  `
  query UnitById($id: ID!) { adminUnitById(id: $id) { ...UnitLights } }
`,
  [UNIT_LIGHTS],
);

export const LIGHT_CHANGED = graphql(`
  subscription LightChanged($unitId: ID!) {
    lightChanged(unitId: $unitId) {
      eventId at from to
      village { id code name ancestors { id code name } }
    }
  }
`);

/** A unit's name and light by code (headers of the unit screens). */
export const UNIT = graphql(
  `
  query Unit($code: String!) { adminUnit(code: $code) { ...UnitLights ancestors { id code name level } } }
`,
  [UNIT_LIGHTS],
);
