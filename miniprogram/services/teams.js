// 志愿服务队: teams, joining by invite code.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/teams' },
  get: { method: 'GET', path: '/teams/{id}' },
  join: { method: 'POST', path: '/teams/join' },
}

/** listTeams({ area_id, limit, cursor }) → { items, next_cursor } */
function listTeams(query, options) {
  return call(ROUTES.list, Object.assign({ query: Object.assign({ limit: 50 }, query) }, options))
}

function getTeam(id, options) {
  return call(ROUTES.get, Object.assign({ params: { id } }, options))
}

function joinTeam(inviteCode) {
  return call(ROUTES.join, { data: { invite_code: inviteCode }, loading: '正在加入…' })
}

module.exports = { ROUTES, listTeams, getTeam, joinTeam }
