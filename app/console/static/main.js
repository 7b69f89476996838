// 社区五单 staff console: a small single-page app over the JSON API (/api/v1), as ES modules without a build
// step. This module boots it: login, the shell, and the router from #/<view>[/<id>] to the view modules.
import { ApiError, dropToken, revoke, token, whenUnauthorized } from './api.js'
import { byId, clear, h } from './dom.js'
import { ROLE } from './labels.js'
import { hideLogin, initLogin, showLogin } from './login.js'
import { forget, loadSession, session } from './session.js'
import viewCall from './views/call.js'
import viewCalls from './views/calls.js'
import viewCarePlans, { viewCarePlan } from './views/care-plans.js'
import viewDispatch from './views/dispatch.js'
import viewHours from './views/hours.js'
import viewMember from './views/member.js'
import viewOfferings from './views/offerings.js'
import viewOrder from './views/order.js'
import viewOrders from './views/orders.js'
import viewParty from './views/party.js'
import viewRatings from './views/ratings.js'
import viewRedemptions from './views/redemptions.js'
import viewRewards from './views/rewards.js'
import viewStats from './views/stats.js'
import viewTeam from './views/team.js'
import viewTeams from './views/teams.js'

// #/<name> draws VIEWS[name]; #/<name>/<id> draws DETAIL_VIEWS[name] for that id.
const VIEWS = {
  dispatch: viewDispatch, orders: viewOrders, ratings: viewRatings, offerings: viewOfferings, teams: viewTeams,
  calls: viewCalls, 'care-plans': viewCarePlans, party: viewParty, stats: viewStats, rewards: viewRewards,
  redemptions: viewRedemptions, hours: viewHours,
}
const DETAIL_VIEWS = { orders: viewOrder, teams: viewTeam, calls: viewCall, 'care-plans': viewCarePlan, party: viewMember }
const own = (map, key) => Object.hasOwn(map, key)

function route() {
  if (!session.me) return
  const [name, id] = location.hash.replace(/^#\/?/, '').split('/')
  const list = own(VIEWS, name) ? name : 'dispatch'
  const detail = Boolean(id) && own(DETAIL_VIEWS, list)
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', link.dataset.nav === list)
  const content = clear(byId('content'))
  content.dataset.view = detail ? list + '-detail' : list
  ;(detail ? DETAIL_VIEWS[list] : VIEWS[list])(content, id)
  content.focus({ preventScroll: true })
}

/** Back to the login screen, with a message if there is one. */
function toLogin(message) {
  byId('shell').hidden = true
  byId('session').hidden = true
  showLogin(message)
}

/** Forget the token (revoking it on the server unless it has already expired there) and show the login. */
function logout(message) {
  const had = token()
  dropToken()
  forget()
  if (had && !message) revoke(had)
  if (location.hash) history.replaceState(null, '', location.pathname)
  toLogin(message)
}

async function start() {
  hideLogin()
  clear(byId('content')).appendChild(h('p', { class: 'loading' }, '正在加载…'))
  byId('shell').hidden = false
  try {
    await loadSession()
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return // logout() has shown the login already
    dropToken()
    toLogin(err.message)
    return
  }
  const me = session.me
  const roles = session.roots.map(root => `${root.name} · ${ROLE[root.role]}`).join('、')
  byId('who').textContent = `${me.real_name || me.nickname || '用户'}（${roles}）`
  byId('session').hidden = false
  if (!location.hash || location.hash === '#/') location.hash = '#/dispatch'
  else route()
}

whenUnauthorized(logout)
initLogin(start)
byId('logout').addEventListener('click', () => logout())
window.addEventListener('hashchange', route)
if (token()) start()
else toLogin()
