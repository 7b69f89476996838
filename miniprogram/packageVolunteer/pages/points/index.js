// 志愿积分: my balance, how I earned it, and the leaderboard of my community.
const careBehavior = require('../../../behaviors/care')
const pointsService = require('../../../services/points')
const meService = require('../../../services/me')
const { LEADERBOARD_PERIODS } = require('../../../utils/constants')
const { formatTime } = require('../../../utils/format')

Component({
  behaviors: [careBehavior],
  data: {
    tab: 'mine', // mine | board
    state: 'loading',
    error: '',
    balance: 0,
    entries: [],
    entriesCursor: null,
    loadingMore: false,
    moreError: false,
    periods: LEADERBOARD_PERIODS,
    period: 'month',
    boardState: 'loading',
    boardError: '',
    board: [],
    myId: null,
  },
  methods: {
    onLoad(query) {
      if (query && query.tab === 'board') this.setData({ tab: 'board' })
      return this.data.tab === 'board' ? this.loadBoard() : this.loadMine()
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      const work = this.data.tab === 'board' ? this.loadBoard() : this.loadMine()
      return work.then(stop, stop)
    },

    onReachBottom() {
      if (this.data.tab !== 'mine' || !this.data.entriesCursor || this.data.loadingMore) return Promise.resolve()
      this.setData({ loadingMore: true, moreError: false })
      return pointsService.myPoints({ cursor: this.data.entriesCursor, limit: 20 }, { showError: false }).then(
        res => this.setData({
          entries: this.data.entries.concat(this.decorateEntries(res.entries || res.items)),
          entriesCursor: res.next_cursor || null,
          loadingMore: false,
        }),
        () => this.setData({ loadingMore: false, moreError: true }),
      )
    },

    loadMine() {
      this.setData({ state: 'loading' })
      return pointsService.myPoints({ limit: 20 }, { showError: false }).then(
        res => {
          const entries = this.decorateEntries(res.entries || res.items)
          this.setData({
            balance: res.balance || 0,
            entries,
            entriesCursor: res.next_cursor || null,
            state: 'ready',
          })
        },
        err => this.setData({ state: 'error', error: (err && err.message) || '加载失败' }),
      )
    },

    decorateEntries(entries) {
      return (entries || []).map(entry => {
        const points = entry.amount !== undefined ? entry.amount : entry.points || 0
        return Object.assign({}, entry, {
          pointsText: (points > 0 ? '+' : '') + points,
          positive: points >= 0,
          reasonText: entry.reason_label || entry.reason || '积分变动',
          noteText: entry.note || '',
          timeText: formatTime(entry.created_at),
        })
      })
    },

    loadBoard() {
      this.setData({ boardState: 'loading' })
      return meService
        .currentUser()
        .catch(() => null)
        .then(user => {
          this.setData({ myId: user && user.id })
          return pointsService.leaderboard(
            { area_id: user && user.home_area_id, period: this.data.period },
            { showError: false },
          )
        })
        .then(
          res => {
            const board = (res.items || []).map((item, index) => Object.assign({}, item, {
              rank: item.rank || index + 1,
              name: item.nickname || item.real_name || '志愿者',
              isMe: item.user_id === this.data.myId,
            }))
            this.setData({ board, boardState: board.length ? 'ready' : 'empty' })
          },
          err => this.setData({ boardState: 'error', boardError: (err && err.message) || '加载失败' }),
        )
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.tab
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab })
      if (tab === 'board' && this.data.boardState !== 'ready') return this.loadBoard()
      if (tab === 'mine' && this.data.state !== 'ready') return this.loadMine()
      return Promise.resolve()
    },

    onPeriod(e) {
      this.setData({ period: e.currentTarget.dataset.key })
      return this.loadBoard()
    },

    retry() {
      return this.loadMine()
    },

    retryBoard() {
      return this.loadBoard()
    },
  },
})
