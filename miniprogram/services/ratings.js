// 评单审核: the staff's queue of ratings to follow up.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/ratings' },
}

/** listRatings({ max_stars, reviewed, limit, cursor }) → { items, next_cursor } */
function listRatings(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

module.exports = { ROUTES, listRatings }
