export { UnsupportedPlatformError } from '../../quad-model/index.js'
