// A photo stored as an attachment: downloaded with the token, then shown.
const attachments = require('../../services/attachments')

Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    photo: { type: null, value: null }, // an id, or { id, url }
    size: { type: String, value: '200rpx' },
  },
  data: { src: '', failed: false },
  observers: {
    photo(photo) {
      this.load(photo)
    },
  },
  methods: {
    load(photo) {
      const id = attachments.photoId(photo)
      if (!id) return Promise.resolve()
      return attachments.photoPath(id).then(
        src => this.setData({ src, failed: false }),
        () => this.setData({ failed: true }),
      )
    },
    onTap() {
      if (this.data.src) wx.previewImage({ urls: [this.data.src] })
      else if (this.data.failed) this.load(this.data.photo)
    },
  },
})
