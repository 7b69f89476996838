// 消息中心: updates about my orders and activities; unread ones are marked.
const careBehavior = require('../../../behaviors/care')
const listBehavior = require('../../../behaviors/list')
const messages = require('../../../services/messages')
const { relativeTime } = require('../../../utils/format')
const nav = require('../../../utils/nav')

Component({
  behaviors: [careBehavior, listBehavior],
  data: {
    unread: 0,
  },
  methods: {
    onLoad() {
      return this.loadFirst()
    },

    // Coming back to the tab: new messages may have arrived (the first show follows onLoad).
    onShow() {
      if (this._shown) this.loadFirst({ quiet: true })
      this._shown = true
    },

    fetchPage(cursor) {
      return messages.listMessages({ limit: 20, cursor }, { showError: false }).then(page => {
        if (!cursor) {
          const unread = messages.unreadOf(page)
          this.setData({ unread })
          messages.setBadge(unread)
        }
        return page
      })
    },

    decorate(message) {
      return Object.assign({}, message, {
        unread: messages.isUnread(message),
        timeText: relativeTime(message.created_at),
        text: message.body || message.content || message.text || '',
      })
    },

    onOpen(e) {
      const index = e.currentTarget.dataset.index
      const message = this.data.items[index]
      if (!message) return Promise.resolve()
      let marking = Promise.resolve()
      if (message.unread) {
        const unread = Math.max(0, this.data.unread - 1)
        this.setData({ ['items[' + index + '].unread']: false, unread })
        messages.setBadge(unread)
        marking = messages.markRead(message.id).catch(() => null)
      }
      const target = nav.pageFromMessage(message)
      if (target) wx.navigateTo({ url: target })
      return marking
    },

    onReadAll() {
      return messages.markAllRead().then(
        () => {
          const items = this.data.items.map(item => Object.assign({}, item, { unread: false }))
          this.setData({ items, unread: 0 })
          messages.setBadge(0)
        },
        () => null,
      )
    },
  },
})
