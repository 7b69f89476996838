// 工单查询: search the orders of my areas by number, status, category, area and overdue.
import { get } from '../api.js'
import { badge, h, headRow, pagedTable, panel } from '../dom.js'
import { orderStatusBadge } from '../badges.js'
import { fmtTime } from '../format.js'
import { ORDER_STATUS } from '../labels.js'
import { areaOptions, session } from '../session.js'

const choices = (items, value, label) => items.map(item => h('option', { value: value(item) }, label(item)))

export default function viewOrders(content) {
  const form = h('form', { class: 'toolbar', id: 'order-search' },
    h('label', {}, '工单编号', h('input', { name: 'id', inputmode: 'numeric', size: 8, placeholder: '如 123' })),
    h('label', {}, '状态', h('select', { name: 'status' }, h('option', { value: '' }, '全部'),
      choices(Object.entries(ORDER_STATUS), ([key]) => key, ([, label]) => label))),
    h('label', {}, '服务类别', h('select', { name: 'category' }, h('option', { value: '' }, '全部'),
      choices(session.categories, c => c.code, c => c.name))),
    h('label', {}, '区域', h('select', { name: 'area_id' }, h('option', { value: '' }, '全部'),
      choices(areaOptions(true), a => a.id, a => a.label))),
    h('label', {}, h('input', { type: 'checkbox', name: 'overdue' }), '仅看超期'),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('工单查询')
  box.insertBefore(form, box.body)
  content.appendChild(box)

  const search = pagedTable(box.body, {
    id: 'orders-table', head: headRow(['编号', '状态', '服务类别', '需求', '区域', '提交时间', '办理期限']),
    emptyText: '没有符合条件的工单',
    fetchPage: cursor => {
      const e = form.elements
      return get('/orders', {
        view: 'area', limit: 20, status: e.status.value, category: e.category.value, area_id: e.area_id.value,
        overdue: e.overdue.checked ? 'true' : '', cursor,
      })
    },
    row: order => h('tr', { class: 'clickable' + (order.overdue ? ' overdue' : ''),
      onclick: () => { location.hash = '#/orders/' + order.id } },
    h('td', {}, '#' + order.id), h('td', {}, orderStatusBadge(order.status)), h('td', {}, order.category_name),
    h('td', {}, order.title, h('div', { class: 'desc' }, order.description)), h('td', {}, order.area_name),
    h('td', {}, fmtTime(order.created_at)),
    h('td', {}, fmtTime(order.due_at), order.overdue ? badge('超期', 'red') : null)),
  })

  form.addEventListener('submit', event => {
    event.preventDefault()
    const id = form.elements.id.value.trim()
    if (id) {
      location.hash = '#/orders/' + encodeURIComponent(id)
      return
    }
    search(null)
  })

  search(null)
}
