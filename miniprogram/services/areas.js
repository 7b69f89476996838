// The area tree: county › town › community › grid.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/areas' },
}

/** listAreas({ kind, parent_id, limit, cursor }) → { items, next_cursor } */
function listAreas(query, options) {
  return call(ROUTES.list, Object.assign({ auth: false, query: Object.assign({ limit: 50 }, query) }, options))
}

/** Every community, following next_cursor (there are at most a few hundred). */
function listCommunities() {
  const all = []
  const fetchPage = cursor =>
    listAreas({ kind: 'community', cursor }).then(page => {
      all.push(...(page.items || []))
      return page.next_cursor && all.length < 1000 ? fetchPage(page.next_cursor) : all
    })
  return fetchPage(null)
}

module.exports = { ROUTES, listAreas, listCommunities }
