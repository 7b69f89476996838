// 亮单: services published by volunteer teams.
const { call } = require('../utils/request')

const ROUTES = {
  list: { method: 'GET', path: '/offerings' },
  create: { method: 'POST', path: '/offerings' },
  get: { method: 'GET', path: '/offerings/{id}' },
  approve: { method: 'POST', path: '/offerings/{id}/approve' },
  reject: { method: 'POST', path: '/offerings/{id}/reject' },
  withdraw: { method: 'POST', path: '/offerings/{id}/withdraw' },
}

/** listOfferings({ area_id, category, team_id, status, limit, cursor }) → { items, next_cursor } */
function listOfferings(query, options) {
  return call(ROUTES.list, Object.assign({ query }, options))
}

function getOffering(id, options) {
  return call(ROUTES.get, Object.assign({ params: { id } }, options))
}

/** createOffering({ team_id, category, title, description?, service_times?, served_area_ids? }) — team leaders. */
function createOffering(data) {
  return call(ROUTES.create, { data, loading: '正在提交…' })
}

function approveOffering(id) {
  return call(ROUTES.approve, { params: { id }, loading: '正在处理…' })
}

/** Staff send the team a reason with a rejection. */
function rejectOffering(id, reason) {
  return call(ROUTES.reject, { params: { id }, data: { reason }, loading: '正在处理…' })
}

function withdrawOffering(id) {
  return call(ROUTES.withdraw, { params: { id }, loading: '正在撤回…' })
}

module.exports = { ROUTES, listOfferings, getOffering, createOffering, approveOffering, rejectOffering, withdrawOffering }
