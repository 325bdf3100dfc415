// peer.mjs - a js-libp2p 3 peer for ggen's interop tests and benchmarks.
//
// Run as `node --import ./shim.mjs peer.mjs MODE ARGS...`.  Every mode
// listens or dials on 127.0.0.1 only, prints what it found on stdout (one
// line per fact, easy to grep), and exits 0 only when every check held.
//
//   listen                 serve ping, identify and the echo/sink test
//                          protocols; print "listening: MA" per address;
//                          run until SIGTERM (or $PEER_TTL s, default 300)
//   check MA               dial; ping 3 times; identify; print the results
//   echo MA BYTES          one echo stream, BYTES each way, byte-exact
//   streams MA N BYTES     N concurrent echo streams, BYTES each way each
//   idle MA SECONDS        dial, stay idle SECONDS, check the connection
//                          is still open and answers ping
//   bench-hs MA N          N times: fresh connection + one ping; median ms
//   bench-tput MA BYTES    send BYTES over one sink stream; MB/s
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { randomBytes } from 'node:crypto'

export const ECHO = '/ggen/test/echo/1.0.0'
export const SINK = '/ggen/test/sink/1.0.0'
const LIMITS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }
const CHUNK = 64 * 1024

function fail (msg) {
  console.log(`FAIL: ${msg}`)
  process.exit(1)
}

async function makeNode (listen) {
  return createLibp2p({
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ maxInboundStreams: 4096, maxOutboundStreams: 4096 })],
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: 256, maxOutboundStreams: 256 })
    },
    connectionManager: {
      inboundConnectionThreshold: 10000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 10000
    }
  })
}

function bytesOf (chunk) {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

async function sendAll (stream, data) {
  for (let off = 0; off < data.length; off += CHUNK) {
    if (!stream.send(data.subarray(off, off + CHUNK))) {
      await stream.onDrain()
    }
  }
}

// The echo server: every byte read is written back; the remote's close of
// its write half ends ours.
async function echoHandler (stream) {
  try {
    for await (const chunk of stream) {
      if (!stream.send(bytesOf(chunk))) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

// The sink: count bytes until the remote closes, then answer the count as
// 8 bytes big-endian.
async function sinkHandler (stream) {
  try {
    let n = 0n
    for await (const chunk of stream) n += BigInt(chunk.byteLength)
    const out = new Uint8Array(8)
    new DataView(out.buffer).setBigUint64(0, n)
    stream.send(out)
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

async function modeListen () {
  const node = await makeNode(true)
  await node.handle(ECHO, echoHandler, LIMITS)
  await node.handle(SINK, sinkHandler, LIMITS)
  for (const ma of node.getMultiaddrs()) console.log(`listening: ${ma}`)
  node.addEventListener('peer:connect', (e) => {
    console.log(`connected: ${e.detail}`)
  })
  const stop = async () => { await node.stop(); process.exit(0) }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // A lifetime cap, so a test that dies cannot leave us running.
  setTimeout(stop, Number(process.env.PEER_TTL ?? 300) * 1000)
}

function expectedPeer (ma) {
  const id = multiaddr(ma).getComponents().find(c => c.name === 'p2p')
  return id ? id.value : null
}

async function modeCheck (ma) {
  const node = await makeNode(false)
  const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000) })
  console.log(`connected: ${conn.remotePeer}`)
  for (let i = 0; i < 3; i++) {
    const rtt = await node.services.ping.ping(multiaddr(ma), { signal: AbortSignal.timeout(5000) })
    console.log(`ping: ${rtt} ms`)
  }
  const r = await node.services.identify.identify(conn, { signal: AbortSignal.timeout(5000) })
  console.log(`agent: ${r.agentVersion}`)
  console.log(`protocolVersion: ${r.protocolVersion}`)
  for (const p of r.protocols) console.log(`protocol: ${p}`)
  for (const a of r.listenAddrs) console.log(`listenAddr: ${a}`)
  if (r.observedAddr) console.log(`observedAddr: ${r.observedAddr}`)
  if (r.publicKey == null) fail('identify carried no public key')
  const fromKey = peerIdFromPublicKey(publicKeyFromProtobuf(r.publicKey))
  console.log(`identify-key-peer: ${fromKey}`)
  const want = expectedPeer(ma)
  if (!fromKey.equals(peerIdFromString(want))) fail(`key is ${fromKey}, dialed ${want}`)
  if (!fromKey.equals(conn.remotePeer)) fail('identify key is not the noise identity')
  await node.stop()
  console.log('check: ok')
}

// Run one echo exchange of `bytes` on a fresh stream; resolves when every
// byte came back in order.
async function echoOnce (conn, bytes) {
  const stream = await conn.newStream(ECHO, { ...LIMITS, signal: AbortSignal.timeout(20000) })
  const data = randomBytes(bytes)
  let got = 0
  const reader = (async () => {
    for await (const chunk of stream) {
      const b = bytesOf(chunk)
      if (got + b.length > bytes) throw new Error('echo: too many bytes')
      if (Buffer.compare(b, data.subarray(got, got + b.length)) !== 0) {
        throw new Error(`echo: mismatch at byte ${got}`)
      }
      got += b.length
    }
  })()
  await sendAll(stream, data)
  await stream.close()
  await reader
  if (got !== bytes) throw new Error(`echo: got ${got} of ${bytes} bytes`)
}

async function modeEcho (ma, bytes) {
  const node = await makeNode(false)
  const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000) })
  const t0 = performance.now()
  await echoOnce(conn, Number(bytes))
  const ms = performance.now() - t0
  console.log(`echo: ${bytes} bytes ok in ${ms.toFixed(0)} ms`)
  await node.stop()
}

async function modeStreams (ma, n, bytes) {
  const node = await makeNode(false)
  const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000) })
  const jobs = []
  for (let i = 0; i < Number(n); i++) jobs.push(echoOnce(conn, Number(bytes)))
  const res = await Promise.allSettled(jobs)
  const bad = res.filter(r => r.status !== 'fulfilled')
  if (bad.length) fail(`${bad.length} of ${n} streams failed: ${bad[0].reason}`)
  if (conn.status !== 'open') fail(`connection is ${conn.status}`)
  console.log(`streams: ${n} ok on one connection`)
  await node.stop()
}

async function modeIdle (ma, secs) {
  const node = await makeNode(false)
  const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000) })
  await new Promise(resolve => setTimeout(resolve, Number(secs) * 1000))
  if (conn.status !== 'open') fail(`connection is ${conn.status} after ${secs} s`)
  if (node.getConnections().length !== 1) fail('connection was replaced')
  console.log(`idle: open after ${secs} s, monitor rtt ${conn.rtt} ms`)
  const rtt = await node.services.ping.ping(conn.remotePeer, { signal: AbortSignal.timeout(5000) })
  if (node.getConnections()[0] !== conn) fail('ping used another connection')
  console.log(`idle: ping ${rtt} ms on the same connection`)
  await node.stop()
}

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function modeBenchHs (ma, n) {
  const node = await makeNode(false)
  const times = []
  for (let i = 0; i < Number(n); i++) {
    const t0 = performance.now()
    const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000), force: true })
    await node.services.ping.ping(conn.remotePeer, { signal: AbortSignal.timeout(5000) })
    times.push(performance.now() - t0)
    await conn.close()
  }
  console.log(`handshake+rtt median: ${median(times).toFixed(3)} ms`)
  await node.stop()
}

async function modeBenchTput (ma, bytes) {
  const node = await makeNode(false)
  const conn = await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(10000) })
  const stream = await conn.newStream(SINK, { ...LIMITS, signal: AbortSignal.timeout(10000) })
  const total = Number(bytes)
  const block = randomBytes(CHUNK)
  const t0 = performance.now()
  for (let off = 0; off < total; off += CHUNK) {
    if (!stream.send(block.subarray(0, Math.min(CHUNK, total - off)))) {
      await stream.onDrain()
    }
  }
  await stream.close()
  const parts = []
  for await (const chunk of stream) parts.push(bytesOf(chunk))
  const secs = (performance.now() - t0) / 1000
  const ack = Buffer.concat(parts)
  if (ack.length !== 8 || ack.readBigUInt64BE(0) !== BigInt(total)) fail('sink count wrong')
  console.log(`throughput: ${(total / secs / 1e6).toFixed(1)} MB/s`)
  await node.stop()
}

const [mode, ...args] = process.argv.slice(2)
const modes = {
  listen: modeListen,
  check: modeCheck,
  echo: modeEcho,
  streams: modeStreams,
  idle: modeIdle,
  'bench-hs': modeBenchHs,
  'bench-tput': modeBenchTput
}
if (!modes[mode]) fail(`unknown mode ${mode}`)
try {
  await modes[mode](...args)
  if (mode !== 'listen') process.exit(0)
} catch (err) {
  fail(`${mode}: ${err.stack ?? err}`)
}
