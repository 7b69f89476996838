// Who is signed in, and what every view draws from: their areas (and the subtrees under them), the teams
// of those areas and the service categories. Loaded once per login.
import { dropToken, get, getAll } from './api.js'

const STAFF_ROLES = ['staff', 'admin']

export const session = { me: null, roots: [], areas: {}, teams: [], categories: [] }

export class NotStaff extends Error {}

export async function loadSession() {
  const me = await get('/me')
  const roots = me.roles.filter(grant => STAFF_ROLES.includes(grant.role))
  if (!roots.length) {
    dropToken()
    throw new NotStaff('该账号不是社区工作人员或管理员，不能使用工作台')
  }
  const seen = new Set()
  session.roots = roots
    .filter(grant => !seen.has(grant.area_id) && seen.add(grant.area_id))
    .map(grant => ({ id: grant.area_id, name: grant.area_name, role: grant.role, parent_id: null, kind: '' }))
  session.areas = Object.fromEntries(session.roots.map(root => [root.id, root]))
  const [, , categories] = await Promise.all([loadAreas(session.roots), loadTeams(), get('/categories')])
  session.categories = categories.items
  // Signed in only now: no view is drawn from half-loaded areas, then drawn again (a form filled meanwhile
  // would come back empty).
  session.me = me
}

export function forget() {
  session.me = null
}

/** The subtrees of my areas, level by level (each level's requests in parallel). */
async function loadAreas(level) {
  while (level.length) {
    const lists = await Promise.all(level.map(area => getAll('/areas', { parent_id: area.id })))
    const next = []
    for (const child of lists.flat()) {
      if (!session.areas[child.id]) {
        session.areas[child.id] = child
        next.push(child)
      }
    }
    level = next
  }
}

export async function loadTeams() {
  const lists = await Promise.all(session.roots.map(root => getAll('/teams', { area_id: root.id })))
  const byId = new Map()
  for (const team of lists.flat()) byId.set(team.id, team)
  session.teams = [...byId.values()].sort((a, b) => a.id - b.id)
}

/** The area's id and those of the areas above it, nearest first. */
export function lineage(areaId) {
  const ids = []
  let area = session.areas[areaId]
  for (let guard = 0; area && guard < 10; guard++) {
    ids.push(area.id)
    area = session.areas[area.parent_id]
  }
  if (!ids.length) ids.push(areaId)
  return ids
}

export const areaName = id => session.areas[id]?.name ?? '区域 ' + id

/** Areas for pickers: my roots and everything under them (grids too if asked), indented. */
export function areaOptions(includeGrids) {
  const options = []
  const areas = Object.values(session.areas)
  const walk = (area, depth) => {
    options.push({ id: area.id, label: '\u3000'.repeat(depth) + area.name })
    areas
      .filter(child => child.parent_id === area.id && (includeGrids || child.kind !== 'grid'))
      .sort((a, b) => a.id - b.id)
      .forEach(child => walk(child, depth + 1))
  }
  session.roots.forEach(root => walk(root, 0))
  return options
}
