// A Party member's page: who they are, the orders they completed and the calls they answered.
import { get } from '../api.js'
import { callKindBadge, signupBadge } from '../badges.js'
import { appendAll, clear, empty, h, headRow, loading, panel } from '../dom.js'
import { fmtTime } from '../format.js'

export default async function viewMember(content, id) {
  const box = panel('报到党员', h('a', { href: '#/party', class: 'btn' }, '返回名册'))
  const services = panel('最近的志愿服务（本区域工单）')
  const calls = panel('最近参加的吹哨和活动')
  appendAll(content, [box, services, calls])
  loading(box.body)
  let m
  try {
    m = await get('/party/members/' + encodeURIComponent(id))
  } catch (err) {
    empty(box.body, err.status === 404 ? '找不到该党员，或不在您负责的区域' : err.message)
    services.remove()
    calls.remove()
    return
  }
  box.querySelector('h2').textContent = '报到党员：' + m.name
  clear(box.body).appendChild(h('dl', { class: 'detail-grid', id: 'member-detail' }, [
    ['报到社区', m.home_area_name], ['工作单位', m.work_unit || '—'], ['联系电话', m.phone || '—'],
    ['办结服务', m.services + ' 件'], ['响应吹哨', m.call_checkins + ' 次（已确认签到）'],
  ].map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])))
  if (!m.recent_services.length) {
    empty(services.body, '还没有办结的服务')
  } else {
    clear(services.body).appendChild(h('table', { class: 'grid', id: 'member-services' },
      headRow(['工单', '社区', '状态', '完成时间']), h('tbody', {}, m.recent_services.map(s =>
        h('tr', {}, h('td', {}, h('a', { href: '#/orders/' + s.order_id }, `#${s.order_id} ${s.title}`)),
          h('td', {}, s.area_name), h('td', {}, s.status_label), h('td', {}, fmtTime(s.completed_at)))))))
  }
  if (!m.recent_calls.length) {
    empty(calls.body, '还没有报名吹哨或活动')
  } else {
    clear(calls.body).appendChild(h('table', { class: 'grid', id: 'member-calls' },
      headRow(['吹哨 / 活动', '类型', '开始时间', '报名状态']), h('tbody', {}, m.recent_calls.map(c =>
        h('tr', {}, h('td', {}, h('a', { href: '#/calls/' + c.call_id }, c.title)),
          h('td', {}, callKindBadge(c.kind)), h('td', {}, fmtTime(c.starts_at)), h('td', {}, signupBadge(c.status)))))))
  }
}
