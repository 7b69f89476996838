// 派单台: orders waiting for dispatch, overdue first. Each row shows the server's ranked dispatch_teams (DESIGN §8):
// the top three one click away, every team that may take the order in a picker, and a mark on likely duplicates
// with a way to cancel one as a duplicate of the other. Below, orders dispatched and not yet accepted, each with
// 改派 (the same dispatch action: the server's dispatch_teams then leave the order's own team out). The console
// keeps no copy of the dispatch rule.
import { get, getAll, post } from '../api.js'
import { badge, clear, confirmButton, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { actionLabel, fmtTime } from '../format.js'
import { session } from '../session.js'

const TOP = 3
const DETAILS_AT_ONCE = 4
const byDue = (a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id)

/**
 * The dispatch choices of an order (its `dispatch_teams`, best first): a button for each of the top three, then a
 * picker of all of them with a 派单 button. `send(team)` dispatches; it is called with {team_id, name}.
 */
export function dispatchChoices(order, send) {
  const teams = order.dispatch_teams || []
  const verb = actionLabel('dispatch', order.status)  // 派单, or 改派 for an order already dispatched
  const redispatch = order.status === 'dispatched'
  if (!teams.length) {
    return h('p', { class: 'desc no-teams' }, redispatch ? '没有其他可以承接此工单的服务队' : '没有可以承接此工单的服务队')
  }
  const quick = teams.slice(0, TOP).map((team, index) => {
    const button = h('button', { class: 'btn btn-small suggest' + (index === 0 ? ' btn-primary' : ''), type: 'button',
      title: team.reasons.join('；'), 'data-team-id': team.team_id }, (redispatch ? verb + '给' : '派给') + team.name)
    button.addEventListener('click', () => send(team, button))
    return h('div', { class: 'suggestion' }, button, h('div', { class: 'desc reasons' }, team.reasons.join(' · ')))
  })
  const select = h('select', { 'aria-label': '选择服务队', class: 'team-picker' },
    h('option', { value: '' }, '其他服务队…'),
    teams.map(team => h('option', { value: team.team_id }, team.name)))
  const go = h('button', { class: 'btn btn-small', type: 'button' }, verb)
  go.addEventListener('click', () => {
    const team = teams.find(t => String(t.team_id) === select.value)
    if (!team) {
      toast('请先选择服务队', true)
      return
    }
    send(team, go)
  })
  return h('div', { class: 'dispatch-choices' }, quick, h('div', { class: 'inline-form' }, select, go))
}

/** Run `work(item)` for each item, a few at a time. */
async function eachFew(items, work) {
  const queue = items.slice()
  const runners = Array.from({ length: Math.min(DETAILS_AT_ONCE, queue.length) }, async () => {
    while (queue.length) await work(queue.shift())
  })
  await Promise.all(runners)
}

/** {order id: [ids of the open orders it likely duplicates]} for these orders, from the server. */
async function duplicateMarks(orders) {
  const marks = {}
  for (let i = 0; i < orders.length; i += 50) {
    const ids = orders.slice(i, i + 50).map(order => order.id).join(',')
    const found = await get('/orders/duplicates', { ids })
    for (const item of found.items) marks[item.order_id] = item.duplicates
  }
  return marks
}

export default function viewDispatch(content) {
  const box = panel('派单台 · 待派单工单', h('button', { class: 'btn', type: 'button', onclick: () => load() }, '刷新'))
  content.appendChild(box)
  const waiting = redispatchPanel(content)

  async function load() {
    loading(box.body)
    let overdue, onTime
    try {
      [overdue, onTime] = await Promise.all([
        getAll('/orders', { status: 'ordered', view: 'area', overdue: 'true' }, 5),
        getAll('/orders', { status: 'ordered', view: 'area', overdue: 'false' }, 5),
      ])
    } catch (err) {
      empty(box.body, err.message)
      return
    }
    const orders = overdue.sort(byDue).concat(onTime.sort(byDue))
    if (!orders.length) {
      empty(box.body, '暂无待派单的工单')
      return
    }
    const rows = orders.map(dispatchRow)
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'dispatch-table' },
      headRow(['编号', '提交时间', '服务类别', '需求', '区域', '联系人', '办理期限', '派给服务队']),
      h('tbody', {}, rows.map(r => r.row))))
    duplicateMarks(orders).then(marks => rows.forEach(r => r.markDuplicates(marks[r.order.id] || [])), fail)
    await eachFew(rows, r => r.loadChoices())
  }

  function removeRow(row) {
    row.remove()
    if (!document.querySelector('#dispatch-table tbody tr')) empty(box.body, '暂无待派单的工单')
  }

  function dispatchRow(order) {
    const choices = h('td', { class: 'choices' }, h('span', { class: 'desc' }, '正在加载推荐…'))
    const need = h('td', {}, h('div', {}, order.title), h('div', { class: 'desc' }, order.description))
    const row = h('tr', { class: order.overdue ? 'overdue' : '', 'data-order-id': order.id },
      h('td', {}, h('a', { href: '#/orders/' + order.id }, '#' + order.id)),
      h('td', {}, fmtTime(order.created_at)),
      h('td', {}, order.category_name),
      need,
      h('td', {}, order.area_name),
      h('td', {}, order.contact_name, h('div', { class: 'desc' }, order.contact_phone)),
      h('td', {}, fmtTime(order.due_at), ' ', order.overdue ? badge('已超期', 'red') : null),
      choices)

    async function send(team, button) {
      button.disabled = true
      try {
        await post(`/orders/${order.id}/dispatch`, { team_id: team.team_id })
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(`已将工单 #${order.id} 派给${team.name}`)
      removeRow(row)
      waiting.load()
    }

    async function loadChoices() {
      try {
        const detail = await get('/orders/' + order.id)
        clear(choices).appendChild(dispatchChoices(detail, send))
      } catch (err) {
        clear(choices).appendChild(h('span', { class: 'desc' }, err.message))
      }
    }

    function markDuplicates(others) {
      if (!others.length) return
      const other = others[0]
      const cancel = confirmButton('作为重复取消', '确认取消？', 'btn-small btn-danger', async button => {
        try {
          await post(`/orders/${order.id}/cancel`, { reason: `与工单 #${other} 重复` })
        } catch (err) {
          button.disabled = false
          fail(err)
          return
        }
        toast(`已取消工单 #${order.id}（与 #${other} 重复）`)
        removeRow(row)
      })
      need.appendChild(h('div', { class: 'duplicate-mark' }, badge('可能重复', 'orange'), ' 与 ',
        others.map((id, i) => [i ? '、' : '', h('a', { href: '#/orders/' + id }, '#' + id)]), ' ', cancel))
    }

    return { order, row, loadChoices, markDuplicates }
  }

  load()
}

const verbOfDispatched = () => actionLabel('dispatch', 'dispatched')

/** 待接单 · 可改派: orders dispatched and not yet accepted, oldest dispatch first, each with its team and 改派. */
function redispatchPanel(content) {
  const box = panel('派单台 · 已派待接单（可' + verbOfDispatched() + '）',
    h('button', { class: 'btn', type: 'button', onclick: () => load() }, '刷新'))
  content.appendChild(box)
  const teamName = id => (session.teams.find(team => team.id === id) || {}).name || `服务队 #${id}`

  async function load() {
    loading(box.body)
    let orders
    try {
      orders = await getAll('/orders', { status: 'dispatched', view: 'area' }, 5)
    } catch (err) {
      empty(box.body, err.message)
      return
    }
    if (!orders.length) {
      empty(box.body, '暂无已派待接单的工单')
      return
    }
    orders.sort((a, b) => (a.dispatched_at < b.dispatched_at ? -1 : a.dispatched_at > b.dispatched_at ? 1 : a.id - b.id))
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'redispatch-table' },
      headRow(['编号', '派单时间', '服务类别', '需求', '区域', '现派给', verbOfDispatched()]),
      h('tbody', {}, orders.map(waitingRow))))
  }

  function waitingRow(order) {
    const choices = h('td', { class: 'choices' })
    const team = h('td', { class: 'current-team' }, teamName(order.team_id))
    const open = h('button', { class: 'btn btn-small redispatch', type: 'button' }, verbOfDispatched())
    choices.appendChild(open)
    const row = h('tr', { class: order.overdue ? 'overdue' : '', 'data-order-id': order.id },
      h('td', {}, h('a', { href: '#/orders/' + order.id }, '#' + order.id)),
      h('td', {}, fmtTime(order.dispatched_at)),
      h('td', {}, order.category_name),
      h('td', {}, h('div', {}, order.title), h('div', { class: 'desc' }, order.description)),
      h('td', {}, order.area_name),
      team,
      choices)

    async function send(picked, button) {
      button.disabled = true
      let updated
      try {
        updated = await post(`/orders/${order.id}/dispatch`, { team_id: picked.team_id })
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(`已将工单 #${order.id} ${verbOfDispatched()}给${picked.name}`)
      team.textContent = updated.team_name || picked.name
      clear(choices).appendChild(open)
      open.disabled = false
    }

    // The ranked teams are read when asked for: most dispatched orders are accepted without 改派.
    open.addEventListener('click', async () => {
      open.disabled = true
      try {
        const detail = await get('/orders/' + order.id)
        if (detail.status !== 'dispatched' || !(detail.allowed_actions || []).includes('dispatch')) {
          toast(`工单 #${order.id} 已有志愿者接单或已取消，不能${verbOfDispatched()}`, true)
          load()
          return
        }
        team.textContent = detail.team_name || team.textContent
        clear(choices).appendChild(dispatchChoices(detail, send))
      } catch (err) {
        open.disabled = false
        fail(err)
      }
    })
    return row
  }

  load()
  return { load }
}
