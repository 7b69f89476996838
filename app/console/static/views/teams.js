// 服务队: the teams of my areas, and a form for a new one.
import { post } from '../api.js'
import { clear, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { areaName, areaOptions, loadTeams, session } from '../session.js'

export const categoryNames = team => (team.categories || []).map(category => category.name).join('、') || '全部类别'

export default async function viewTeams(content) {
  const box = panel('志愿服务队')
  content.appendChild(box)
  loading(box.body)
  try {
    await loadTeams()
  } catch (err) {
    empty(box.body, err.message)
    return
  }
  if (!session.teams.length) {
    empty(box.body, '本区域还没有服务队')
  } else {
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'teams-table' },
      headRow(['服务队', '所在区域', '服务类别', '成员', '']),
      h('tbody', {}, session.teams.map(team => h('tr', {},
        h('td', {}, h('a', { href: '#/teams/' + team.id }, team.name)),
        h('td', {}, areaName(team.area_id)),
        h('td', {}, categoryNames(team)),
        h('td', { class: 'num' }, team.member_count + ' 人'),
        h('td', {}, h('a', { href: '#/teams/' + team.id }, '查看成员')))))))
  }
  content.appendChild(createTeamPanel())
}

function createTeamPanel() {
  const box = panel('新建服务队')
  const form = h('form', { class: 'toolbar' },
    h('label', {}, '名称', h('input', { name: 'name', maxlength: 64, required: true, placeholder: '如：XX社区党员志愿服务队' })),
    h('label', {}, '所在区域', h('select', { name: 'area_id' }, areaOptions(false).map(a => h('option', { value: a.id }, a.label)))),
    h('div', { class: 'toolbar' }, '服务类别：', session.categories.map(c =>
      h('label', {}, h('input', { type: 'checkbox', name: 'category', value: c.code }), c.name))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '创建'))
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const codes = [...form.querySelectorAll('input[name=category]:checked')].map(c => c.value)
    try {
      const team = await post('/teams', {
        name: form.elements.name.value.trim(), area_id: Number(form.elements.area_id.value), category_codes: codes,
      })
      toast('已创建服务队：' + team.name)
      location.hash = '#/teams/' + team.id
    } catch (err) {
      fail(err)
    }
  })
  box.body.appendChild(form)
  return box
}
