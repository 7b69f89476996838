// A paged list: first load, pull-to-refresh, load more by next_cursor, and its states.
// The page provides fetchPage(cursor) → Promise<{ items, next_cursor }> and may
// provide decorate(item).

// Pages that come back empty but still have a cursor are followed this many times.
const MAX_EMPTY_HOPS = 3
// A list that ends above the bottom of the screen cannot be pulled up: it loads more by itself, this many times.
const MAX_FILL_LOADS = 5

module.exports = Behavior({
  data: {
    items: [],
    nextCursor: null,
    listState: 'loading', // loading | ready | empty | error
    listError: '',
    loadingMore: false,
    moreError: false,
    finished: false,
  },
  methods: {
    /** (Re)load from the first page. Resolves when shown. */
    loadFirst(options) {
      const seq = (this._listSeq = (this._listSeq || 0) + 1)
      const quiet = options && options.quiet
      if (!quiet) this.setData({ listState: 'loading', listError: '', moreError: false })
      return this._fetch(null, 0).then(
        page => {
          if (seq !== this._listSeq) return
          const items = this._decorateAll(page.items, {})
          this.setData({
            items,
            nextCursor: page.next_cursor || null,
            finished: !page.next_cursor,
            listState: items.length ? 'ready' : 'empty',
            listError: '',
            moreError: false,
          })
          this._fillLoads = 0
          return this._fillScreen()
        },
        err => {
          if (seq !== this._listSeq) return
          if (quiet && this.data.items.length) return
          this.setData({ listState: 'error', listError: (err && err.message) || '加载失败，请稍后再试' })
        },
      )
    },

    loadMore() {
      if (this.data.finished || this.data.loadingMore || !this.data.nextCursor) return Promise.resolve()
      if (this.data.listState !== 'ready') return Promise.resolve()
      const seq = this._listSeq
      this.setData({ loadingMore: true, moreError: false })
      return this._fetch(this.data.nextCursor, 0).then(
        page => {
          if (seq !== this._listSeq) return
          const seen = {}
          this.data.items.forEach(item => {
            if (item && item.id !== undefined) seen[item.id] = true
          })
          const more = this._decorateAll(page.items, seen)
          const items = this.data.items.concat(more)
          this.setData({
            items,
            nextCursor: page.next_cursor || null,
            finished: !page.next_cursor,
            loadingMore: false,
            listState: items.length ? 'ready' : 'empty',
          })
          return this._fillScreen()
        },
        () => {
          if (seq !== this._listSeq) return
          this.setData({ loadingMore: false, moreError: true })
        },
      )
    },

    retryList() {
      return this.loadFirst()
    },

    retryMore() {
      return this.loadMore()
    },

    onPullDownRefresh() {
      const stop = () => wx.stopPullDownRefresh()
      return Promise.resolve(this.refreshPage ? this.refreshPage() : this.loadFirst({ quiet: true })).then(stop, stop)
    },

    onReachBottom() {
      return this.loadMore()
    },

    /** Replace one item in place, e.g. after an action returned the updated object. */
    replaceItem(updated) {
      const index = this.data.items.findIndex(item => item.id === updated.id)
      if (index < 0) return
      const decorated = this.decorate ? this.decorate(updated) : updated
      this.setData({ ['items[' + index + ']']: decorated })
    },

    removeItem(id) {
      const items = this.data.items.filter(item => item.id !== id)
      if (!items.length && !this.data.finished) {
        // The last shown item went away but more exist: fetch them rather than show a blank list.
        this.setData({ items })
        return this.loadFirst({ quiet: true })
      }
      this.setData({ items, listState: items.length ? 'ready' : 'empty' })
      return Promise.resolve()
    },

    /**
     * When the list ends on screen there is nothing to pull up: load the next page now. The list's end is
     * its <load-more class="list-end"> footer (the page itself is at least a screen tall).
     */
    _fillScreen() {
      if (this.data.finished || !this.data.nextCursor || (this._fillLoads || 0) >= MAX_FILL_LOADS) return Promise.resolve()
      if (typeof this.createSelectorQuery !== 'function' || typeof wx.getWindowInfo !== 'function') return Promise.resolve()
      return new Promise(resolve => {
        this.createSelectorQuery()
          .select('.list-end')
          .boundingClientRect(rect => resolve(rect))
          .exec()
      }).then(rect => {
        const windowHeight = wx.getWindowInfo().windowHeight
        if (!rect || !windowHeight || rect.top >= windowHeight) return undefined
        this._fillLoads = (this._fillLoads || 0) + 1
        return this.loadMore()
      })
    },

    _decorateAll(items, seen) {
      return (items || [])
        .filter(item => !(item && item.id !== undefined && seen[item.id]))
        .map(item => (this.decorate ? this.decorate(item) : item))
    },

    _fetch(cursor, hops) {
      return Promise.resolve(this.fetchPage(cursor)).then(page => {
        const result = page || { items: [], next_cursor: null }
        if (!(result.items || []).length && result.next_cursor && hops < MAX_EMPTY_HOPS) {
          return this._fetch(result.next_cursor, hops + 1)
        }
        return result
      })
    },
  },
})
