// Service categories (陪医, 助老 …). They change rarely: cached for the session.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/categories' },
}

let cached = null

function itemsOf(res) {
  return Array.isArray(res) ? res : (res && res.items) || []
}

function listCategories(options) {
  const opts = Object.assign({}, options)
  const refresh = opts.refresh
  delete opts.refresh
  if (cached && !refresh) return Promise.resolve(cached)
  return call(ROUTES.list, Object.assign({ auth: false }, opts))
    .then(itemsOf)
    .then(items => {
      cached = items
      return items
    })
}

function clearCache() {
  cached = null
}

module.exports = { ROUTES, listCategories, clearCache }
