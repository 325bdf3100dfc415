// shim.mjs - loaded with `node --import ./shim.mjs` before js-libp2p:
// Node 20 lacks Promise.withResolvers (added in Node 22), which
// js-libp2p 3 and its dependencies call.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
