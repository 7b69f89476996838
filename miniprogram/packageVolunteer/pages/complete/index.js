// 完成服务: the assignee reports the result, with photos if any.
const careBehavior = require('../../../behaviors/care')
const orderForm = require('../../../behaviors/order-form')
const ordersService = require('../../../services/orders')
const { toast } = require('../../../utils/request')
const { validateCompletion, firstError } = require('../../../utils/validate')

const QUICK_RESULTS = ['已按约定完成服务，居民表示满意', '已陪同就医，安全送回家', '已上门维修，设备恢复正常']

Component({
  behaviors: [careBehavior, orderForm],
  data: {
    backTo: 'workbench',
    result: '',
    photoIds: [],
    quickResults: QUICK_RESULTS,
    errors: {},
  },
  methods: {
    load() {
      return this.loadFor('complete')
    },

    onInput(e) {
      this.setData({ result: e.detail.value, 'errors.result': '' })
    },

    onQuick(e) {
      this.setData({ result: e.currentTarget.dataset.text, 'errors.result': '' })
    },

    onPhotos(e) {
      this.setData({ photoIds: e.detail.ids })
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve()
      const errors = validateCompletion({ result: this.data.result })
      if (Object.keys(errors).length) {
        this.setData({ errors })
        toast(firstError(errors))
        return Promise.resolve(null)
      }
      const picker = this.selectComponent('#photos')
      if (picker && picker.isUploading && picker.isUploading()) {
        toast('照片还在上传，请稍等')
        return Promise.resolve(null)
      }
      const { id, result, photoIds } = this.data
      return this.submitAction(() => ordersService.completeOrder(id, result.trim(), photoIds), '辛苦了，已完成')
    },
  },
})
