// One call or activity: who was called, who signed up, check-in confirmation, closing it.
import { get, getAll, post } from '../api.js'
import { callKindBadge, callStatusBadge, signupBadge } from '../badges.js'
import { appendAll, badge, clear, confirmButton, empty, fail, h, headRow, loading, pagedTable, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { CALL_ACTION, CALL_KIND, SIGNUP_STATUS } from '../labels.js'
import { areaName, session } from '../session.js'
import viewNewCall from './call-new.js'

// The sign-up filter: every place-holding sign-up, or one status.
const SIGNUP_FILTERS = [['signed_up,checked_in,confirmed', '全部报名'],
  ...['checked_in', 'signed_up', 'confirmed', 'withdrawn'].map(status => [status, SIGNUP_STATUS[status]])]

export default function viewCall(content, id) {
  if (id === 'new') {
    viewNewCall(content)
    return
  }
  const box = panel('吹哨 #' + id, h('a', { href: '#/calls', class: 'btn' }, '返回列表'))
  const signups = panel('报名与签到')
  content.append(box, signups)
  loading(box.body)

  async function load() {
    let call
    try {
      call = await get('/calls/' + encodeURIComponent(id))
    } catch (err) {
      empty(box.body, err.status === 404 ? '找不到该吹哨或活动，或不在您负责的区域' : err.message)
      signups.remove()
      return
    }
    draw(call)
  }

  function draw(call) {
    box.querySelector('h2').textContent = CALL_KIND[call.kind] + '：' + call.title
    const counts = call.signup_counts || {}
    const fields = [
      ['类型', callKindBadge(call.kind)], ['状态', callStatusBadge(call)], ['区域', call.area_name],
      ['开始时间', fmtTime(call.starts_at)], ['地点', call.place],
      ['名额', `${call.signup_count} / ${call.quota}` + (call.status === 'open' ? `（剩余 ${call.remaining}）` : '')],
      ['签到积分', call.points + ' 分 / 人'], ['召集对象', targetText(call)],
      ['已通知', call.kind === 'activity' ? '本区域所有人可报名' : (call.recipient_count || 0) + ' 人'],
      ['签到情况', Object.keys(SIGNUP_STATUS).map(status => `${SIGNUP_STATUS[status]} ${counts[status] || 0}`).join(' · ')],
      ['发布时间', fmtTime(call.created_at)], ['结束时间', call.closed_at ? fmtTime(call.closed_at) : '—'],
      ['内容', call.description],
    ]
    const actions = h('div', { class: 'actions' })
    if ((call.allowed_actions || []).includes('close')) {
      actions.appendChild(confirmButton(CALL_ACTION.close, '确认结束？再点一次', 'btn-danger', async button => {
        try {
          await post(`/calls/${call.id}/close`)
        } catch (err) {
          button.disabled = false
          fail(err)
          return
        }
        toast('已结束，不再接受报名和签到')
        load()
      }))
    }
    appendAll(clear(box.body), [
      h('dl', { class: 'detail-grid', id: 'call-detail' }, fields.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
      actions,
    ])
    drawSignups(call)
  }

  function targetText(call) {
    if (call.kind === 'activity') return '面向本区域所有人'
    const target = call.target
    if (!target) return '本区域全部志愿者'
    const parts = []
    if (target.party_members) parts.push('本区域报到党员')
    for (const teamId of target.team_ids || []) {
      const team = session.teams.find(t => t.id === teamId)
      parts.push(team ? team.name : '服务队 ' + teamId)
    }
    for (const code of target.category_codes || []) {
      const category = session.categories.find(c => c.code === code)
      parts.push(`提供「${category ? category.name : code}」服务的志愿者`)
    }
    for (const gridId of target.grid_ids || []) parts.push(areaName(gridId))
    return parts.join('、')
  }

  function drawSignups(call) {
    const filter = h('select', { name: 'status', id: 'signup-filter', 'aria-label': '报名状态' },
      SIGNUP_FILTERS.map(([value, label]) => h('option', { value }, label)))
    const confirmAll = h('button', { class: 'btn', type: 'button', id: 'confirm-all' }, '确认全部已签到')
    const list = h('div', { id: 'signups' })
    appendAll(clear(signups.body), [h('div', { class: 'toolbar' }, h('label', {}, '显示', filter), confirmAll), list])
    filter.addEventListener('change', () => loadSignups(null))
    confirmAll.addEventListener('click', () => confirmEveryCheckIn(confirmAll))
    const loadSignups = pagedTable(list, {
      id: 'signups-table', head: headRow(['姓名', '联系电话', '党员', '工作单位', '状态', '报名时间', '签到时间', '确认']),
      emptyText: '暂无报名',
      fetchPage: cursor => get(`/calls/${call.id}/signups`, { status: filter.value, limit: 50, cursor }),
      row: signup => signupRow(signup),
    })

    const confirmSignup = signup => post(`/calls/${call.id}/signups/${signup.user_id}/confirm`)

    function signupRow(signup) {
      const cell = h('td', {})
      const mine = signup.user_id === session.me?.id // no one confirms their own check-in (no self-awarded points)
      if (mine && (signup.status === 'checked_in' || signup.status === 'signed_up')) {
        cell.appendChild(h('span', { class: 'muted' }, '需其他工作人员确认'))
      } else if (signup.status === 'checked_in' || signup.status === 'signed_up') {
        const checkedIn = signup.status === 'checked_in'
        const button = h('button', { class: 'btn btn-small' + (checkedIn ? ' btn-primary' : ''), type: 'button',
          title: checkedIn ? null : '志愿者未在手机上签到、但已到场时使用' }, CALL_ACTION.confirm)
        button.addEventListener('click', async () => {
          button.disabled = true
          let done
          try {
            done = await confirmSignup(signup)
          } catch (err) {
            button.disabled = false
            fail(err)
            return
          }
          toast(`已确认 ${done.name || done.nickname} 签到，积分 ${call.points} 分已发放`)
          row.replaceWith(signupRow(done))
        })
        cell.appendChild(button)
      } else if (signup.status === 'confirmed') {
        cell.appendChild(h('span', { class: 'muted' }, fmtTime(signup.confirmed_at)))
      }
      const row = h('tr', { 'data-user-id': signup.user_id, 'data-status': signup.status },
        h('td', {}, signup.name || signup.nickname), h('td', {}, signup.phone || '—'),
        h('td', {}, signup.is_party_member ? badge('党员', 'red') : '—'),
        h('td', {}, signup.work_unit || '—'), h('td', {}, signupBadge(signup.status)),
        h('td', {}, fmtTime(signup.signed_up_at)), h('td', {}, fmtTime(signup.checked_in_at)), cell)
      return row
    }

    /** Confirm every check-in waiting for it, one after another (each one earns points once). */
    async function confirmEveryCheckIn(button) {
      button.disabled = true
      try {
        const waiting = (await getAll(`/calls/${call.id}/signups`, { status: 'checked_in' }, 20))
          .filter(signup => signup.user_id !== session.me?.id)
        if (!waiting.length) {
          toast('没有待确认的签到')
          return
        }
        let done = 0
        try {
          for (const signup of waiting) {
            await confirmSignup(signup)
            done += 1
          }
          toast(`已确认 ${done} 人签到`)
        } catch (err) {
          fail(err)
        }
        load()
      } catch (err) {
        fail(err)
      } finally {
        button.disabled = false
      }
    }

    loadSignups(null)
  }

  load()
}
