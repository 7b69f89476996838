// 派单台: orders waiting for dispatch, overdue first, each with a picker of the teams that may take it.
import { getAll, post } from '../api.js'
import { badge, clear, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { ORDER_ACTION } from '../labels.js'
import { lineage, session } from '../session.js'

/**
 * The teams that may take this order: active, of the order's area or an area above it, and serving its
 * category (a team with no categories serves every one). This is the console's own copy of the server's
 * rule (DESIGN §4); a later step replaces it with the server's `dispatch_teams` on the order.
 */
export function teamsThatMayTake(order) {
  const up = lineage(order.area_id)
  return session.teams.filter(team => {
    const codes = (team.categories || []).map(category => category.code)
    return team.is_active !== false && up.includes(team.area_id) && (!codes.length || codes.includes(order.category))
  })
}

const byDue = (a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id)

export default function viewDispatch(content) {
  const box = panel('派单台 · 待派单工单', h('button', { class: 'btn', type: 'button', onclick: () => load() }, '刷新'))
  content.appendChild(box)

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
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'dispatch-table' },
      headRow(['编号', '提交时间', '服务类别', '需求', '区域', '联系人', '办理期限', '派给服务队']),
      h('tbody', {}, orders.map(dispatchRow))))
  }

  function dispatchRow(order) {
    const teams = teamsThatMayTake(order)
    const select = h('select', { 'aria-label': '选择服务队', class: 'team-picker' },
      h('option', { value: '' }, teams.length ? '请选择服务队' : '无可派服务队'),
      teams.map(team => h('option', { value: team.id }, team.name)))
    const button = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, ORDER_ACTION.dispatch)
    const row = h('tr', { class: order.overdue ? 'overdue' : '', 'data-order-id': order.id },
      h('td', {}, h('a', { href: '#/orders/' + order.id }, '#' + order.id)),
      h('td', {}, fmtTime(order.created_at)),
      h('td', {}, order.category_name),
      h('td', {}, h('div', {}, order.title), h('div', { class: 'desc' }, order.description)),
      h('td', {}, order.area_name),
      h('td', {}, order.contact_name, h('div', { class: 'desc' }, order.contact_phone)),
      h('td', {}, fmtTime(order.due_at), ' ', order.overdue ? badge('已超期', 'red') : null),
      h('td', {}, h('div', { class: 'inline-form' }, select, button)))
    button.addEventListener('click', async () => {
      if (!select.value) {
        toast('请先选择服务队', true)
        return
      }
      button.disabled = true
      try {
        await post(`/orders/${order.id}/dispatch`, { team_id: Number(select.value) })
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(`已将工单 #${order.id} 派给${select.options[select.selectedIndex].text}`)
      row.remove()
      if (!document.querySelector('#dispatch-table tbody tr')) empty(box.body, '暂无待派单的工单')
    })
    return row
  }

  load()
}
