// 所在社区: the user's own communities first (one tap), and a search by name for any other
// (GET /areas?kind=community&q=) instead of paging through every community of the county.
const areasService = require('../../services/areas')
const log = require('../../utils/log')

const SEARCH_DELAY_MS = 300

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    value: { type: Number, value: 0 }, // the chosen area id (0: none)
    valueName: { type: String, value: '' },
    mine: { type: Array, value: [] }, // [{ id, name }]: the user's own communities, shown first
    error: { type: String, value: '' },
  },
  data: {
    query: '',
    results: [],
    searching: false,
    message: '',
    inMine: false,
  },
  observers: {
    'value, mine': function (value, mine) {
      this.setData({ inMine: (mine || []).some(area => area.id === value) })
    },
  },
  lifetimes: {
    detached() {
      clearTimeout(this._timer)
    },
  },
  methods: {
    onQuery(e) {
      const query = e.detail.value
      this.setData({ query })
      clearTimeout(this._timer)
      this._timer = setTimeout(() => this.search(query), SEARCH_DELAY_MS)
    },

    onSearch(e) {
      clearTimeout(this._timer)
      return this.search((e && e.detail && e.detail.value) || this.data.query)
    },

    /** Communities whose name holds `query`; the newest answer wins. */
    search(query) {
      const q = String(query || '').trim()
      if (!q) {
        this.setData({ results: [], message: '', searching: false })
        return Promise.resolve([])
      }
      const ticket = (this._ticket = (this._ticket || 0) + 1)
      this.setData({ searching: true, message: '' })
      return areasService.searchCommunities(q).then(
        items => {
          if (ticket !== this._ticket) return items
          this.setData({
            searching: false,
            results: items,
            message: items.length ? '' : '没有找到名称里有「' + q + '」的社区，换几个字试试',
          })
          return items
        },
        err => {
          log.warn('community search', err)
          if (ticket === this._ticket) {
            this.setData({ searching: false, results: [], message: '查找失败，请检查网络后再试' })
          }
          return []
        },
      )
    },

    onPick(e) {
      const id = Number(e.currentTarget.dataset.id)
      const name = e.currentTarget.dataset.name
      this.setData({ query: '', results: [], message: '' })
      this.triggerEvent('change', { id, name })
    },
  },
})
