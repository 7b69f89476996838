// A fake API loaded with the fixtures, enough for every page to render.
const { fixture } = require('./fixtures')
const { error } = require('./wx')

function withActions(order, actions) {
  return Object.assign({}, order, { allowed_actions: actions })
}

/** Routes for a signed-in user; tests override single routes with server.on(...). */
function serveFixtures(wx, user) {
  const users = fixture('users')
  const me = user || users.resident
  wx.__server
    .on('POST', '/auth/wechat-login', { access_token: 'fresh-token', token_type: 'Bearer', expires_in: 7200, user: me })
    .on('GET', '/me', me)
    .on('PATCH', '/me', req => Object.assign({}, me, req.body))
    .on('POST', '/me/phone', Object.assign({}, me, { phone: '138****1234' }))
    .on('GET', '/me/export', {
      profile: { id: me.id, nickname: me.nickname, real_name: me.real_name, phone: '13812341234' },
      orders: fixture('orders').items, ratings: [], points: [], messages: [], signups: [], redemptions: [],
      exported_at: '2024-05-06T02:30:00+00:00',
    })
    .on('DELETE', '/me', { __response: true, statusCode: 204, data: '' })
    .on('GET', '/categories', fixture('categories'))
    .on('GET', '/areas', {
      items: [
        { id: 3, parent_id: 2, kind: 'community', name: '松阳社区' },
        { id: 4, parent_id: 2, kind: 'community', name: '青山社区' },
      ],
      next_cursor: null,
    })
    .on('GET', '/offerings', fixture('offerings'))
    .on('GET', '/offerings/{id}', req => fixture('offerings').items.find(o => o.id === Number(req.params.id)) || error(404, 'not_found', '亮单不存在'))
    .on('POST', '/offerings', req => Object.assign({ id: 900, status: 'pending' }, req.body))
    .on('POST', '/offerings/{id}/approve', req => ({ id: Number(req.params.id), status: 'published' }))
    .on('POST', '/offerings/{id}/reject', req => ({ id: Number(req.params.id), status: 'rejected' }))
    .on('POST', '/offerings/{id}/withdraw', req => ({ id: Number(req.params.id), status: 'withdrawn' }))
    .on('GET', '/orders', fixture('orders'))
    .on('POST', '/orders', req => Object.assign({ id: 777, status: 'ordered', allowed_actions: ['cancel'] }, req.body))
    .on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id) }))
    .on('GET', '/teams', { items: [fixture('team')], next_cursor: null })
    .on('GET', '/teams/{id}', fixture('team'))
    .on('POST', '/teams/join', fixture('team'))
    .on('GET', '/ratings', fixture('ratings'))
    .on('GET', '/stats/summary', fixture('stats-summary'))
    .on('GET', '/me/messages', fixture('messages'))
    .on('POST', '/me/messages/{id}/read', req => Object.assign({}, fixture('messages').items[0], { id: Number(req.params.id), read: true }))
    .on('POST', '/me/messages/read-all', { marked: 1, unread: 0 })
    .on('GET', '/me/points', fixture('points'))
    .on('GET', '/points/leaderboard', fixture('leaderboard'))
    .on('GET', '/calls', fixture('calls'))
    .on('GET', '/calls/{id}', req => fixture('calls').items.find(c => c.id === Number(req.params.id)) || fixture('calls').items[0])
    .on('POST', '/calls', req => Object.assign({ id: 70, status: 'open', signup_count: 0 }, req.body))
    .on('POST', '/calls/{id}/signup', {})
    .on('POST', '/calls/{id}/withdraw', {})
    .on('POST', '/calls/{id}/checkin', {})
    .on('POST', '/calls/{id}/close', {})
    .on('POST', '/attachments', { id: 'f00dcafe', content_type: 'image/jpeg', size: 1024 })
    .on('GET', '/attachments/{id}', 'binary')
    .on('GET', '/care-plans', () => {
      const plan = Object.assign({}, fixture('care-plan'))
      delete plan.visits
      return { items: [plan, Object.assign({}, plan, { id: 30, status: 'paused', title: '陪护复诊', next_visit_on: null })], next_cursor: null }
    })
    .on('GET', '/care-plans/{id}', req => Object.assign(fixture('care-plan'), { id: Number(req.params.id) }))
    .on('POST', '/care-plans', req => Object.assign(fixture('care-plan'), { id: 32, visits: [] }))
    .on('POST', '/care-plans/{id}/pause', req => Object.assign(fixture('care-plan'), { id: Number(req.params.id), status: 'paused', allowed_actions: ['resume', 'end'] }))
    .on('POST', '/care-plans/{id}/resume', req => Object.assign(fixture('care-plan'), { id: Number(req.params.id) }))
    .on('POST', '/care-plans/{id}/end', req => Object.assign(fixture('care-plan'), { id: Number(req.params.id), status: 'ended', allowed_actions: [] }))
    .on('GET', '/auth/console-tickets/{ticket}/info', () => ({
      created_at: '2026-12-03T05:50:00+00:00', ip: '203.0.113.7', browser: 'Chrome 131（Windows）',
    }))
    .on('GET', '/me/service-record', fixture('service-record'))
    .on('GET', '/me/service-certificates', fixture('certificates'))
    .on('POST', '/me/service-certificates', req => Object.assign({}, fixture('certificates').items[0], { code: 'N3W5C0DEN3W5C0DE' }))
    .on('GET', '/service-certificates/{file}', 'binary')
    .on('GET', '/rewards', fixture('rewards'))
    .on('POST', '/rewards/{id}/redeem', req => {
      const reward = fixture('rewards').items.find(r => r.id === Number(req.params.id))
      return Object.assign({}, fixture('redemptions').items[0], { id: 92, reward_id: reward.id, reward_name: reward.name, points: reward.points, code: '87654321' })
    })
    .on('GET', '/me/redemptions', fixture('redemptions'))
    .on('GET', '/redemptions', req => ({
      items: fixture('redemptions').items
        .filter(r => !req.query.code || r.code === req.query.code)
        .map(r => Object.assign({}, r, { code: null, allowed_actions: r.status === 'pending' ? ['fulfil', 'cancel'] : [] })),
      next_cursor: null,
    }))
    .on('POST', '/redemptions/{id}/fulfil', req => Object.assign({}, fixture('redemptions').items[0], {
      id: Number(req.params.id), code: null, status: 'fulfilled', status_label: '已领取', fulfilled_at: '2024-04-13T08:00:00+00:00', allowed_actions: [],
    }))
    .on('POST', '/redemptions/{id}/cancel', req => Object.assign({}, fixture('redemptions').items[0], {
      id: Number(req.params.id), code: null, status: 'cancelled', status_label: '已取消', cancelled_at: '2024-04-13T08:00:00+00:00', allowed_actions: [],
    }))
    .on('POST', '/auth/console-tickets/{ticket}/approve', req => ({ ticket: req.params.ticket, status: 'approved' }))
  return wx.__server
}

module.exports = { serveFixtures, withActions }
