// 吹哨报到 · 志愿活动: the calls and activities of my areas, filtered by kind, status, area and waiting check-ins.
import { get } from '../api.js'
import { callKindBadge, callStatusBadge } from '../badges.js'
import { h, headRow, pagedTable, panel } from '../dom.js'
import { fmtTime } from '../format.js'
import { CALL_KIND, CALL_STATUS } from '../labels.js'
import { areaOptions } from '../session.js'

const option = (value, label) => h('option', { value }, label)

export default function viewCalls(content) {
  const form = h('form', { class: 'toolbar', id: 'call-search' },
    h('label', {}, '类型', h('select', { name: 'kind' }, option('', '全部'),
      Object.entries(CALL_KIND).map(([kind, label]) => option(kind, label)))),
    h('label', {}, '状态', h('select', { name: 'status' }, option('', '全部'),
      option('open', CALL_STATUS.open), option('closed', CALL_STATUS.closed))),
    h('label', {}, '区域', h('select', { name: 'area_id' }, option('', '全部'),
      areaOptions(false).map(a => option(a.id, a.label)))),
    h('label', {}, h('input', { type: 'checkbox', name: 'awaiting' }), '仅看有待确认签到的'),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('吹哨报到 · 志愿活动', h('a', { href: '#/calls/new', class: 'btn btn-primary', id: 'new-call' }, '发起吹哨或活动'))
  box.insertBefore(form, box.body)
  content.appendChild(box)

  const search = pagedTable(box.body, {
    id: 'calls-table', head: headRow(['类型', '标题', '区域', '开始时间', '地点', '报名', '状态']),
    emptyText: '暂无符合条件的吹哨或活动',
    fetchPage: cursor => {
      const e = form.elements
      return get('/calls', {
        limit: 20, kind: e.kind.value, status: e.status.value, area_id: e.area_id.value,
        awaiting_confirmation: e.awaiting.checked ? 'true' : '', cursor,
      })
    },
    row: call => h('tr', { class: 'clickable', 'data-call-id': call.id, onclick: () => { location.hash = '#/calls/' + call.id } },
      h('td', {}, callKindBadge(call.kind)),
      h('td', {}, h('a', { href: '#/calls/' + call.id }, call.title), h('div', { class: 'desc' }, call.description)),
      h('td', {}, call.area_name), h('td', {}, fmtTime(call.starts_at)), h('td', {}, call.place),
      h('td', {}, `${call.signup_count} / ${call.quota}`), h('td', {}, callStatusBadge(call))),
  })

  form.addEventListener('submit', event => {
    event.preventDefault()
    search(null)
  })

  search(null)
}
