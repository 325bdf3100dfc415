// gossip.mjs - js-libp2p 3 gossipsub peers (@libp2p/gossipsub 17) for
// ggen's gossip interop test and benchmark.
//
// Run as `node --import ./shim.mjs gossip.mjs MODE ARGS...`.  Nodes listen
// on 127.0.0.1 only and use what DESIGN §5 pins: StrictSign, message ID =
// SHA-256 of the data, topic /ggen/packages/v1; 127.0.0.1 is exempt from
// the IP-colocation penalty (every test node shares it).
//
//   mesh N     N nodes in this process; prints "listening: I MA" per node,
//              then obeys one command per line on stdin:
//                dial I MA            node I dials MA
//                connect I J          node I dials node J
//                publish-file I FILE  node I publishes the bytes of FILE
//                publish-text I TEXT  node I publishes TEXT (any bytes)
//                quit
//              and prints one JSON object per line: deliveries
//              {"ev":"deliver","node":I,"id":HEX}, publications
//              {"ev":"published","node":I,"id":HEX,"rc":"ok"|error}
//   bench N MSGS INTERVAL_MS
//              N nodes, node I dials up to 4 earlier ones; node 0 publishes
//              MSGS messages; p50/p99 of the delivery latency and of the
//              time until the last node has each message
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const TOPIC = '/ggen/packages/v1'

function sha256 (data) {
  return createHash('sha256').update(data).digest()
}

function hex (u8) {
  return Buffer.from(u8).toString('hex')
}

function out (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

async function makeNode () {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        msgIdFn: (msg) => sha256(msg.data),
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        scoreParams: {
          IPColocationFactorWhitelist: new Set(['127.0.0.1'])
        }
      })
    },
    connectionManager: {
      inboundConnectionThreshold: 10000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 10000
    }
  })
  node.services.pubsub.subscribe(TOPIC)
  return node
}

async function makeNodes (n) {
  const nodes = []
  for (let i = 0; i < n; i++) nodes.push(await makeNode())
  return nodes
}

async function publish (nodes, i, data) {
  const id = hex(sha256(data))
  try {
    await nodes[i].services.pubsub.publish(TOPIC, data)
    out({ ev: 'published', node: i, id, rc: 'ok' })
  } catch (err) {
    out({ ev: 'published', node: i, id, rc: String(err.message ?? err) })
  }
}

async function command (nodes, line) {
  const [cmd, a1, ...rest] = line.trim().split(' ')
  const i = Number(a1)
  const arg = rest.join(' ')
  if (cmd === 'quit' || cmd === '') return cmd === 'quit'
  if (!(i >= 0 && i < nodes.length)) {
    out({ ev: 'error', what: `bad node in: ${line}` })
    return false
  }
  try {
    if (cmd === 'dial') await nodes[i].dial(multiaddr(arg), { signal: AbortSignal.timeout(10000) })
    else if (cmd === 'connect') await nodes[i].dial(nodes[Number(arg)].getMultiaddrs()[0], { signal: AbortSignal.timeout(10000) })
    else if (cmd === 'publish-file') await publish(nodes, i, readFileSync(arg))
    else if (cmd === 'publish-text') await publish(nodes, i, Buffer.from(arg))
    else out({ ev: 'error', what: `unknown command: ${cmd}` })
  } catch (err) {
    out({ ev: 'error', what: `${cmd}: ${err.message ?? err}` })
  }
  return false
}

async function modeMesh (n) {
  const nodes = await makeNodes(Number(n))
  nodes.forEach((node, i) => {
    node.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.topic !== TOPIC) return
      out({ ev: 'deliver', node: i, id: hex(sha256(e.detail.data)) })
    })
    console.log(`listening: ${i} ${node.getMultiaddrs()[0]}`)
  })
  const stop = async () => {
    await Promise.all(nodes.map(node => node.stop()))
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  // A lifetime cap, so a test that dies cannot leave us running.
  setTimeout(stop, Number(process.env.PEER_TTL ?? 300) * 1000)
  const rl = createInterface({ input: process.stdin })
  for await (const line of rl) {
    if (await command(nodes, line)) break
  }
  await stop()
}

function pct (xs, p) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(p / 100 * s.length) - 1)]
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

async function modeBench (n, msgs, gap) {
  n = Number(n)
  msgs = Number(msgs)
  const nodes = await makeNodes(n)
  const tPub = new Map()
  const last = new Map()
  const lat = []
  nodes.forEach((node) => {
    node.services.pubsub.addEventListener('message', (e) => {
      const id = hex(sha256(e.detail.data))
      const t = performance.now()
      if (!tPub.has(id)) return
      lat.push(t - tPub.get(id))
      last.set(id, Math.max(last.get(id) ?? 0, t))
    })
  })
  for (let i = 1; i < n; i++) {
    const targets = new Set([i - 1])
    while (targets.size < Math.min(4, i)) targets.add(Math.floor(Math.random() * i))
    await Promise.all([...targets].map(j => nodes[i].dial(nodes[j].getMultiaddrs()[0], { signal: AbortSignal.timeout(10000) })))
  }
  await sleep(4000) // a few heartbeats: meshes form
  for (let k = 0; k < msgs; k++) {
    const data = Buffer.from(`bench message ${k} ${Math.random()}`)
    tPub.set(hex(sha256(data)), performance.now())
    await nodes[0].services.pubsub.publish(TOPIC, data)
    await sleep(Number(gap))
  }
  await sleep(3000)
  const all = [...tPub.keys()].map(id => (last.get(id) ?? Infinity) - tPub.get(id))
  console.log(`nodes ${n} messages ${msgs} delivered ${lat.length} of ${msgs * (n - 1)}`)
  console.log(`delivery latency ms: p50 ${pct(lat, 50).toFixed(2)} p99 ${pct(lat, 99).toFixed(2)} (n=${lat.length})`)
  console.log(`time to reach all ${n - 1} ms: p50 ${pct(all, 50).toFixed(2)} p99 ${pct(all, 99).toFixed(2)}`)
  await Promise.all(nodes.map(node => node.stop()))
}

const [mode, ...args] = process.argv.slice(2)
const modes = { mesh: modeMesh, bench: modeBench }
if (!modes[mode]) {
  console.log(`FAIL: unknown mode ${mode}`)
  process.exit(1)
}
try {
  await modes[mode](...args)
  process.exit(0)
} catch (err) {
  console.log(`FAIL: ${mode}: ${err.stack ?? err}`)
  process.exit(1)
}
