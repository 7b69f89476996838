// 工单详情: an order's fields, rating, timeline and the actions staff may take on it now.
import { get, post } from '../api.js'
import { orderStatusBadge } from '../badges.js'
import { appendAll, badge, clear, empty, fail, h, loading, panel, stars, toast } from '../dom.js'
import { actionLabel, fmtTime } from '../format.js'
import { dispatchChoices } from './dispatch.js'

// The actions the console offers (the others belong to volunteers and residents), and the text some need.
const CONSOLE_ACTIONS = ['dispatch', 'cancel', 'close', 'reopen', 'review']
const NEEDS = { cancel: ['reason', '取消原因'], reopen: ['reason', '重新办理的原因'], review: ['note', '回访情况'] }

export default async function viewOrder(content, id) {
  const box = panel('工单 #' + id, h('a', { href: '#/orders', class: 'btn' }, '返回列表'))
  content.appendChild(box)
  loading(box.body)
  try {
    drawOrder(box, await get('/orders/' + encodeURIComponent(id)))
  } catch (err) {
    empty(box.body, err.status === 404 ? '找不到该工单，或不在您负责的区域' : err.message)
  }
}

function drawOrder(box, order) {
  const fields = [
    ['状态', orderStatusBadge(order.status)], ['服务类别', order.category_name], ['标题', order.title],
    ['区域', order.area_name], ['联系人', order.contact_name], ['联系电话', order.contact_phone],
    ['服务地址', order.address], ['期望时间', order.preferred_time || '—'],
    ['服务队', order.team_name || '—'],
    ['办理期限', [fmtTime(order.due_at), order.overdue ? ' ' : '', order.overdue ? badge('已超期', 'red') : null]],
    ['提交时间', fmtTime(order.created_at)], ['完成时间', fmtTime(order.completed_at)],
  ]
  if (order.on_behalf_of) fields.push(['代办对象', order.on_behalf_of.name + ' ' + order.on_behalf_of.phone])
  const sections = [
    h('dl', { class: 'detail-grid' }, fields.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    h('h3', { class: 'section-title' }, '需求描述'), h('p', {}, order.description),
  ]
  if (order.result) sections.push(h('h3', {}, '服务结果'), h('p', {}, order.result))
  const rating = order.rating
  if (rating) {
    sections.push(h('h3', {}, '群众评价'), h('p', {}, stars(rating.stars), ' ', rating.comment || '（无文字评价）'))
    if (rating.reviewed_at) {
      sections.push(h('p', { class: 'muted' }, `回访记录（${fmtTime(rating.reviewed_at)}）：${rating.review_note}`))
    }
  }
  sections.push(h('h3', {}, '办理过程'), h('ol', { class: 'timeline', id: 'timeline' }, (order.events || []).map(e =>
    h('li', {}, h('span', { class: 'when' }, fmtTime(e.created_at)), h('strong', {}, actionLabel(e.action, e.from_status)),
      ' · ', e.actor_name, e.note ? h('div', { class: 'note' }, e.note) : null))))
  const actions = orderActions(order, updated => drawOrder(box, updated))
  if (actions) sections.push(h('h3', {}, '可执行操作'), actions)
  appendAll(clear(box.body), sections)
}

/** Buttons from allowed_actions; actions that need a reason or note show a small form. */
function orderActions(order, done) {
  const allowed = (order.allowed_actions || []).filter(action => CONSOLE_ACTIONS.includes(action))
  if (!allowed.length) return null
  const box = h('div', { class: 'actions' })

  async function run(action, body, button) {
    button.disabled = true
    let updated
    try {
      updated = await post(`/orders/${order.id}/${action}`, body)
    } catch (err) {
      button.disabled = false
      fail(err)
      return
    }
    toast(actionLabel(action, order.status) + '成功')
    // An action's answer has no dispatch_teams: read them when the order may be (re)dispatched now.
    if ((updated.allowed_actions || []).includes('dispatch') && !updated.dispatch_teams) {
      try {
        updated = await get('/orders/' + order.id)
      } catch (err) {
        fail(err)
      }
    }
    done(updated)
  }

  for (const action of allowed) {
    if (action === 'dispatch') {  // the server's ranked teams (dispatch_teams), the top three one click away
      if (order.status === 'dispatched') {  // 改派: dispatch_teams leave the order's own team out
        box.appendChild(h('p', { class: 'desc redispatch-note' },
          `现派给${order.team_name || '服务队'}，还没有志愿者接单；${actionLabel(action, order.status)}后该队会收到通知。`))
      }
      box.appendChild(dispatchChoices(order, (team, button) => run('dispatch', { team_id: team.team_id }, button)))
      continue
    }
    const needs = NEEDS[action]
    const input = needs ? h('input', { type: 'text', placeholder: needs[1], maxlength: 200, 'aria-label': needs[1] }) : null
    const button = h('button', { class: 'btn' + (action === 'cancel' ? ' btn-danger' : ''), type: 'button' },
      actionLabel(action, order.status))
    button.addEventListener('click', () => {
      const body = {}
      if (needs) {
        if (!input.value.trim()) {
          toast('请填写' + needs[1], true)
          return
        }
        body[needs[0]] = input.value.trim()
      }
      run(action, body, button)
    })
    box.appendChild(h('div', { class: 'inline-form' }, input, button))
  }
  return box
}
