// Drawing with DOM calls only (never innerHTML of data), and the small pieces every view shares.

export const byId = id => document.getElementById(id)

function setAttrs(el, attrs = {}) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else if (key === 'text') el.textContent = value
    else if (key === 'value') el.value = value
    else el.setAttribute(key, value === true ? '' : value)
  }
}

/** Append children: nodes, text, arrays of them; null, undefined and false are skipped. */
export function appendAll(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) appendAll(el, child)
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/** An HTML element: h('td', { class: 'num' }, '3', h('small', {}, '件')). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  setAttrs(el, attrs)
  return appendAll(el, children)
}

/** An SVG element, like h(). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  setAttrs(el, attrs)
  return appendAll(el, children)
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild)
  return el
}

/** A titled panel; draw into its `.body`. */
export function panel(title, tools) {
  const body = h('div', { class: 'panel-body' })
  const el = h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, h('h2', {}, title), tools || null), body)
  el.body = body
  return el
}

export const loading = el => clear(el).appendChild(h('p', { class: 'loading' }, '正在加载…'))

export const empty = (el, text) => clear(el).appendChild(h('p', { class: 'empty' }, text))

export const badge = (text, tone = '') => h('span', { class: 'badge ' + tone }, text)

export const stars = n => h('span', { class: 'stars', title: n + ' 星' }, '★★★★★'.slice(0, n) + '☆☆☆☆☆'.slice(0, 5 - n))

/** A table head; the last `numeric` columns hold numbers and are right-aligned like their cells. */
export function headRow(titles, numeric = 0) {
  const first = titles.length - numeric
  return h('thead', {}, h('tr', {}, titles.map((title, i) => h('th', { class: i >= first ? 'num' : null }, title))))
}

/** A "加载更多" button under a keyset-paginated table; `more(cursor)` loads the next page. */
export function pager(box, cursor, more) {
  box.querySelector('.more')?.remove()
  if (cursor) {
    box.appendChild(h('p', { class: 'more' }, h('button', { class: 'btn', type: 'button', onclick: () => more(cursor) }, '加载更多')))
  }
}

/**
 * A keyset-paginated table drawn into `box`; returns `load(cursor)`: load(null) draws the first page (or
 * `emptyText`, or the error), and a "加载更多" button under it appends the next one.
 */
export function pagedTable(box, { id, head, emptyText, fetchPage, row }) {
  let tbody = null
  async function load(cursor) {
    if (!cursor) loading(box)
    let page
    try {
      page = await fetchPage(cursor)
    } catch (err) {
      empty(box, err.message)
      return
    }
    if (!cursor) {
      if (!page.items.length) {
        empty(box, emptyText)
        return
      }
      tbody = h('tbody')
      clear(box).appendChild(h('table', { class: 'grid', id }, head, tbody))
    }
    for (const item of page.items) tbody.appendChild(row(item))
    pager(box, page.next_cursor, load)
  }
  return load
}

/** A button that asks for a second click before it acts (no blocking dialogs). */
export function confirmButton(label, question, cls, act) {
  const button = h('button', { class: 'btn ' + (cls || ''), type: 'button' }, label)
  let armed = false
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true
      button.textContent = question
      setTimeout(() => {
        armed = false
        button.textContent = label
      }, 4000)
      return
    }
    button.disabled = true
    act(button)
  })
  return button
}

export function toast(message, error) {
  const el = h('div', { class: 'toast' + (error ? ' error' : ''), role: error ? 'alert' : 'status' }, message)
  byId('toasts').appendChild(el)
  setTimeout(() => el.remove(), error ? 6000 : 3000)
}

export const fail = err => toast(err?.message || '操作失败，请稍后再试', true)
