/** Embedded adapters that keep their data in a local directory. */
export { LocalDirectoryObjectStore } from './local-directory-object-store.js'
