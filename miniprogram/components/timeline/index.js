// An order's events, newest first. Expects events passed through format.decorateEvent.
Component({
  options: { styleIsolation: 'apply-shared' },
  properties: {
    events: { type: Array, value: [] },
  },
})
