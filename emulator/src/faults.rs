//! Fault injection: a seeded share of `/v3` API calls answered with QBO's transient failures —
//! 429 ThrottleExceeded (JSON or XML, with or without `Retry-After`), 500/503 SystemFaults, and
//! connections dropped in the middle of a response — and a share of writes whose answer is lost
//! after they took effect (`writes.rs` asks [`Faults::lose_write_answer`]).
//!
//! Why it exists: a client's retry and backoff paths only run when the server fails, and real
//! QBO fails rarely and never on demand. Every decision comes from a SplitMix64 keyed by the
//! fault seed (never the data seed) and the index of the call, so a run with the same seed and
//! the same number of calls sees the same number of each failure, whatever the concurrency. The
//! 429s of the per-realm limits (`limits.rs`) also take their body shape and `Retry-After` from
//! here, from a stream of their own so they do not shift the injected sequence.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::{EmulatorConfig, check_share};
use crate::fault::{Fault, QBO_JSON};
use crate::rng::SplitMix64;

/// Stream tag of the injection decisions (one draw set per API call).
const STREAM_INJECTED: u64 = 0x_fa17_0001;
/// Stream tag of the shape of the limits' 429s.
const STREAM_LIMIT_429: u64 = 0x_fa17_0002;
/// Stream tag of the writes whose answer is lost.
const STREAM_LOST_ANSWER: u64 = 0x_fa17_0003;
/// How far the three shares of calls may add up beyond 1 (floating-point slack).
const SHARE_SLACK: f64 = 1e-9;

/// What to do with one API call instead of (or before) routing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injection {
    /// Nothing: the handler answers.
    None,
    /// A 429 ThrottleExceeded.
    Throttle(Throttle),
    /// A 500 SystemFault (`unavailable == false`) or a 503 Service Unavailable.
    ServerError {
        /// 503 rather than 500.
        unavailable: bool,
    },
    /// Cut the connection before the response is complete.
    Drop {
        /// After the status line, headers and a few body bytes (the client's `send` succeeds and
        /// reading the body fails); otherwise before anything is sent (`send` fails).
        mid_body: bool,
    },
}

/// The shape of one 429 ThrottleExceeded answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Throttle {
    /// The XML `IntuitResponse` body rather than JSON.
    pub(crate) xml: bool,
    /// The `Retry-After` header's seconds, if it is sent.
    pub(crate) retry_after: Option<u64>,
}

impl IntoResponse for Throttle {
    fn into_response(self) -> Response {
        let fault = Fault::throttled();
        let mut res = if self.xml {
            fault.into_xml_response()
        } else {
            fault.into_response()
        };
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The shares of calls to fail, as configured.
#[derive(Debug, Clone, Copy)]
struct Rates {
    throttle: f64,
    throttle_xml: f64,
    retry_after: f64,
    retry_after_secs: u64,
    server_error: f64,
    drop: f64,
    lost_answer: f64,
}

/// The injector of one instance.
#[derive(Debug)]
pub(crate) struct Faults {
    seed: u64,
    rates: Rates,
    /// API calls decided so far (the index of the next one).
    calls: AtomicU64,
    /// Limit 429s shaped so far.
    limit_answers: AtomicU64,
    /// Writes that took effect so far (each decides whether its answer is lost).
    writes: AtomicU64,
}

impl Faults {
    /// The injector `config` asks for (validate it first with [`validate`]).
    pub(crate) fn new(config: &EmulatorConfig) -> Faults {
        Faults {
            seed: config.fault_seed,
            rates: Rates {
                throttle: config.throttle_rate,
                throttle_xml: config.throttle_xml_rate,
                retry_after: config.retry_after_rate,
                retry_after_secs: config.retry_after_secs,
                server_error: config.server_error_rate,
                drop: config.drop_rate,
                lost_answer: config.lost_answer_rate,
            },
            calls: AtomicU64::new(0),
            limit_answers: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// Whether the answer of the next write that took effect is lost (the connection drops
    /// after the write, before its answer is sent).
    pub(crate) fn lose_write_answer(&self) -> bool {
        if self.rates.lost_answer <= 0.0 {
            return false;
        }
        let index = self.writes.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::for_record(self.seed, STREAM_LOST_ANSWER, index);
        unit(&mut rng) < self.rates.lost_answer
    }

    /// The decision for the next API call.
    pub(crate) fn next_call(&self) -> Injection {
        let index = self.calls.fetch_add(1, Ordering::Relaxed);
        decide(&self.rates, self.seed, index)
    }

    /// The shape of the next 429 sent because of the per-realm limits.
    pub(crate) fn limit_throttle(&self) -> Throttle {
        let index = self.limit_answers.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::for_record(self.seed, STREAM_LIMIT_429, index);
        throttle_shape(&self.rates, &mut rng)
    }
}

/// The decision for call `index`: one uniform draw picks throttle, server error, drop or
/// nothing, so each happens to exactly its share of calls in the long run.
fn decide(rates: &Rates, seed: u64, index: u64) -> Injection {
    let mut rng = SplitMix64::for_record(seed, STREAM_INJECTED, index);
    let u = unit(&mut rng);
    if u < rates.throttle {
        Injection::Throttle(throttle_shape(rates, &mut rng))
    } else if u < rates.throttle + rates.server_error {
        Injection::ServerError {
            unavailable: rng.next_u64() & 1 == 1,
        }
    } else if u < rates.throttle + rates.server_error + rates.drop {
        Injection::Drop {
            mid_body: rng.next_u64() & 1 == 1,
        }
    } else {
        Injection::None
    }
}

/// XML or JSON, with or without `Retry-After`, by their shares.
fn throttle_shape(rates: &Rates, rng: &mut SplitMix64) -> Throttle {
    let xml = unit(rng) < rates.throttle_xml;
    let retry_after = (unit(rng) < rates.retry_after).then_some(rates.retry_after_secs);
    Throttle { xml, retry_after }
}

/// A uniform value in `[0, 1)` (53 random bits), so a share of 1.0 always hits and 0.0 never.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Check the fault settings of `config`: every share within `0..=1`, and the three shares of
/// calls (throttle, server error, drop) adding up to at most 1.
pub(crate) fn validate(config: &EmulatorConfig) -> Result<(), String> {
    let shares = [
        ("throttle rate", config.throttle_rate),
        ("throttle XML rate", config.throttle_xml_rate),
        ("Retry-After rate", config.retry_after_rate),
        ("server error rate", config.server_error_rate),
        ("drop rate", config.drop_rate),
        ("lost answer rate", config.lost_answer_rate),
    ];
    for (name, share) in shares {
        check_share(share).map_err(|why| format!("the {name} {why}"))?;
    }
    let total = config.throttle_rate + config.server_error_rate + config.drop_rate;
    if total > 1.0 + SHARE_SLACK {
        return Err(format!(
            "the throttle, server error and drop rates add up to {total}; a call can fail only \
             one way, so they must add up to at most 1"
        ));
    }
    Ok(())
}

/// 500 code 10000 SystemFault, or 503 Service Unavailable (also a SystemFault).
pub(crate) fn server_error(unavailable: bool) -> Response {
    if unavailable {
        Fault::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SystemFault",
            "10000",
            "Service Unavailable",
            "The service is temporarily unavailable. Try again later (injected by the QBO \
             emulator)",
            None,
        )
        .into_response()
    } else {
        Fault::internal(
            "System Failure Error: an unexpected error occurred (injected by the QBO emulator)",
        )
        .into_response()
    }
}

/// A response whose body stream fails, so hyper aborts the connection and the client sees a
/// transport error, never a complete response. With `mid_body` the head and a few bytes of a
/// 200 reach the client first (a connection reset while reading the body); without, the stream
/// fails at once and nothing is sent (a connection closed before any answer).
pub(crate) fn dropped(mid_body: bool) -> Response {
    let abort = || {
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection dropped by the QBO emulator's fault injection",
        ))
    };
    let first = if mid_body {
        Step::FirstBytes
    } else {
        Step::Abort
    };
    let body = futures::stream::unfold(first, move |step| async move {
        match step {
            Step::FirstBytes => Some((
                Ok::<Bytes, io::Error>(Bytes::from_static(br#"{"QueryResponse":{"#)),
                Step::AbortAfterFlush,
            )),
            Step::AbortAfterFlush => {
                // Let hyper flush the head and the first bytes before the connection dies.
                tokio::task::yield_now().await;
                Some((abort(), Step::Done))
            }
            Step::Abort => Some((abort(), Step::Done)),
            Step::Done => None,
        }
    });
    let mut res = Response::new(Body::from_stream(body));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(QBO_JSON));
    res
}

/// Where the body stream of [`dropped`] is.
#[derive(Debug, Clone, Copy)]
enum Step {
    FirstBytes,
    AbortAfterFlush,
    Abort,
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(throttle: f64, server_error: f64, drop: f64) -> Rates {
        Rates {
            throttle,
            throttle_xml: 0.5,
            retry_after: 0.5,
            retry_after_secs: 7,
            server_error,
            drop,
            lost_answer: 0.0,
        }
    }

    fn tally(rates: &Rates, seed: u64, calls: u64) -> [u64; 4] {
        let mut counts = [0; 4];
        for index in 0..calls {
            let slot = match decide(rates, seed, index) {
                Injection::None => 0,
                Injection::Throttle(_) => 1,
                Injection::ServerError { .. } => 2,
                Injection::Drop { .. } => 3,
            };
            counts[slot] += 1;
        }
        counts
    }

    #[test]
    fn settings_are_validated() {
        let ok = EmulatorConfig {
            throttle_rate: 0.2,
            server_error_rate: 0.1,
            drop_rate: 0.7,
            throttle_xml_rate: 1.0,
            retry_after_rate: 0.0,
            ..EmulatorConfig::default()
        };
        assert_eq!(validate(&ok), Ok(()));
        assert_eq!(validate(&EmulatorConfig::default()), Ok(()));
        for bad in [
            EmulatorConfig {
                throttle_rate: 1.5,
                ..EmulatorConfig::default()
            },
            EmulatorConfig {
                retry_after_rate: f64::NAN,
                ..EmulatorConfig::default()
            },
            EmulatorConfig {
                throttle_rate: 0.6,
                drop_rate: 0.6,
                ..EmulatorConfig::default()
            },
        ] {
            assert!(validate(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shares_are_met_and_seeded() {
        let r = rates(0.2, 0.1, 0.05);
        let counts = tally(&r, 9, 100_000);
        let share = |n: u64| n as f64 / 100_000.0;
        assert!((share(counts[1]) - 0.2).abs() < 0.01, "{counts:?}");
        assert!((share(counts[2]) - 0.1).abs() < 0.01, "{counts:?}");
        assert!((share(counts[3]) - 0.05).abs() < 0.01, "{counts:?}");
        assert_eq!(counts, tally(&r, 9, 100_000), "same seed, same decisions");
        assert_ne!(
            counts,
            tally(&r, 10, 100_000),
            "another seed, other decisions"
        );
    }

    #[test]
    fn zero_injects_nothing_and_one_always() {
        assert_eq!(tally(&rates(0.0, 0.0, 0.0), 1, 10_000), [10_000, 0, 0, 0]);
        assert_eq!(tally(&rates(1.0, 0.0, 0.0), 1, 10_000), [0, 10_000, 0, 0]);
        assert_eq!(tally(&rates(0.0, 1.0, 0.0), 1, 10_000), [0, 0, 10_000, 0]);
        assert_eq!(tally(&rates(0.0, 0.0, 1.0), 1, 10_000), [0, 0, 0, 10_000]);
    }

    #[test]
    fn throttle_shapes_and_server_errors_mix() {
        let r = rates(0.5, 0.5, 0.0);
        let (mut xml, mut retry, mut unavailable, mut internal) = (0, 0, 0, 0);
        for index in 0..10_000 {
            match decide(&r, 3, index) {
                Injection::Throttle(t) => {
                    xml += u32::from(t.xml);
                    if let Some(secs) = t.retry_after {
                        assert_eq!(secs, 7);
                        retry += 1;
                    }
                }
                Injection::ServerError { unavailable: true } => unavailable += 1,
                Injection::ServerError { unavailable: false } => internal += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        for n in [xml, retry, unavailable, internal] {
            assert!(
                (2000..3000).contains(&n),
                "{xml} {retry} {unavailable} {internal}"
            );
        }
    }
}
