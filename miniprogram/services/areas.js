// The area tree: county › town › community › grid.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/areas' },
}

const ORDER_AREA_KINDS = ['community', 'grid']

/** listAreas({ kind, parent_id, q, ids, limit, cursor }) → { items, next_cursor } */
function listAreas(query, options) {
  return call(ROUTES.list, Object.assign({ auth: false, query: Object.assign({ limit: 50 }, query) }, options))
}

/** Communities whose name holds `q` (the first 20). */
function searchCommunities(q, options) {
  return listAreas({ kind: 'community', q, limit: 20 }, Object.assign({ showError: false }, options)).then(page => page.items || [])
}

/** These areas (communities and grids only), in one request; [] for no ids. */
function areasByIds(ids, options) {
  const unique = ids.filter((id, i) => id && ids.indexOf(id) === i)
  if (!unique.length) return Promise.resolve([])
  return listAreas({ ids: unique.join(','), limit: 50 }, Object.assign({ showError: false }, options)).then(page =>
    (page.items || []).filter(area => ORDER_AREA_KINDS.indexOf(area.kind) >= 0),
  )
}

/**
 * The user's own communities, first those named in `firstIds` (e.g. the last order's), then home,
 * then where they hold a role: [{ id, name }].
 */
function myCommunities(user, firstIds, options) {
  const ids = (firstIds || []).concat([user && user.home_area_id], ((user && user.roles) || []).map(grant => grant.area_id))
    .filter(Boolean)
    .map(Number)
  return areasByIds(ids, options).then(areas => {
    const byId = {}
    areas.forEach(area => {
      byId[area.id] = area
    })
    const seen = {}
    return ids.filter(id => byId[id] && !seen[id] && (seen[id] = true)).map(id => ({ id, name: byId[id].name }))
  })
}

module.exports = { ROUTES, listAreas, searchCommunities, areasByIds, myCommunities }
