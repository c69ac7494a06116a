// Known runs of the real-LDK scenarios: failing runs triaged as bugs of LDK 0.1.0
// (upstream rust-lightning issues fixed after that release), by exact trace. A
// sweep lists them apart and passes (scenarios/known.ts). Fingerprints are
// written by `node --import tsx bench/record-known.ts`; the triage (bug, why)
// is a person's, from the trace and LDK's log (scenarios/corpus/README.md).
import type { KnownRun } from '../known.ts';

export const LDK_KNOWN_RUNS: Readonly<Record<string, readonly KnownRun[]>> = {
  'ldk-two-node-payments': [
    {"seed":25,"fingerprint":"5b2a23ebda6d9bab2231520c4082f7bc7ef7aa7dc1789e7f043edcfc2da0bc72","invariant":"model-assertion","bug":"rust-lightning #3772","why":"restart from a manager written mid-claim with a monitor that holds the preimage: the claim replay meets the payment already being claimed and 0.1.0 refuses to load (InvalidValue)"},
    {"seed":43,"fingerprint":"7351dc513192861d8fddf1669ada477b6f401b2863c40a30078585c1e0434dbf","invariant":"liveness","bug":"rust-lightning #4431 (same class)","why":"a failure held behind an in-flight monitor update whose write a crash lost; the restart from a stale manager force-closes and drops it, so the payment stays pending"},
    {"seed":93,"fingerprint":"ad02ae15bc9062863a48850e3abfce64f92e3138f12d74307e47f00b196ee930","invariant":"model-assertion","bug":"rust-lightning #3772","why":"restart from a manager written mid-claim with a monitor that holds the preimage: the claim replay meets the payment already being claimed and 0.1.0 refuses to load (InvalidValue)"},
    {"seed":115,"fingerprint":"3e50546e9722c08de563f5a2a02738f5edc65375d4e7a0b20b0b44c34935113b","invariant":"model-assertion","bug":"rust-lightning #3772","why":"restart from a manager written mid-claim with a monitor that holds the preimage: the claim replay meets the payment already being claimed and 0.1.0 refuses to load (InvalidValue)"},
  ],
  'ldk-claim-event-restart': [
    {"seed":69,"fingerprint":"63d860318b17aebd95719d939cb1dae5015b94ae3455f32adb2de34f5b156662","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":152,"fingerprint":"5d009efe5f724575066419b7f0b2f884ef2b1cf29496cbdf3e371c5871f8329a","invariant":"payment-claimed-delivered","bug":"rust-lightning #3988","why":"the channel moves on before the slow application handles PaymentClaimed; a restart from the stale manager loses the event"},
    {"seed":192,"fingerprint":"551ab94f407c530dbcda07f2d5aa66424829f870b026e04bed4140cdf7450128","invariant":"liveness","bug":"rust-lightning #3859","why":"a timeout claim package keeps an HTLC output the peer already spent, so every broadcast of it conflicts"},
    {"seed":301,"fingerprint":"f52311df627f4ce078ef55ea5c5230031982415487089e8969084c54c5f7eb6d","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
  ],
  'ldk-forward-close-held': [
    {"seed":24,"fingerprint":"fb984572123f3edc66568c54d0d7377e98556f43fa9f845cc3348f1cf299641b","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":37,"fingerprint":"7d1ab9946f7f3982223a03c72225beeda42301124d0049fb86d95b88bc8825f3","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":42,"fingerprint":"59ec2a128da2992f8529a38d2c1170ceba3c1622b9e760659f3190660c993580","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":70,"fingerprint":"16a554b703f64d158e59a9ae297123003800a9a87ee778f7cf1ada443e78c0d6","invariant":"no-lost-htlc","bug":"rust-lightning #3989","why":"forwards held behind a stalled monitor update are forgotten when the channel force-closes, and never failed back"},
    {"seed":77,"fingerprint":"710ea69b8fab4c01f3b3cc8caf168e6a6a1c776a42e849abc06fabfee4a4e839","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":89,"fingerprint":"59d2a134515f80e93be2d14f7dea46278f905459a0312dd2bec2c9815477dd08","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
  ],
  'ldk-forward-async-persist': [
    {"seed":12,"fingerprint":"bf2b97fb3cb42a837612c73892402c89887b9e2263154ea1bb329c8658712f33","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":36,"fingerprint":"ebe2d45419a9c1c08e980335e1fa5ab89efc195a71bfea752c6b7819d42365c2","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
  ],
  'ldk-mpp-claim-restart': [
    {"seed":56,"fingerprint":"0103faecdc2dfebfd7aa7cffd7facb771459312bbde0c51f1107c64a0d977f1c","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
    {"seed":59,"fingerprint":"d3e257dc09537fef7669cdbede8476a65fc637611413c90d26e8f7c4a0029b97","invariant":"ldk-panic","bug":"rust-lightning #3857","why":"a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics \"ChannelMonitorUpdates out of order\""},
  ],
};
