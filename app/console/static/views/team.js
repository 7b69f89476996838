// One team: its details and members; add a resident found by name, remove a member.
import { api, get, post } from '../api.js'
import { appendAll, clear, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { TEAM_ROLE } from '../labels.js'
import { areaName } from '../session.js'
import { categoryNames } from './teams.js'

export default function viewTeam(content, id) {
  const box = panel('服务队', h('a', { href: '#/teams', class: 'btn' }, '返回列表'))
  content.appendChild(box)
  loading(box.body)

  async function load() {
    try {
      draw(await get('/teams/' + encodeURIComponent(id)))
    } catch (err) {
      empty(box.body, err.message)
    }
  }

  function draw(team) {
    box.querySelector('h2').textContent = team.name
    const members = team.members || []
    const search = h('input', { type: 'text', placeholder: '姓名或昵称', maxlength: 32, 'aria-label': '搜索居民' })
    const results = h('div', { class: 'toolbar' })
    const find = h('button', { class: 'btn', type: 'button' }, '查找')
    find.addEventListener('click', async () => {
      let page
      try {
        page = await get('/users', { q: search.value.trim(), limit: 10 })
      } catch (err) {
        fail(err)
        return
      }
      clear(results)
      if (!page.items.length) {
        results.appendChild(h('span', { class: 'muted' }, '没有找到'))
        return
      }
      for (const user of page.items) {
        const add = async () => {
          try {
            await post(`/teams/${team.id}/members`, { user_id: user.id })
          } catch (err) {
            fail(err)
            return
          }
          toast('已添加成员')
          load()
        }
        results.appendChild(h('button', { class: 'btn btn-small', type: 'button', onclick: add },
          '添加 ' + (user.real_name || user.nickname) + (user.phone ? `（${user.phone}）` : '')))
      }
    })
    appendAll(clear(box.body), [
      h('dl', { class: 'detail-grid' }, h('dt', {}, '所在区域'), h('dd', {}, areaName(team.area_id)),
        h('dt', {}, '邀请码'), h('dd', {}, team.invite_code || '—'),
        h('dt', {}, '服务类别'), h('dd', {}, categoryNames(team)),
        h('dt', {}, '简介'), h('dd', {}, team.description || '—')),
      h('h3', {}, `成员（${members.length} 人）`),
      members.length
        ? h('table', { class: 'grid', id: 'members-table' }, headRow(['成员', '角色', '加入时间', '']),
          h('tbody', {}, members.map(member => memberRow(team, member))))
        : h('p', { class: 'empty' }, '还没有成员'),
      h('h3', {}, '添加成员'), h('div', { class: 'inline-form' }, search, find), results,
    ])
  }

  function memberRow(team, member) {
    const leader = member.role === 'leader'
    const remove = h('button', { class: 'btn btn-danger btn-small', type: 'button' }, '移出')
    remove.addEventListener('click', async () => {
      remove.disabled = true
      try {
        await api('DELETE', `/teams/${team.id}/members/${member.user_id}`)
      } catch (err) {
        remove.disabled = false
        fail(err)
        return
      }
      toast('已移出')
      load()
    })
    return h('tr', {}, h('td', {}, member.nickname), h('td', {}, TEAM_ROLE[member.role] || TEAM_ROLE.member),
      h('td', {}, fmtTime(member.joined_at)), h('td', {}, leader ? null : remove))
  }

  load()
}
