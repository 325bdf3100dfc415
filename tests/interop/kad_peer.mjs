// kad_peer.mjs - js-libp2p kad-dht peers for ggen's DHT interop test
// (kad.sh) and benchmark (bench/kad_lookup.sh).
//
// `node --import ./shim.mjs kad_peer.mjs N [BOOT_MA...]` starts N js nodes
// in this process on 127.0.0.1, each a kad-dht server on /ggen/kad/1.0.0
// with a `ggen` validator and selector that judge package records as
// ggen does (signed envelope, payload type, JSON schema, size, key), and
// dials the BOOT addresses from each.  It prints "node I ID MA" per node
// and "ready" once every node has a peer in its routing table, then reads
// commands on stdin, one per line, answering on stdout:
//   find-peer I PEER_ID        -> "found PEER_ID" / "notfound PEER_ID"
//   put I KEY FILE             -> "put ok KEY" / "put fail KEY ERR"
//   get I KEY                  -> "get ok KEY SHA256HEX" / "get fail KEY"
//   provide I HEX              -> "provide ok HEX" (key: CID of sha256 HEX)
//   providers I HEX            -> "provider HEX PEER_ID"..., "providers done HEX"
//   rawput I MA KEY FILE       -> PUT_VALUE sent as is (no local checks):
//                                 "rawput echo KEY" / "rawput refused KEY"
//   lookups COUNT              -> COUNT FIND_NODE lookups between random
//                                 nodes: "lookups n N p50 MS p99 MS"
// BOOT "self" makes nodes 1..N-1 dial node 0 (a js-only network).
//   quit
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { RecordEnvelope } from '@libp2p/peer-record'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const PROTO = '/ggen/kad/1.0.0'
const DOMAIN = 'ggen-package-record'
const PTYPE = '/ggen/package-record/1'
const PREFIX = '/ggen/pkg/'
const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/
const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/
const HEX_RE = /^[0-9a-f]{64}$/
const dec = new TextDecoder()
const enc = new TextEncoder()

function isCount (v) { return Number.isSafeInteger(v) && v >= 0 }

// The ggen package-record rules (DESIGN.md §5), as src/p2p/kad_validate.c.
async function openRecord (key, value) {
  if (value.byteLength > 8192) throw new Error('record over 8 KiB')
  const k = dec.decode(key)
  if (!k.startsWith(PREFIX)) throw new Error('not a /ggen/pkg/ key')
  const env = await RecordEnvelope.openAndCertify(value, DOMAIN)
  if (dec.decode(env.payloadType) !== PTYPE) throw new Error('payload type')
  const rec = JSON.parse(dec.decode(env.payload))
  if (typeof rec !== 'object' || rec === null) throw new Error('not an object')
  if (typeof rec.name !== 'string' || !NAME_RE.test(rec.name) ||
      k !== PREFIX + rec.name) throw new Error('name')
  if (typeof rec.version !== 'string' || !SEMVER_RE.test(rec.version)) throw new Error('version')
  if (typeof rec.id !== 'string' || !HEX_RE.test(rec.id)) throw new Error('id')
  for (const f of ['size', 'published_at', 'seq']) if (!isCount(rec[f])) throw new Error(f)
  for (const f of ['description', 'category', 'author', 'license']) {
    if (rec[f] !== undefined && typeof rec[f] !== 'string') throw new Error(f)
  }
  for (const f of ['tags', 'keywords', 'dependencies']) {
    if (rec[f] !== undefined && (!Array.isArray(rec[f]) ||
        rec[f].some(x => typeof x !== 'string'))) throw new Error(f)
  }
  if (rec.versions !== undefined && !Array.isArray(rec.versions)) throw new Error('versions')
  return { signer: env.publicKey.toString(), seq: rec.seq }
}

const validators = { ggen: async (key, value) => { await openRecord(key, value) } }
const selectors = {
  ggen: async (key, records) => {
    const held = await openRecord(key, records[0])
    let best = 0
    let bestSeq = held.seq
    for (let i = 1; i < records.length; i++) {
      try {
        const r = await openRecord(key, records[i])
        if (r.signer === held.signer && r.seq > bestSeq) { best = i; bestSeq = r.seq }
      } catch { }
    }
    return best
  }
}

async function makeNode () {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: PROTO,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        validators,
        selectors
      })
    },
    connectionManager: {
      inboundConnectionThreshold: 10000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 10000
    }
  })
}

function cidOfHex (hex) {
  return CID.createV1(0x55, Digest.create(0x12, Buffer.from(hex, 'hex')))
}

function sha256hex (b) { return createHash('sha256').update(b).digest('hex') }

function uvarint (n) {
  const out = []
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7 }
  out.push(n)
  return Uint8Array.from(out)
}

function field (num, bytes) {
  return Buffer.concat([uvarint((num << 3) | 2), uvarint(bytes.length), bytes])
}

// PUT_VALUE (type 0: no field 1), key = 2, record = 3 {key = 1, value = 2}
async function rawPut (node, ma, key, value) {
  const k = enc.encode(key)
  const msg = Buffer.concat([field(2, k), field(3, Buffer.concat([field(1, k), field(2, value)]))])
  const stream = await node.dialProtocol(multiaddr(ma), PROTO, { signal: AbortSignal.timeout(10000) })
  stream.send(Buffer.concat([uvarint(msg.length), msg]))
  let got = 0
  try {
    for await (const chunk of stream) {
      got += chunk.byteLength
      if (got > msg.length) break
    }
  } catch { }
  try { await stream.close() } catch { }
  return got > 0 ? 'echo' : 'refused'
}

async function timed (p, ms) {
  return Promise.race([p, new Promise((resolve, reject) =>
    setTimeout(() => reject(new Error('timeout')), ms))])
}

// COUNT FIND_NODE lookups (getClosestPeers: the whole iterative lookup),
// each from a random node for another random node's peer ID, one at a
// time: latency percentiles.
async function lookups (nodes, count) {
  const ms = []
  for (let i = 0; i < count; i++) {
    const from = nodes[Math.floor(Math.random() * nodes.length)]
    let to = from
    while (to === from) to = nodes[Math.floor(Math.random() * nodes.length)]
    const t0 = process.hrtime.bigint()
    try {
      // a whole iterative lookup, as kad_find_node does on our side
      for await (const ev of from.services.dht.getClosestPeers(to.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(30000) })) {
        void ev
      }
    } catch { }
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  ms.sort((a, b) => a - b)
  const at = q => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))].toFixed(2)
  return `lookups n ${ms.length} p50 ${at(0.5)} p99 ${at(0.99)}`
}

async function command (nodes, line) {
  const [cmd, i, a, b, c] = line.trim().split(/\s+/)
  const node = nodes[Number(i)]
  switch (cmd) {
    case 'find-peer':
      try {
        const info = await timed(node.peerRouting.findPeer(peerIdFromString(a)), 30000)
        return `found ${info.id}`
      } catch (e) { return `notfound ${a} ${e.message}` }
    case 'put':
      try {
        await timed(node.contentRouting.put(enc.encode(a), readFileSync(b)), 30000)
        return `put ok ${a}`
      } catch (e) { return `put fail ${a} ${e.message}` }
    case 'get':
      try {
        const v = await timed(node.contentRouting.get(enc.encode(a)), 30000)
        return `get ok ${a} ${sha256hex(v)}`
      } catch (e) { return `get fail ${a} ${e.message}` }
    case 'provide':
      try {
        await timed(node.contentRouting.provide(cidOfHex(a)), 30000)
        return `provide ok ${a}`
      } catch (e) { return `provide fail ${a} ${e.message}` }
    case 'providers': {
      const out = []
      try {
        for await (const p of node.contentRouting.findProviders(cidOfHex(a), { signal: AbortSignal.timeout(30000) })) {
          out.push(`provider ${a} ${p.id}`)
        }
      } catch { }
      out.push(`providers done ${a}`)
      return out.join('\n')
    }
    case 'rawput':
      try { return `rawput ${await rawPut(node, a, b, readFileSync(c))} ${b}` } catch (e) { return `rawput refused ${b} ${e.message}` }
    case 'lookups':
      return lookups(nodes, Number(i))
    case 'quit':
      for (const n of nodes) await n.stop()
      process.exit(0)
  }
  return `unknown ${cmd}`
}

async function main () {
  const n = Number(process.argv[2])
  const boot = process.argv.slice(3)
  const nodes = []
  for (let i = 0; i < n; i++) nodes.push(await makeNode())
  for (const [i, node] of nodes.entries()) {
    console.log(`node ${i} ${node.peerId} ${node.getMultiaddrs()[0]}`)
  }
  const selfBoot = boot[0] === 'self'
  const dialAll = async (node, i) => {
    const targets = selfBoot ? (i ? [nodes[0].getMultiaddrs()[0]] : []) : boot.map(x => multiaddr(x))
    for (const ma of targets) {
      try { await node.dial(ma, { signal: AbortSignal.timeout(20000) }) } catch (e) { console.log(`# dial ${ma}: ${e.message}`) }
    }
  }
  // a few at a time: one js node cannot take a hundred handshakes at once
  for (let i = 0; i < nodes.length; i += 8) {
    await Promise.all(nodes.slice(i, i + 8).map((node, j) => dialAll(node, i + j)))
  }
  const end = Date.now() + Number(process.env.READY_SECS ?? 20) * 1000
  while (Date.now() < end && nodes.some(x => x.services.dht.routingTable.size === 0)) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  console.log(nodes.every(x => x.services.dht.routingTable.size > 0) ? 'ready' : 'notready')
  const rl = createInterface({ input: process.stdin })
  // one command at a time, in order
  let chain = Promise.resolve()
  rl.on('line', line => {
    chain = chain.then(async () => console.log(await command(nodes, line)))
  })
  rl.on('close', () => { chain.then(() => command(nodes, 'quit')) })
  setTimeout(() => command(nodes, 'quit'), Number(process.env.PEER_TTL ?? 300) * 1000)
}

main().catch(e => { console.log(`FAIL: ${e.stack}`); process.exit(1) })
