import { MemoryBackend } from '../../store/index.js'
import { describeBackendCompliance } from './backend-compliance.js'

describeBackendCompliance('memory', {
  open: async () => new MemoryBackend()
})
